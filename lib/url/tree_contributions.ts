/**
 * Per-prediction feature contributions of a tree ensemble (path-based
 * attribution, Saabas 2014), computed from the serialized trees
 * (`trees.json`, lib/learn/trees.ts `TreeModel`; read-only). Walking a row down
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
import type { TreeModel } from "../learn/trees.ts";
import { rawCut } from "./_raw_cut.ts";

/** Contributions of one row and the value they start from. */
export interface Contributions {
  /** Per feature (model input order), in score units. */
  values: Float64Array;
  /** The ensemble's expected score before any split (base + root values). */
  bias: number;
  /**
   * The row's probability, as lib/learn/trees.ts `compileTrees` computes it
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
 * The features `model` splits on, ascending: every other feature's
 * contribution is always 0 (a ranker may skip them).
 *
 * @example
 * ```ts
 * import { splitFeatures } from "./tree_contributions.ts";
 * splitFeatures({ format: "threat-trees/1", family: "gbdt", features: 3, base: 0,
 *   bin_edges: [[0.5], [0.5], [0.5]],
 *   trees: [{ feature: [2], bin: [0], left: [-1], right: [-2], value: [-1, 1] }] }); // Int32Array [2]
 * ```
 */
export function splitFeatures(model: TreeModel): Int32Array {
  const seen = new Set<number>();
  for (const t of model.trees) for (const f of t.feature) seen.add(f);
  return Int32Array.from([...seen].sort((a, b) => a - b));
}

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
export function treeExplainer(
  model: TreeModel,
  options: {
    /**
     * Explain raw feature values whose model inputs are
     * `fround((x - center) / scale)` (lib/url/_numeric_encoder.ts): each
     * threshold becomes its exact raw cut (lib/url/_raw_cut.ts), so the same
     * decisions and numbers come without encoding the row. Finite values only.
     */
    inputs?: { center: Float64Array; scale: Float64Array };
  } = {},
): TreeExplainer {
  const scale = model.family === "extra_trees" ? 1 / model.trees.length : 1;
  // Every tree's nodes in flat typed arrays (absolute indexes; a leaf child
  // is `~leaf` into `leafValue`): one tight loop, no per-tree objects.
  const nodes = model.trees.reduce((n, t) => n + t.feature.length, 0);
  const leaves = model.trees.reduce((n, t) => n + t.value.length, 0);
  const feature = new Int32Array(nodes), left = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const threshold = new Float64Array(nodes), nodeValue = new Float64Array(nodes);
  // Per node, what going left / right adds to its feature's contribution.
  const pushLeft = new Float64Array(nodes), pushRight = new Float64Array(nodes);
  const leafValue = new Float64Array(leaves);
  const root = new Int32Array(model.trees.length);
  let bias = model.family === "gbdt" ? model.base : 0;
  let n0 = 0, l0 = 0;
  model.trees.forEach((t, i) => {
    const n = t.feature.length;
    const at = (c: number) => (c < 0 ? ~(l0 + ~c) : n0 + c);
    for (let j = 0; j < t.value.length; j++) leafValue[l0 + j] = t.value[j];
    for (let k = 0; k < n; k++) {
      feature[n0 + k] = t.feature[k];
      const f = t.feature[k], edge = model.bin_edges[f][t.bin[k]];
      threshold[n0 + k] = options.inputs
        ? rawCut(edge, options.inputs.center[f], options.inputs.scale[f])
        : edge;
      left[n0 + k] = at(t.left[k]);
      right[n0 + k] = at(t.right[k]);
    }
    // Children come after their parent: fill expected values from the last node up.
    const valueOf = (c: number) => (c < 0 ? leafValue[~c] : nodeValue[c]);
    for (let k = n0 + n - 1; k >= n0; k--) {
      nodeValue[k] = (valueOf(left[k]) + valueOf(right[k])) / 2;
    }
    for (let k = n0; k < n0 + n; k++) {
      pushLeft[k] = (valueOf(left[k]) - nodeValue[k]) * scale;
      pushRight[k] = (valueOf(right[k]) - nodeValue[k]) * scale;
    }
    root[i] = n === 0 ? ~l0 : n0;
    bias += (n === 0 ? t.value[0] : nodeValue[n0]) * scale;
    n0 += n;
    l0 += t.value.length;
  });
  const values = new Float64Array(model.features);
  const gbdt = model.family === "gbdt";
  const trees = model.trees.length;
  return (x, offset = 0) => {
    values.fill(0);
    // Leaves added in tree order from `base`: the sum compileTrees computes.
    let sum = model.base;
    for (let i = 0; i < trees; i++) {
      let k = root[i];
      if (k < 0) {
        sum += leafValue[~k];
        continue;
      }
      for (;;) {
        const f = feature[k];
        let child: number;
        if (x[offset + f] <= threshold[k]) {
          child = left[k];
          values[f] += pushLeft[k];
        } else {
          child = right[k];
          values[f] += pushRight[k];
        }
        if (child < 0) {
          sum += leafValue[~child];
          break;
        }
        k = child;
      }
    }
    const probability = Math.fround(gbdt ? 1 / (1 + Math.exp(-sum)) : sum / trees);
    return { values, bias, probability };
  };
}
