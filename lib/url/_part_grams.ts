/**
 * The hashed n-grams of ONE URL, each part counted on its own: what the
 * per-part n-gram LRs (`featurize.ngram_lr.per_part`) and their reasons read
 * at check time. The same entries, order and float32 values as
 * lib/url/_gram_table.ts `GramTable.hash` + `computeParts` (which training
 * uses; tested equal), in one pass: the same counting loop
 * (lib/url/_gram_counts.ts) with the dedup emptied per part, so there is no
 * URL-wide normalisation and no second counting pass. Given the LRs, it
 * sums each part's logit as it normalises (no pass of its own; reading the
 * weights inside the hashing loop instead measured slower). State lives
 * until the next
 * {@linkcode PartGrams.hash}.
 *
 * @module
 */
import { GramCounts, sublinear } from "./_gram_counts.ts";

/** Per-part n-gram entries of the last URL hashed (reused across URLs). */
export class PartGrams extends GramCounts {
  /** Part `p`'s entries are `partStart[p] .. partStart[p + 1]` (first occurrence in the part). */
  get partStart(): Int32Array {
    return this.partEntries;
  }
  /** Sublinear tf of each entry, L2-normalised within its part (float32, as `computeParts`). */
  value: Float32Array = new Float32Array(1024);
  /**
   * With LRs given to {@linkcode PartGrams.hash}: part `p`'s logit, `bias +
   * Σ weight × value` over its entries in order (lib/learn/sparse_logreg.ts
   * `sparseLogit`'s sum).
   */
  logit: Float64Array = new Float64Array(8);

  /**
   * Hash every 1..MAX_GRAM-gram of each part of `parts` (with `^`/`$` ends)
   * into `bits`-bit buckets, part `p` with seed `partSeed(p)`; `lrs[p]`
   * (optional): part `p`'s LR, whose logit goes to `logit[p]`.
   *
   * @example
   * ```ts
   * import { PartGrams } from "./_part_grams.ts";
   * const t = new PartGrams();
   * t.hash(["ab", "cd"], 18);
   * t.partStart[2] - t.partStart[1]; // 9
   * ```
   */
  hash(
    parts: readonly string[],
    bits: number,
    lrs?: readonly { weights: Float32Array; bias: number }[],
  ): void {
    const np = parts.length;
    this.countParts(parts, bits, true);
    if (this.logit.length < np) this.logit = new Float64Array(np);
    const partStart = this.partEntries;
    if (this.value.length < this.bucket.length) this.value = new Float32Array(this.bucket.length);
    const value = this.value, count = this.count;
    for (let p = 0; p < np; p++) {
      const first = partStart[p], n = partStart[p + 1];
      // Values as computeParts: float32 of 1 + ln tf, times 1 / the part's norm (in doubles).
      let norm = 0;
      for (let e = first; e < n; e++) {
        const v = sublinear(count[e]);
        value[e] = v;
        norm += v * v;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let e = first; e < n; e++) value[e] *= inv;
    }
    if (!lrs) return;
    const bucket = this.bucket;
    for (let p = 0; p < np; p++) {
      const first = partStart[p], n = partStart[p + 1], w = lrs[p].weights;
      let z = lrs[p].bias;
      for (let e = first; e < n; e++) z += w[bucket[e]] * value[e];
      this.logit[p] = z;
    }
  }
}
