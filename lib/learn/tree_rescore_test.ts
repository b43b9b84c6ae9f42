import { deepStrictEqual } from "node:assert/strict";
import { createRng } from "../rng.ts";
import { compileTrees, type TreeModel } from "./trees.ts";
import { treeRescorer } from "./tree_rescore.ts";

/** A small ensemble over 6 columns that splits on columns 0, 2 and 3 only. */
function toyTrees(family: "gbdt" | "extra_trees"): TreeModel {
  const edges = [[0.2, 0.5, 0.8], [], [0.3, 0.6], [0.5], [], []];
  return {
    format: "threat-trees/1",
    family,
    features: 6,
    base: family === "gbdt" ? -0.25 : 0,
    bin_edges: edges,
    trees: [
      { feature: [0, 2], bin: [1, 0], left: [1, ~0], right: [~2, ~1], value: [-0.7, 0.1, 0.9] },
      { feature: [3], bin: [0], left: [~0], right: [~1], value: [0.3, -0.4] },
      { feature: [2, 0], bin: [1, 2], left: [~0, ~1], right: [1, ~2], value: [0.2, -0.1, 0.6] },
      { feature: [], bin: [], left: [], right: [], value: [0.05] },
    ],
  };
}

/** Rows of 6 uniform columns (few distinct scores: ties). */
function toyRows(seed: number, rows: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * 6 }, () => Math.round(rng.next() * 10) / 10);
}

Deno.test("tree rescore: same bits as compileTrees after any columns change", () => {
  for (const family of ["gbdt", "extra_trees"] as const) {
    const model = toyTrees(family), predict = compileTrees(model);
    const x = toyRows(1, 40);
    const r = treeRescorer(model, x, 40);
    deepStrictEqual(r.used, [0, 2, 3]);
    deepStrictEqual(r.rescore(x, []), predict(x, 40));
    for (const columns of [[0], [1], [2, 3], [4, 5], [0, 1, 2, 3, 4, 5]]) {
      const work = x.slice(), other = toyRows(2, 40);
      other[3 * 6 + 0] = NaN, other[5 * 6 + 2] = -0, other[7 * 6 + 3] = NaN; // NaN goes right
      for (let i = 0; i < 40; i++) for (const c of columns) work[i * 6 + c] = other[i * 6 + c];
      const a = r.rescore(work, columns), b = predict(work, 40);
      deepStrictEqual(new Uint32Array(a.buffer), new Uint32Array(b.buffer), `${family} ${columns}`);
    }
  }
});
