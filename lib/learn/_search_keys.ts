/**
 * The keys of the `search:` mapping's families (lib/learn/search.ts
 * readSearchSpec): the tree families' keys with their ranges and defaults,
 * and the networks' layer-width lists.
 *
 * @module
 */
import type { NumberOptions, Section } from "../section.ts";
import type { TreeFamily } from "./trees.ts";

export type NumberKey = [
  yamlKey: string,
  field: string,
  options: NumberOptions & { defaultList?: number[] },
];

const int = (min: number, max?: number) => ({ integer: true, min, max });

/** The tree families' keys: params.yaml name, config field, range and default. */
export const TREE_KEYS: Record<TreeFamily, NumberKey[]> = {
  gbdt: [
    ["learning_rate", "learningRate", { min: 1e-4, max: 1, defaultList: [0.1] }],
    ["max_iter", "maxIter", { ...int(1, 10000), defaultList: [300] }],
    ["max_leaf_nodes", "maxLeafNodes", { ...int(2, 4096), defaultList: [31] }],
    ["max_depth", "maxDepth", { ...int(0, 64), defaultList: [0] }],
    ["min_samples_leaf", "minSamplesLeaf", { ...int(1), defaultList: [20] }],
    ["l2", "l2", { min: 0, defaultList: [0] }],
    ["max_bins", "maxBins", { ...int(2, 256), defaultList: [255] }],
    ["n_iter_no_change", "nIterNoChange", { ...int(1), defaultList: [20] }],
    ["subsample", "subsample", { min: 1e-3, max: 1, defaultList: [1] }],
    ["colsample", "colsample", { min: 1e-3, max: 1, defaultList: [1] }],
  ],
  extra_trees: [
    ["n_estimators", "nEstimators", { ...int(1, 10000), defaultList: [300] }],
    ["max_features", "maxFeatures", { min: 1e-6, max: 1, defaultList: [0.2] }],
    ["min_samples_leaf", "minSamplesLeaf", { ...int(1), defaultList: [1] }],
    ["max_depth", "maxDepth", { ...int(0, 64), defaultList: [0] }],
    ["max_bins", "maxBins", { ...int(2, 256), defaultList: [255] }],
    ["n_iter_no_change", "nIterNoChange", { ...int(0), defaultList: [0] }],
  ],
};

/**
 * A list of layer-width lists (`hidden: [[64, 32], [128]]`), each width in 1..4096.
 *
 * @example
 * ```ts ignore
 * readLayerLists(section, "hidden"); // [[64, 32], [128]]
 * ```
 */
export function readLayerLists(f: Section, key: string): number[][] {
  const raw = f.raw(key);
  const fail = () =>
    f.error(
      key,
      `'${[...f.path, key].join(".")}' must be a list of layer-width lists, e.g. [[64, 32], [128]]`,
    );
  if (!Array.isArray(raw) || raw.length === 0) throw fail();
  return raw.map((layers) => {
    if (!Array.isArray(layers) || layers.length === 0) throw fail();
    for (const w of layers) if (!Number.isInteger(w) || w < 1 || w > 4096) throw fail();
    return layers as number[];
  });
}
