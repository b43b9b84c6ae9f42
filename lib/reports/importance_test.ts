import assert from "node:assert/strict";
import { calibrationBins, featureGroups, permutationImportance } from "./importance.ts";

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
