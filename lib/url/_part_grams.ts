/**
 * The hashed n-grams of ONE URL, each part counted on its own: what the
 * per-part n-gram LRs (`featurize.ngram_lr.per_part`) and their reasons read
 * at check time. The same entries, order and float32 values as
 * lib/url/_gram_table.ts `GramTable.hash` + `computeParts` (which training
 * uses; tested equal), in one pass: the same counting loop
 * (lib/url/_gram_counts.ts) with the dedup emptied and the values normalised
 * at each part, so there is no URL-wide normalisation and no second counting
 * pass. Given the LRs, it also sums each part's logit. State lives until the
 * next {@linkcode PartGrams.hash}.
 *
 * @module
 */
import { GramCounts } from "./_gram_counts.ts";

/** Per-part n-gram entries of the last URL hashed (reused across URLs). */
export class PartGrams extends GramCounts {
  /** Part `p`'s entries are `partStart[p] .. partStart[p + 1]` (first occurrence in the part). */
  get partStart(): Int32Array {
    return this.partEntries;
  }
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
    if (!lrs) return;
    const partStart = this.partEntries, value = this.value, bucket = this.bucket;
    for (let p = 0; p < np; p++) {
      const first = partStart[p], n = partStart[p + 1], w = lrs[p].weights;
      let z = lrs[p].bias;
      for (let e = first; e < n; e++) z += w[bucket[e]] * value[e];
      this.logit[p] = z;
    }
  }
}
