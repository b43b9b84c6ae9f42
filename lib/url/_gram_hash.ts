/**
 * The seeded hash of the n-gram LR's character n-grams (part of the feature
 * definition: changing it changes every trained model), shared by
 * lib/url/ngram_vector.ts and lib/url/_gram_table.ts.
 *
 * @module
 */

/** Longest n-gram hashed. */
export const MAX_GRAM = 5;

/**
 * Seed of part `p` (fixed: part of the feature definition).
 *
 * @example
 * ```ts
 * import { partSeed } from "./_gram_hash.ts";
 * partSeed(0) === partSeed(0); // true
 * ```
 */
export const partSeed = (p: number): number => Math.imul(0x811c9dc5 ^ (p + 1), 0x9e3779b1) >>> 0;

/**
 * Final avalanche of a 32-bit hash (murmur3 fmix32).
 *
 * @example
 * ```ts
 * import { mix } from "./_gram_hash.ts";
 * mix(0); // 0
 * ```
 */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
