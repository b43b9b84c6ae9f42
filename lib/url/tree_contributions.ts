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
  let bias = model.family === "gbdt" ? model.base : 0;
  const fns = model.trees.map((t) => {
    const n = t.feature.length;
    const internal = new Float64Array(n);
    // Children come after their parent: fill values from the last node up.
    const valueOf = (c: number) => (c < 0 ? t.value[~c] : internal[c]);
    for (let k = n - 1; k >= 0; k--) internal[k] = (valueOf(t.left[k]) + valueOf(t.right[k])) / 2;
    bias += (n === 0 ? t.value[0] : internal[0]) * scale;
    return compileExplainTree(t, model.bin_edges, internal, scale);
  });
  const values = new Float64Array(model.features);
  const gbdt = model.family === "gbdt";
  const trees = model.trees.length;
  return (x, offset = 0) => {
    values.fill(0);
    // Leaves added in tree order from `base`: the sum compileTrees computes.
    let sum = model.base;
    for (let i = 0; i < fns.length; i++) sum += fns[i](x, offset, values);
    const probability = Math.fround(gbdt ? 1 / (1 + Math.exp(-sum)) : sum / trees);
    return { values, bias, probability };
  };
}

type ExplainTree = (x: ArrayLike<number>, o: number, c: Float64Array) => number;

function literal(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`tree value is not finite: ${n}`);
  return n < 0 ? `(${String(n)})` : String(n === 0 ? 0 : n);
}

/**
 * One tree as nested comparisons (as lib/ml/_tree_codegen.ts does for
 * scoring) that add each split's change of expected value to `c[feature]`
 * and return the leaf value. Only numbers of a validated model become code.
 */
function compileExplainTree(
  t: TreeModel["trees"][number],
  edges: number[][],
  internal: Float64Array,
  scale: number,
): ExplainTree {
  const valueOf = (c: number) => (c < 0 ? t.value[~c] : internal[c]);
  const node = (k: number): string => {
    if (k < 0) return `return ${literal(t.value[~k])};`;
    const f = t.feature[k];
    if (!Number.isInteger(f) || f < 0) throw new RangeError(`bad feature index ${f}`);
    const dl = (valueOf(t.left[k]) - internal[k]) * scale;
    const dr = (valueOf(t.right[k]) - internal[k]) * scale;
    return `if(x[o+${f}]<=${literal(edges[f][t.bin[k]])}){c[${f}]+=${literal(dl)};${
      node(t.left[k])
    }}else{c[${f}]+=${literal(dr)};${node(t.right[k])}}`;
  };
  const body = t.feature.length > 0 ? node(0) : `return ${literal(t.value[0])};`;
  return new Function("x", "o", "c", `"use strict";${body}`) as ExplainTree;
}
