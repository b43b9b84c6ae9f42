/**
 * The hashed n-grams of ONE URL in a small reusable open-addressing table
 * (keyed by bucket), instead of a 2^18-entry dense count table: the few
 * hundred buckets a URL touches stay in cache. Gives the same vector as
 * lib/url/ngram_vector.ts `hashParts` (indices in order of first occurrence,
 * same float32 values) and keeps, per n-gram, which entry it went to, so the
 * n-gram reason (lib/url/ngram_reasons.ts) reads its weights without hashing
 * again. State lives until the next {@linkcode GramTable.hash}.
 *
 * @module
 */
import { MAX_GRAM, partSeed } from "./_gram_hash.ts";

/** Hash table state of the last URL hashed (reused across URLs). */
export class GramTable {
  /** Buckets in order of first occurrence (`unique` of them). */
  index: Int32Array = new Int32Array(1024);
  /** Their sublinear-tf, L2-normalised values (float32, as `hashParts`). */
  value: Float32Array = new Float32Array(1024);
  /** Number of distinct buckets. */
  unique = 0;
  /** Per n-gram, in hashing order (part, start, length), its entry in `index`. */
  gramEntry: Int32Array = new Int32Array(4096);
  /** Number of n-grams. */
  grams = 0;
  /** The texts of the parts hashed. */
  parts: readonly string[] = [];
  /** Per part, its first n-gram in `gramEntry` (and, last, `grams`). */
  partGram: Int32Array = new Int32Array(8);
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
  #keys = new Int32Array(2048); // bucket + 1, 0 = empty
  #slotEntry = new Int32Array(2048);
  #count = new Int32Array(1024);
  #slotOf = new Int32Array(1024);
  #partCount = new Int32Array(1024); // zero between calls
  #chars = new Int32Array(256);

  /**
   * Hash every 1..{@linkcode MAX_GRAM}-gram of `parts` (with `^`/`$` ends)
   * into `bits`-bit buckets.
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
    let total = 0;
    for (const s of parts) if (s !== "") total += (s.length + 2) * MAX_GRAM;
    this.#reserve(total);
    this.parts = parts;
    this.#partsReady = false;
    const keys = this.#keys, slotEntry = this.#slotEntry, count = this.#count;
    const slotOf = this.#slotOf;
    const index = this.index, gramEntry = this.gramEntry;
    const mask = keys.length - 1, shift = 32 - bits;
    let unique = 0, g = 0;
    if (this.partGram.length < parts.length + 1) this.partGram = new Int32Array(parts.length + 1);
    for (let p = 0; p < parts.length; p++) {
      const text = parts[p];
      this.partGram[p] = g;
      if (text === "") continue;
      const len = text.length + 2;
      if (this.#chars.length < len) this.#chars = new Int32Array(len * 2);
      const chars = this.#chars;
      chars[0] = 94;
      for (let i = 0; i < text.length; i++) chars[i + 1] = text.charCodeAt(i);
      chars[len - 1] = 36;
      const seed = partSeed(p);
      for (let i = 0; i < len; i++) {
        let h = seed;
        const end = i + MAX_GRAM < len ? i + MAX_GRAM : len;
        for (let j = i; j < end; j++) {
          h = Math.imul(h ^ chars[j], 0x01000193);
          // murmur3 fmix32 (as ngram_vector.ts `mix`)
          let m = h ^ (h >>> 16);
          m = Math.imul(m, 0x85ebca6b);
          m ^= m >>> 13;
          m = Math.imul(m, 0xc2b2ae35);
          const b = (m ^ (m >>> 16)) >>> shift;
          let s = b & mask;
          for (;;) {
            const k = keys[s];
            if (k === b + 1) {
              const e = slotEntry[s];
              if (count[e] < 65535) count[e]++;
              gramEntry[g++] = e;
              break;
            }
            if (k === 0) {
              keys[s] = b + 1;
              slotEntry[s] = unique;
              index[unique] = b;
              count[unique] = 1;
              slotOf[unique] = s;
              gramEntry[g++] = unique++;
              break;
            }
            s = (s + 1) & mask;
          }
        }
      }
    }
    this.unique = unique;
    this.grams = g;
    this.partGram[parts.length] = g;
    for (let e = 0; e < unique; e++) keys[slotOf[e]] = 0; // empty again for the next URL
    const value = this.value;
    let norm = 0;
    for (let e = 0; e < unique; e++) {
      const v = 1 + Math.log(count[e]);
      value[e] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let e = 0; e < unique; e++) value[e] *= inv;
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
    const count = this.#partCount, list = this.partEntry, value = this.partVal;
    const entry = this.gramEntry, start = this.partStart, np = this.parts.length;
    if (start.length < np + 1) this.partStart = new Int32Array(np + 1);
    let n = 0;
    for (let p = 0; p < np; p++) {
      const first = n, end = this.partGram[p + 1];
      this.partStart[p] = first;
      for (let g = this.partGram[p]; g < end; g++) {
        const e = entry[g];
        if (count[e] === 0) list[n++] = e;
        if (count[e] < 65535) count[e]++;
      }
      let norm = 0;
      for (let k = first; k < n; k++) {
        const e = list[k], v = 1 + Math.log(count[e]);
        value[k] = v;
        norm += v * v;
        count[e] = 0;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = first; k < n; k++) value[k] *= inv;
    }
    this.partStart[np] = n;
  }

  #reserve(total: number): void {
    if (this.gramEntry.length < total) this.gramEntry = new Int32Array(total * 2);
    if (this.index.length < total) {
      this.index = new Int32Array(total * 2);
      this.value = new Float32Array(total * 2);
      this.#count = new Int32Array(total * 2);
      this.#slotOf = new Int32Array(total * 2);
      this.partVal = new Float32Array(total * 2);
      this.partEntry = new Int32Array(total * 2);
      this.#partCount = new Int32Array(total * 2);
    }
    // At most half full: a power of two at least twice the most buckets possible.
    let cap = this.#keys.length;
    while (cap < 2 * total) cap *= 2;
    if (cap !== this.#keys.length) {
      this.#keys = new Int32Array(cap);
      this.#slotEntry = new Int32Array(cap);
    }
  }
}
