/**
 * Per-prediction feature contributions of a tree ensemble (path-based
 * attribution, Saabas 2014), computed from the serialized trees
 * (`trees.json`, lib/ml/trees.ts `TreeModel`; read-only). Walking a row down
 * a tree, each split moves the expected output from the node's value to the
 * child's; that change is credited to the split's feature. The contributions
 * of a row plus the ensemble's root value add up to its score exactly
 * (`gbdt`: log-odds; `extra_trees`: probability).
 *
 * trees.json stores no per-node row counts, so an internal node's value is
 * the UNWEIGHTED mean of its two children (Saabas uses the training-row
 * weighted mean); the additivity above still holds.
 *
 * @module
 */
import type { TreeModel } from "../ml/trees.ts";

/** Contributions of one row and the value they start from. */
export interface Contributions {
  /** Per feature (model input order), in score units. */
  values: Float64Array;
  /** The ensemble's expected score before any split (base + root values). */
  bias: number;
  /**
   * The row's probability, as lib/ml/trees.ts `compileTrees` computes it
   * (same leaves, same summation order, float32): one walk gives both.
   */
  probability: number;
}

/**
 * Explains rows of a tree ensemble; compiled once per model. The returned
 * `values` array is reused by the next call: read it before calling again.
 */
export type TreeExplainer = (x: ArrayLike<number>, offset?: number) => Contributions;

/**
 * Compile an explainer for `model`.
 *
 * @example
 * ```ts
 * import { treeExplainer } from "./tree_contributions.ts";
 * const explain = treeExplainer({ format: "threat-trees/1", family: "gbdt", features: 2, base: 0,
 *   bin_edges: [[0.5], [0.5]],
 *   trees: [{ feature: [0], bin: [0], left: [-1], right: [-2], value: [-1, 1] }] });
 * const c = explain([1, 0]);
 * [c.bias, c.values[0], c.values[1]]; // [0, 1, 0]
 * ```
 */
export function treeExplainer(model: TreeModel): TreeExplainer {
  const scale = model.family === "extra_trees" ? 1 / model.trees.length : 1;
  const compiled = model.trees.map((t) => {
    const n = t.feature.length;
    const internal = new Float64Array(n);
    // Children come after their parent: fill values from the last node up.
    const valueOf = (c: number) => (c < 0 ? t.value[~c] : internal[c]);
    for (let k = n - 1; k >= 0; k--) internal[k] = (valueOf(t.left[k]) + valueOf(t.right[k])) / 2;
    const threshold = new Float64Array(n);
    for (let k = 0; k < n; k++) threshold[k] = model.bin_edges[t.feature[k]][t.bin[k]];
    const root = n === 0 ? t.value[0] : internal[0];
    return { t, internal, threshold, root, n };
  });
  let bias = model.family === "gbdt" ? model.base : 0;
  for (const c of compiled) bias += c.root * scale;
  const values = new Float64Array(model.features);
  const gbdt = model.family === "gbdt";
  const trees = model.trees.length;
  return (x, offset = 0) => {
    values.fill(0);
    let sum = model.base;
    for (const { t, internal, threshold, n } of compiled) {
      if (n === 0) {
        sum += t.value[0];
        continue;
      }
      let k = 0;
      for (;;) {
        const f = t.feature[k];
        const v = x[offset + f];
        const child = v <= threshold[k] ? t.left[k] : t.right[k];
        const next = child < 0 ? t.value[~child] : internal[child];
        values[f] += (next - internal[k]) * scale;
        if (child < 0) {
          sum += next;
          break;
        }
        k = child;
      }
    }
    const probability = Math.fround(gbdt ? 1 / (1 + Math.exp(-sum)) : sum / trees);
    return { values, bias, probability };
  };
}
