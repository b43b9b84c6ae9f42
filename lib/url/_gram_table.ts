/**
 * The hashed n-grams of ONE URL as one URL-wide vector (lib/url/_gram_counts.ts
 * counts them; one entry per distinct bucket across all parts): the same
 * vector as lib/url/ngram_vector.ts `hashParts` (indices in order of first
 * occurrence, same float32 values), plus, per n-gram, which entry it went to,
 * so the n-gram reason (lib/url/ngram_reasons.ts) reads its weights without
 * hashing again; {@linkcode GramTable.computeParts} gives each part's own
 * vector from the same counts (training's per-part matrices). State lives
 * until the next {@linkcode GramTable.hash}.
 *
 * @module
 */
import { GramCounts, sublinear } from "./_gram_counts.ts";

/** Hash table state of the last URL hashed (reused across URLs). */
export class GramTable extends GramCounts {
  /**
   * After {@linkcode GramTable.computeParts}: part `p`'s entries are
   * `partEntry[partStart[p] .. partStart[p + 1])` (first occurrence in the
   * part), their values in `partVal` at the same positions.
   */
  partStart: Int32Array = new Int32Array(8);
  /** Entries of each part (see `partStart`). */
  partEntry: Int32Array = new Int32Array(1024);
  /** Their values normalised within their part (see `partStart`). */
  partVal: Float32Array = new Float32Array(1024);
  #partsReady = false;
  #partCount = new Int32Array(1024); // zero between calls

  /** Buckets in order of first occurrence (`unique` of them). */
  get index(): Int32Array {
    return this.bucket;
  }

  /** Number of distinct buckets. */
  get unique(): number {
    return this.entries;
  }

  /**
   * Hash every 1..MAX_GRAM-gram of `parts` (with `^`/`$` ends) into
   * `bits`-bit buckets, one entry per distinct bucket of the whole URL.
   *
   * @example
   * ```ts
   * import { GramTable } from "./_gram_table.ts";
   * const t = new GramTable();
   * t.hash(["abc"], 18);
   * [t.unique > 0, t.grams]; // [true, 14]
   * ```
   */
  hash(parts: readonly string[], bits: number): void {
    this.countParts(parts, bits, false);
    this.#partsReady = false;
  }

  /**
   * The vector of each part alone, from the n-grams already hashed (once per
   * URL; later calls return at once): see `partStart`. The same float32
   * values as hashing that part alone (`hashParts` with the other parts
   * empty): sublinear tf over the part's own n-grams, L2-normalised over the
   * part. For the per-part n-gram LRs.
   *
   * @example
   * ```ts
   * import { GramTable } from "./_gram_table.ts";
   * const t = new GramTable();
   * t.hash(["ab", "cd"], 18);
   * t.computeParts();
   * t.partStart[2] - t.partStart[1]; // 9
   * ```
   */
  computeParts(): void {
    if (this.#partsReady) return;
    this.#partsReady = true;
    const np = this.parts.length, size = this.bucket.length;
    if (this.partStart.length < np + 1) this.partStart = new Int32Array(np + 1);
    if (this.partEntry.length < size) {
      this.partEntry = new Int32Array(size);
      this.partVal = new Float32Array(size);
      this.#partCount = new Int32Array(size);
    }
    const count = this.#partCount, list = this.partEntry, value = this.partVal;
    const entry = this.gramEntry, start = this.partStart;
    let n = 0;
    for (let p = 0; p < np; p++) {
      const first = n, end = this.partGram[p + 1];
      start[p] = first;
      for (let g = this.partGram[p]; g < end; g++) {
        const e = entry[g];
        if (count[e] === 0) list[n++] = e;
        if (count[e] < 65535) count[e]++;
      }
      let norm = 0;
      for (let k = first; k < n; k++) {
        const e = list[k], v = sublinear(count[e]);
        value[k] = v;
        norm += v * v;
        count[e] = 0;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = first; k < n; k++) value[k] *= inv;
    }
    start[np] = n;
  }
}
