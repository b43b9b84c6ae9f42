/**
 * Stratified, seeded train/test splitting: each class keeps (up to rounding)
 * the same share in both parts, and both parts keep the source row order.
 *
 * @module
 */
import { createRng, shuffle } from "./rng.ts";

/** Options of {@linkcode stratifiedSplit}. */
export interface SplitOptions {
  /** Share of each class that goes to the test part, in (0, 1). */
  testSize: number;
  /** Seed of the shuffle. */
  seed: number;
}

/** Row indices of both parts, each ascending. */
export interface Split {
  /** Training rows. */
  train: number[];
  /** Test rows. */
  test: number[];
}

/**
 * Split rows by class: within each class (in ascending class order) shuffle
 * with the seeded RNG and send `round(n * testSize)` rows to test. Same
 * labels and options, same split.
 *
 * @example
 * ```ts
 * import { stratifiedSplit } from "./split.ts";
 * const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
 * const { train, test } = stratifiedSplit(labels, { testSize: 0.5, seed: 1 });
 * [train.length, test.length]; // [5, 5]
 * ```
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions): Split {
  const { testSize, seed } = options;
  if (!(testSize > 0 && testSize < 1)) {
    throw new RangeError(`testSize must be in (0, 1), got ${testSize}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const rng = createRng(seed);
  const isTest = new Uint8Array(labels.length);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffle([...byClass.get(cls)!], rng);
    const k = Math.round(rows.length * testSize);
    for (let i = 0; i < k; i++) isTest[rows[i]] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < labels.length; i++) (isTest[i] ? test : train).push(i);
  return { train, test };
}
