/**
 * Rescoring a tree ensemble after some input columns changed, for
 * permutation importance (lib/reports/importance.ts): each tree's output on
 * every row is kept, and only the trees that split on a changed column are
 * evaluated again. A row's score is still `base` plus its leaves added in
 * tree order, then the family's link, exactly as `compileTrees`
 * (lib/learn/trees.ts) computes it, so the scores are bit-identical to
 * scoring the changed rows from scratch. Two shortcuts keep those bits: the
 * sums up to the first tree that must be evaluated again are kept too (the
 * same additions in the same order), and a row whose changed columns hold
 * the values they had (`===`: a shuffle often swaps equal values) keeps each
 * tree's output, since every column it reads is as it was.
 *
 * @module
 */
import { compileTree } from "./_tree_codegen.ts";
import type { TreeModel } from "./trees.ts";

/** A tree ensemble bound to a set of rows. */
export interface TreeRescorer {
  /** The columns some split reads, ascending (any other column cannot change a score). */
  used: number[];
  /** Scores of `work`: the bound rows with only `columns` changed. */
  rescore(work: Float32Array, columns: readonly number[]): Float32Array;
}

/**
 * Bind `model` to `rows` rows of `x` (row-major, `model.features` columns).
 *
 * @example
 * ```ts
 * import { treeRescorer } from "./tree_rescore.ts";
 * const r = treeRescorer({ format: "threat-trees/1", family: "gbdt", features: 2, base: 0,
 *   bin_edges: [[0.5], []], trees: [{ feature: [0], bin: [0], left: [~0], right: [~1], value: [-1, 1] }] },
 *   Float32Array.of(0, 7, 1, 7), 2);
 * [r.used, r.rescore(Float32Array.of(1, 7, 0, 7), [0])[0] > 0.5]; // [[0], true]
 * ```
 */
export function treeRescorer(model: TreeModel, x: Float32Array, rows: number): TreeRescorer {
  const cols = model.features, T = model.trees.length, base = model.base;
  if (x.length !== rows * cols) {
    throw new RangeError(`expected ${rows}x${cols} = ${rows * cols} values, got ${x.length}`);
  }
  const fns = model.trees.map((t) => compileTree(t, model.bin_edges));
  const readers: number[][] = Array.from({ length: cols }, () => []);
  model.trees.forEach((t, k) => {
    for (const f of new Set(t.feature)) readers[f].push(k);
  });
  const kept = new Float64Array(T * rows);
  // before[t * rows + r]: row r's sum of `base` and trees 0 .. t-1, in order.
  const before = new Float64Array((T + 1) * rows).fill(base, 0, rows);
  for (let t = 0; t < T; t++) {
    for (let r = 0, off = 0; r < rows; r++, off += cols) {
      const k = t * rows + r;
      kept[k] = fns[t](x, off);
      before[k + rows] = before[k] + kept[k];
    }
  }
  const gbdt = model.family === "gbdt";
  return {
    used: readers.flatMap((ts, f) => ts.length ? [f] : []),
    rescore(work, columns) {
      const changed = new Uint8Array(T);
      for (const c of columns) for (const t of readers[c]) changed[t] = 1;
      let first = changed.indexOf(1);
      if (first < 0) first = T;
      const moved = new Uint8Array(rows);
      for (let r = 0, off = 0; r < rows; r++, off += cols) {
        for (const c of columns) if (work[off + c] !== x[off + c]) moved[r] = 1;
      }
      const sums = before.slice(first * rows, (first + 1) * rows);
      for (let t = first; t < T; t++) {
        if (changed[t]) {
          const tree = fns[t];
          for (let r = 0, off = 0, k = t * rows; r < rows; r++, off += cols, k++) {
            sums[r] += moved[r] ? tree(work, off) : kept[k];
          }
        } else {
          for (let r = 0, k = t * rows; r < rows; r++, k++) sums[r] += kept[k];
        }
      }
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) out[r] = gbdt ? 1 / (1 + Math.exp(-sums[r])) : sums[r] / T;
      return out;
    },
  };
}
