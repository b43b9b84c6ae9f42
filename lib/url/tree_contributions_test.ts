import { deepStrictEqual, ok } from "node:assert/strict";
import { compileTrees, type TreeModel } from "../learn/trees.ts";
import { treeExplainer } from "./tree_contributions.ts";

const MODEL: TreeModel = {
  format: "threat-trees/1",
  family: "gbdt",
  features: 3,
  base: 0.2,
  bin_edges: [[0.5], [1, 2], [0]],
  trees: [
    // f0 <= 0.5 ? (f1 <= 2 ? -1 : 0.5) : 2
    { feature: [0, 1], bin: [0, 1], left: [1, -1], right: [-3, -2], value: [-1, 0.5, 2] },
    // f2 <= 0 ? 0.3 : -0.3
    { feature: [2], bin: [0], left: [-1], right: [-2], value: [0.3, -0.3] },
  ],
};

Deno.test("contributions plus bias add up to the tree score (log-odds)", () => {
  const explain = treeExplainer(MODEL);
  const proba = compileTrees(MODEL);
  const rows = [[0, 1, -1], [0, 3, 1], [1, 0, 0], [NaN, 1, 5]];
  for (const r of rows) {
    const c = explain(r);
    const p = proba(new Float32Array(r), 1)[0];
    const logit = Math.log(p / (1 - p));
    const sum = c.bias + c.values.reduce((a, b) => a + b, 0);
    ok(Math.abs(sum - logit) < 1e-5, `${r}: ${sum} vs ${logit}`);
    deepStrictEqual(c.probability, p); // the same walk gives compileTrees' probability exactly
  }
  // Root of tree 1 is (mean(-1, 0.5) + 2) / 2 = 0.875; of tree 2, 0: bias 0.2 + 0.875.
  const c = explain([1, 0, 0]);
  deepStrictEqual(Math.round(c.bias * 1e6) / 1e6, 1.075);
  deepStrictEqual([...c.values].map((v) => Math.round(v * 1e6) / 1e6), [1.125, 0, 0.3]);
});

Deno.test("extra_trees contributions are averaged over the trees", () => {
  const m: TreeModel = { ...MODEL, family: "extra_trees", base: 0 };
  const c = treeExplainer(m)([1, 0, 0]);
  deepStrictEqual(c.probability, compileTrees(m)(new Float32Array([1, 0, 0]), 1)[0]);
  deepStrictEqual([...c.values].map((v) => Math.round(v * 1e6) / 1e6), [0.5625, 0, 0.15]);
});
