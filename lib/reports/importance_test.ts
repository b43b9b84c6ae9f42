import assert from "node:assert/strict";
import {
  calibrationBins,
  featureGroups,
  type ImportanceOptions,
  type ImportanceReport,
  permutationImportance,
} from "./importance.ts";
import { rocAuc } from "./metrics.ts";
import { createRng } from "../rng.ts";
import { compileTrees, type TreeModel } from "../learn/trees.ts";
import { treeRescorer } from "../learn/tree_rescore.ts";

Deno.test("calibrationBins: counts, rates and ECE; empty input", () => {
  const c = calibrationBins([0, 0, 1, 1], [0.05, 0.15, 0.85, 0.95], 10);
  assert.equal(c.bins.length, 10);
  assert.deepEqual(c.bins.map((b) => b.count), [1, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
  assert.equal(c.bins[9].observed_rate, 1);
  assert.equal(c.bins[2].mean_probability, null);
  assert.equal(c.ece, 0.1);
  assert.deepEqual(calibrationBins([], [], 2).ece, 0);
  assert.throws(() => calibrationBins([], [], 0), RangeError);
});

Deno.test("permutationImportance: the informative feature ranks first, same seed same result", () => {
  // column 0 decides the label, columns 1-2 (one group) are noise
  const rows = 200, cols = 3;
  const x = new Float32Array(rows * cols);
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const y = r % 2;
    labels.push(y);
    x[r * cols] = y + (r % 7) / 20;
    x[r * cols + 1] = (r * 37) % 11;
    x[r * cols + 2] = (r * 13) % 5;
  }
  const predict = (m: Float32Array, n: number) => {
    const out = new Float32Array(n);
    for (let r = 0; r < n; r++) out[r] = 1 / (1 + Math.exp(-(m[r * cols] - 0.6) * 8));
    return out;
  };
  const groups = featureGroups(
    {
      features: [{ kind: "numeric", column: "a" }, {
        kind: "one_hot",
        column: "b",
        categories: ["x"],
      }],
    },
    ["a", "b=x", "b=__unseen__"],
  );
  assert.deepEqual(groups.map((g) => g.columns), [[0], [1, 2]]);
  const o = { x, rows, cols, labels, predict, groups, repeats: 2, seed: 3 };
  const a = permutationImportance(o);
  assert.equal(a.features[0].feature, "a");
  assert.ok(a.features[0].importance > 0.3);
  assert.equal(a.features[1].importance, 0);
  assert.deepEqual(permutationImportance(o), a);
  assert.equal(permutationImportance({ ...o, maxRows: 50 }).rows, 50);
});

/** permutationImportance as first written (every shuffle scored with `predict` and `rocAuc`). */
function referenceImportance(o: ImportanceOptions): ImportanceReport {
  const repeats = o.repeats ?? 3, seed = o.seed ?? 0, rng = createRng(seed);
  let x = o.x, rows = o.rows, labels: ArrayLike<number> = o.labels;
  if (o.maxRows !== undefined && rows > o.maxRows) {
    const idx = [...Array(rows).keys()];
    for (let i = 0; i < o.maxRows; i++) {
      const j = i + rng.int(rows - i);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const keep = idx.slice(0, o.maxRows).sort((a, b) => a - b);
    x = new Float32Array(keep.length * o.cols);
    keep.forEach((r, k) => x.set(o.x.subarray(r * o.cols, (r + 1) * o.cols), k * o.cols));
    labels = keep.map((r) => o.labels[r]);
    rows = keep.length;
  }
  const baseline = rocAuc(labels, o.predict(x, rows));
  const work = new Float32Array(x.length);
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  const features = o.groups.map((g) => {
    const drops: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      work.set(x);
      const perm = [...Array(rows).keys()];
      for (let i = rows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      for (let r = 0; r < rows; r++) {
        for (const c of g.columns) work[r * o.cols + c] = x[perm[r] * o.cols + c];
      }
      drops.push(baseline - rocAuc(labels, o.predict(work, rows)));
    }
    const mean = drops.reduce((s, d) => s + d, 0) / repeats;
    const std = Math.sqrt(drops.reduce((s, d) => s + (d - mean) ** 2, 0) / repeats);
    return { feature: g.feature, importance: r6(mean), std: r6(std) };
  });
  features.sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  return { metric: "roc_auc", repeats, seed, rows, baseline: r6(baseline), features };
}

Deno.test("permutationImportance: a tree rescorer (skipping unread groups) gives the same report", () => {
  // 6 columns; the trees read 0, 2 and 3 only. Few distinct scores, so many ties.
  const model: TreeModel = {
    format: "threat-trees/1",
    family: "gbdt",
    features: 6,
    base: -0.25,
    bin_edges: [[0.2, 0.5, 0.8], [], [0.3, 0.6], [0.5], [], []],
    trees: [
      { feature: [0, 2], bin: [1, 0], left: [1, ~0], right: [~2, ~1], value: [-0.7, 0.1, 0.9] },
      { feature: [3], bin: [0], left: [~0], right: [~1], value: [0.3, -0.4] },
      { feature: [2, 0], bin: [1, 2], left: [~0, ~1], right: [1, ~2], value: [0.2, -0.1, 0.6] },
    ],
  };
  const rows = 300, cols = 6, rng = createRng(11);
  const x = Float32Array.from({ length: rows * cols }, () => Math.round(rng.next() * 10) / 10);
  const labels = Array.from(
    { length: rows },
    (_, r) => (x[r * cols] + x[r * cols + 3] > 1) !== (rng.next() < 0.2) ? 1 : 0,
  );
  const predict = compileTrees(model);
  const groups = [
    { feature: "a", columns: [0] },
    { feature: "unread", columns: [1] },
    { feature: "c+e", columns: [2, 4] },
    { feature: "d", columns: [3] },
    { feature: "unread2", columns: [4, 5] },
  ];
  const o = { x, rows, cols, labels, predict, groups, repeats: 3, seed: 5 };
  const rescorer = (m: Float32Array, n: number) => treeRescorer(model, m, n);
  for (const extra of [{}, { maxRows: 120 }]) {
    const expected = referenceImportance({ ...o, ...extra });
    assert.deepEqual(permutationImportance({ ...o, ...extra }), expected);
    assert.deepEqual(permutationImportance({ ...o, ...extra, rescorer }), expected);
    assert.ok(expected.features.some((f) => f.importance > 0));
  }
  // A rescorer that does not reproduce `predict` is not used: the report stays right.
  const wrong = (m: Float32Array, n: number) => ({ ...treeRescorer(model, m, n), used: [] });
  const off = (m: Float32Array, n: number) => {
    const r = treeRescorer(model, m, n);
    return {
      used: r.used,
      rescore: (w: Float32Array, c: readonly number[]) => r.rescore(w, c).map((v) => v / 2),
    };
  };
  assert.deepEqual(permutationImportance({ ...o, rescorer: off }), referenceImportance(o));
  assert.notDeepEqual(permutationImportance({ ...o, rescorer: wrong }), referenceImportance(o));
});
