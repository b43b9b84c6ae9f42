/**
 * The `trees.json` format ({@linkcode TreeModel}, re-exported by lib/learn/trees.ts)
 * and the check of a parsed file before it is compiled: every index in range and every child after its parent, so a
 * damaged or hand-edited file is a `DataError` naming the file and field, and
 * a walk down any tree always ends at a leaf.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { TreeArrays } from "./_tree_nodes.ts";

/** A tree-ensemble family. */
export type TreeFamily = "gbdt" | "extra_trees";

/** The format tag of {@linkcode TreeModel}. */
export const TREES_FORMAT = "threat-trees/1";

/**
 * A fitted tree ensemble as JSON data (what `trees.json` holds). The score of
 * a row is `base` plus the sum of its leaf in every tree; `gbdt` returns
 * `sigmoid(score)`, `extra_trees` `score / trees.length`.
 */
export interface TreeModel {
  /** {@linkcode TREES_FORMAT}. */
  format: string;
  /** Family. */
  family: TreeFamily;
  /** Features per row. */
  features: number;
  /** Starting score (`gbdt`: log-odds of the training positives; `extra_trees`: 0). */
  base: number;
  /** Per feature, the bin edges; a split on bin `b` of feature `f` sends `x <= bin_edges[f][b]` left. */
  bin_edges: number[][];
  /** The trees, in summation order. */
  trees: TreeArrays[];
  /**
   * Features holding category codes (a split on one sends a set of codes
   * left, `cats` in the tree); absent when there are none.
   */
  categorical?: number[];
}

const FORMAT = TREES_FORMAT;
const FAMILIES = ["gbdt", "extra_trees"];

const isIntIn = (v: unknown, lo: number, hi: number): v is number =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) < hi;

/**
 * Validate a parsed trees.json value and return it typed.
 *
 * @example
 * ```ts
 * import { parseTreeModel } from "./_tree_json.ts";
 * const m = parseTreeModel({ format: "threat-trees/1", family: "gbdt", features: 1, base: 0,
 *   bin_edges: [[0.5]], trees: [{ feature: [0], bin: [0], left: [-1], right: [-2], value: [-1, 1] }] }, "trees.json");
 * m.trees.length; // 1
 * ```
 */
export function parseTreeModel(value: unknown, file: string): TreeModel {
  const bad = (field: string, message: string) => new DataError(message, { file, field });
  const m = value as Partial<TreeModel> | null;
  if (m?.format !== FORMAT) throw bad("format", `not a tree model of format '${FORMAT}'`);
  if (!FAMILIES.includes(m.family as string)) {
    throw bad("family", `family must be one of ${FAMILIES.join(", ")}`);
  }
  if (!isIntIn(m.features, 1, 1e6)) throw bad("features", "features must be a positive integer");
  if (typeof m.base !== "number" || !Number.isFinite(m.base)) {
    throw bad("base", "base must be a finite number");
  }
  const edges = m.bin_edges;
  if (!Array.isArray(edges) || edges.length !== m.features) {
    throw bad("bin_edges", `bin_edges must list ${m.features} arrays`);
  }
  edges.forEach((e, f) => {
    const ok = Array.isArray(e) &&
      e.every((x, i) => typeof x === "number" && Number.isFinite(x) && (i === 0 || x > e[i - 1]));
    if (!ok) throw bad(`bin_edges[${f}]`, "bin edges must be increasing finite numbers");
  });
  if (!Array.isArray(m.trees) || m.trees.length === 0) {
    throw bad("trees", "trees must be a non-empty array");
  }
  m.trees.forEach((t, k) => {
    const where = `trees[${k}]`;
    const arrays = ["feature", "bin", "left", "right", "value"] as const;
    for (const key of arrays) {
      if (!Array.isArray(t?.[key])) throw bad(`${where}.${key}`, `${key} must be an array`);
    }
    const n = t.feature.length, leaves = t.value.length;
    const cats = t.cats;
    if (cats !== undefined) {
      const ok = Array.isArray(cats) && cats.length === n &&
        cats.every((c) => Array.isArray(c) && c.every((v) => isIntIn(v, 0, 256)));
      if (!ok) throw bad(`${where}.cats`, "cats must list category codes (0-255) per split");
    }
    if (t.bin.length !== n || t.left.length !== n || t.right.length !== n) {
      throw bad(where, "feature, bin, left and right must have one entry per split");
    }
    if (leaves !== n + 1) {
      throw bad(`${where}.value`, `a tree with ${n} splits has ${n + 1} leaves`);
    }
    if (!t.value.every((v) => typeof v === "number" && Number.isFinite(v))) {
      throw bad(`${where}.value`, "leaf values must be finite numbers");
    }
    for (let j = 0; j < n; j++) {
      const f = t.feature[j];
      if (!isIntIn(f, 0, m.features!)) throw bad(`${where}.feature[${j}]`, "feature out of range");
      const categorical = t.bin[j] === -1 && (cats?.[j].length ?? 0) > 0;
      if (!categorical && !isIntIn(t.bin[j], 0, edges[f].length)) {
        throw bad(`${where}.bin[${j}]`, `bin out of range for feature ${f}`);
      }
      for (const side of ["left", "right"] as const) {
        const c = t[side][j];
        // Internal children come after their parent: every walk ends at a leaf.
        const ok = c >= 0 ? isIntIn(c, j + 1, n) : isIntIn(~c, 0, leaves);
        if (!ok) throw bad(`${where}.${side}[${j}]`, "child index out of range");
      }
    }
  });
  if (
    m.categorical !== undefined &&
    !(Array.isArray(m.categorical) && m.categorical.every((f) => isIntIn(f, 0, m.features!)))
  ) {
    throw bad("categorical", "categorical must list feature indexes");
  }
  return m as TreeModel;
}
