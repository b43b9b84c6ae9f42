/**
 * The hashed n-grams of ONE URL, each part counted on its own: what the
 * per-part n-gram LRs (`featurize.ngram_lr.per_part`) and their reasons read
 * at check time. The same entries, order and float32 values as
 * lib/url/_gram_table.ts `GramTable.hash` + `computeParts` (which training
 * uses; tested equal), in one pass: each part's n-grams are counted in a
 * direct table over the bucket space, emptied by a new stamp per part, so
 * there is no URL-wide table, no URL-wide normalisation, no second counting
 * pass and no probing. State lives until the next {@linkcode PartGrams.hash}.
 *
 * @module
 */
import { MAX_GRAM, partSeed } from "./_gram_hash.ts";

// `1 + ln(tf)` for small counts (the same doubles Math.log gives: a lookup, not a call).
const TF_TABLE = 256;
const SUBLINEAR = Float64Array.from({ length: TF_TABLE }, (_, c) => (c ? 1 + Math.log(c) : 0));

/** Per-part n-gram entries of the last URL hashed (reused across URLs). */
export class PartGrams {
  /** The texts of the parts hashed. */
  parts: readonly string[] = [];
  /** Part `p`'s entries are `partStart[p] .. partStart[p + 1]` (first occurrence in the part). */
  partStart: Int32Array = new Int32Array(8);
  /** Bucket of each entry. */
  bucket: Int32Array = new Int32Array(1024);
  /** Sublinear tf of each entry, L2-normalised within its part (float32, as `computeParts`). */
  value: Float32Array = new Float32Array(1024);
  /** Per n-gram, in hashing order (part, start, length), its entry. */
  gramEntry: Int32Array = new Int32Array(4096);
  /** Per part, its first n-gram in `gramEntry` (and, last, the number of n-grams). */
  partGram: Int32Array = new Int32Array(8);
  // Per bucket b: seen[2b] is the stamp of the part that last saw it, seen[2b + 1] its entry
  // there. A direct table over the bucket space (2 MiB for 18 bits), never cleared: a new
  // stamp per part empties it. Faster than probing a small hash table (no collision loop).
  #seen = new Int32Array(0);
  #stamp = 0;
  #count = new Int32Array(1024);
  #chars = new Int32Array(256);

  /**
   * Hash every 1..{@linkcode MAX_GRAM}-gram of each part of `parts` (with
   * `^`/`$` ends) into `bits`-bit buckets, part `p` with seed `partSeed(p)`.
   *
   * @example
   * ```ts
   * import { PartGrams } from "./_part_grams.ts";
   * const t = new PartGrams();
   * t.hash(["ab", "cd"], 18);
   * t.partStart[2] - t.partStart[1]; // 9
   * ```
   */
  hash(parts: readonly string[], bits: number): void {
    const np = parts.length;
    let total = 0;
    for (const s of parts) if (s.length + 2 > total) total = s.length + 2;
    let grams = 0;
    for (const s of parts) if (s !== "") grams += (s.length + 2) * MAX_GRAM;
    this.parts = parts;
    this.#reserve(total, grams, np, bits);
    const seen = this.#seen, count = this.#count, chars = this.#chars;
    const bucket = this.bucket, value = this.value, gramEntry = this.gramEntry;
    const partStart = this.partStart, partGram = this.partGram;
    const shift = 32 - bits;
    let n = 0, g = 0;
    for (let p = 0; p < np; p++) {
      const text = parts[p], first = n;
      partStart[p] = first;
      partGram[p] = g;
      if (text === "") continue;
      const len = text.length + 2;
      const seed = partSeed(p) | 0;
      const st = ++this.#stamp;
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
      // Values as computeParts: float32 of 1 + ln tf, times 1 / the part's norm (in doubles).
      let norm = 0;
      for (let e = first; e < n; e++) {
        const c = count[e], v = c < TF_TABLE ? SUBLINEAR[c] : 1 + Math.log(c);
        value[e] = v;
        norm += v * v;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let e = first; e < n; e++) value[e] *= inv;
    }
    partStart[np] = n;
    partGram[np] = g;
  }

  #reserve(longest: number, grams: number, np: number, bits: number): void {
    if (this.partStart.length < np + 1) {
      this.partStart = new Int32Array(np + 1);
      this.partGram = new Int32Array(np + 1);
    }
    if (this.#chars.length < longest) this.#chars = new Int32Array(longest * 2);
    if (this.gramEntry.length < grams) this.gramEntry = new Int32Array(grams * 2);
    if (this.bucket.length < grams) {
      this.bucket = new Int32Array(grams * 2);
      this.value = new Float32Array(grams * 2);
      this.#count = new Int32Array(grams * 2);
    }
    if (this.#seen.length !== 2 << bits || this.#stamp > 0x7ffffff0) {
      this.#seen = new Int32Array(2 << bits);
      this.#stamp = 0;
    }
  }
}
