/**
 * The one n-gram counting loop of the URL model's hashed character n-grams:
 * every 1..{@linkcode MAX_GRAM}-gram of a part (with `^`/`$` ends) hashed
 * with the part's seed (lib/url/_gram_hash.ts) into a bucket, counted in an
 * entry per distinct bucket (first occurrence order), and each n-gram's
 * entry kept in hashing order (part, start, length), and the entries'
 * sublinear-tf values L2-normalised over the dedup. Both views of a URL's
 * n-grams build on it: the URL-wide table that training reads
 * (lib/url/_gram_table.ts `GramTable`) and the per-part entries the checker
 * scores (lib/url/_part_grams.ts `PartGrams`); they differ only in when the
 * dedup is emptied (once per URL, or at each part).
 *
 * Dedup is a direct table over the bucket space (2 MiB for 18 bits), never
 * cleared: a new stamp empties it. Faster than probing a small hash table.
 *
 * @module
 */
import { MAX_GRAM, partSeed } from "./_gram_hash.ts";

// `1 + ln(tf)` for small counts (the same doubles Math.log gives: a lookup, not a call).
const TF_TABLE = 256;
const SUBLINEAR = Float64Array.from({ length: TF_TABLE }, (_, c) => (c ? 1 + Math.log(c) : 0));

/**
 * `1 + ln(c)` for a count `c ≥ 1` (the same double as `1 + Math.log(c)`).
 *
 * @example
 * ```ts
 * import { sublinear } from "./_gram_counts.ts";
 * sublinear(1); // 1
 * ```
 */
export const sublinear = (c: number): number => c < TF_TABLE ? SUBLINEAR[c] : 1 + Math.log(c);

/** Counted n-grams of the last URL (reused across URLs). */
export class GramCounts {
  /** The texts of the parts hashed. */
  parts: readonly string[] = [];
  /** Bucket of each entry. */
  bucket: Int32Array = new Int32Array(1024);
  /** Count of each entry (at most 65535). */
  count: Int32Array = new Int32Array(1024);
  /**
   * Each entry's sublinear tf (`1 + ln count`, float32), L2-normalised over
   * its dedup (the part with `perPart`, else the whole URL).
   */
  value: Float32Array = new Float32Array(1024);
  /** Number of entries. */
  entries = 0;
  /** Per n-gram, in hashing order (part, start, length), its entry. */
  gramEntry: Int32Array = new Int32Array(4096);
  /** Number of n-grams. */
  grams = 0;
  /** Per part, its first n-gram in `gramEntry` (and, last, the number of n-grams). */
  partGram: Int32Array = new Int32Array(8);
  /** With `perPart`: per part, its first entry (and, last, the number of entries). */
  partEntries: Int32Array = new Int32Array(8);
  // Per bucket b: seen[2b] is the stamp that last saw it, seen[2b + 1] its entry then.
  #seen = new Int32Array(0);
  #stamp = 0;
  #chars = new Int32Array(256);

  /**
   * Count every 1..{@linkcode MAX_GRAM}-gram of `parts` (part `p` with seed
   * `partSeed(p)`) hashed into `bits`-bit buckets. `perPart`: the dedup is
   * emptied at each part (an entry belongs to one part; part `p`'s entries
   * are `partEntries[p] .. partEntries[p + 1]`); otherwise one entry per
   * distinct bucket of the whole URL.
   *
   * @example
   * ```ts
   * import { GramCounts } from "./_gram_counts.ts";
   * const c = new GramCounts();
   * c.countParts(["ab", "ab"], 18, false);
   * [c.grams, c.entries]; // [18, 18]
   * ```
   */
  countParts(parts: readonly string[], bits: number, perPart: boolean): void {
    const np = parts.length;
    let longest = 0, total = 0;
    for (const s of parts) {
      if (s.length + 2 > longest) longest = s.length + 2;
      if (s !== "") total += (s.length + 2) * MAX_GRAM;
    }
    this.#reserve(longest, total, np, bits);
    this.parts = parts;
    const seen = this.#seen, count = this.count, chars = this.#chars;
    const bucket = this.bucket, gramEntry = this.gramEntry;
    const partEntries = this.partEntries, partGram = this.partGram;
    const shift = 32 - bits;
    let n = 0, g = 0, st = ++this.#stamp;
    for (let p = 0; p < np; p++) {
      const text = parts[p];
      partEntries[p] = n;
      partGram[p] = g;
      if (text === "") continue;
      if (perPart && p > 0) st = ++this.#stamp;
      const len = text.length + 2;
      const seed = partSeed(p) | 0;
      chars[0] = 94;
      for (let i = 0; i < text.length; i++) chars[i + 1] = text.charCodeAt(i);
      chars[len - 1] = 36;
      for (let i = 0; i < len; i++) {
        let h = seed;
        const end = i + MAX_GRAM < len ? i + MAX_GRAM : len;
        for (let j = i; j < end; j++) {
          h = Math.imul(h ^ chars[j], 0x01000193);
          // murmur3 fmix32 (as _gram_hash.ts `mix`)
          let m = h ^ (h >>> 16);
          m = Math.imul(m, 0x85ebca6b);
          m ^= m >>> 13;
          m = Math.imul(m, 0xc2b2ae35);
          const s = ((m ^ (m >>> 16)) >>> shift) << 1;
          if (seen[s] === st) {
            const e = seen[s + 1];
            if (count[e] < 65535) count[e]++;
            gramEntry[g++] = e;
          } else {
            seen[s] = st;
            seen[s + 1] = n;
            bucket[n] = s >> 1;
            count[n] = 1;
            gramEntry[g++] = n++;
          }
        }
      }
      if (perPart) this.#normalise(partEntries[p], n);
    }
    if (!perPart) this.#normalise(0, n);
    partEntries[np] = n;
    partGram[np] = g;
    this.entries = n;
    this.grams = g;
  }

  // Values as computeParts: float32 of 1 + ln tf, times 1 / the norm (in doubles).
  #normalise(first: number, end: number): void {
    const count = this.count, value = this.value;
    let norm = 0;
    for (let e = first; e < end; e++) {
      const c = count[e], v = c < TF_TABLE ? SUBLINEAR[c] : 1 + Math.log(c);
      value[e] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let e = first; e < end; e++) value[e] *= inv;
  }

  #reserve(longest: number, grams: number, np: number, bits: number): void {
    if (this.partGram.length < np + 1) {
      this.partGram = new Int32Array(np + 1);
      this.partEntries = new Int32Array(np + 1);
    }
    if (this.#chars.length < longest) this.#chars = new Int32Array(longest * 2);
    if (this.gramEntry.length < grams) this.gramEntry = new Int32Array(grams * 2);
    if (this.bucket.length < grams) {
      this.bucket = new Int32Array(grams * 2);
      this.count = new Int32Array(grams * 2);
      this.value = new Float32Array(grams * 2);
    }
    if (this.#seen.length !== 2 << bits || this.#stamp > 0x7ffffff0) {
      this.#seen = new Int32Array(2 << bits);
      this.#stamp = 0;
    }
  }
}
