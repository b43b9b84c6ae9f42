/**
 * Stratified, seeded train/test splitting: each class keeps (up to rounding)
 * the same share in both parts, and both parts keep the source row order.
 *
 * @module
 */
import { createRng, shuffle } from "../rng.ts";

/** Options of {@linkcode stratifiedSplit}. */
export interface SplitOptions {
  /** Share of each class that goes to the test part, in (0, 1). */
  testSize: number;
  /** Seed of the shuffle. */
  seed: number;
  /**
   * Optional group id per row (e.g. one per distinct feature vector): rows of
   * a group always land in the same part, so repeated rows cannot leak from
   * train into test. A group counts in the class of its first row.
   */
  groups?: ArrayLike<number>;
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
 * the rows (or groups) with the seeded RNG and send them to test until it
 * holds `round(n * testSize)` of the class's rows (with groups: at least
 * that many). Same labels and options, same split.
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
  const n = labels.length;
  const { groups } = options;
  if (groups && groups.length !== n) throw new RangeError("groups must have one entry per row");
  // Members of each group, and each class's groups in order of first appearance.
  const members = new Map<number, number[]>();
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups ? groups[i] : i;
    const list = members.get(g);
    if (list) {
      list.push(i);
      continue;
    }
    members.set(g, [i]);
    const cls = byClass.get(labels[i]);
    if (cls) cls.push(g);
    else byClass.set(labels[i], [g]);
  }
  const rng = createRng(seed);
  const isTest = new Uint8Array(n);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const order = shuffle([...byClass.get(cls)!], rng);
    let rows = 0;
    for (const g of order) rows += members.get(g)!.length;
    const target = Math.round(rows * testSize);
    let taken = 0;
    for (const g of order) {
      if (taken >= target) break;
      for (const i of members.get(g)!) isTest[i] = 1;
      taken += members.get(g)!.length;
    }
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? test : train).push(i);
  return { train, test };
}
