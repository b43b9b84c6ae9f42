import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { addTreeOutputs, fastScoreReport, trainLogLoss } from "./_fast_report.ts";
import { boost } from "./_gbdt.ts";
import { addLeaf, emptyTree, leafOfBinned, ROOT } from "./_tree_nodes.ts";
import { scoreReport } from "../reports/metrics.ts";
import { createRng } from "../rng.ts";

Deno.test("fastScoreReport equals scoreReport bit for bit, ties and one-class sets included", () => {
  const rng = createRng(5);
  for (const [n, share, grid] of [[1000, 0.3, 20], [333, 0.5, 1000], [50, 0, 5], [40, 1, 5]]) {
    const labels = Uint8Array.from({ length: n }, () => (rng.next() < share ? 1 : 0));
    // Scores on a coarse grid: many ties across classes.
    const scores = Float32Array.from(
      labels,
      (l) => Math.round((rng.next() * 0.7 + l * 0.3) * grid) / grid,
    );
    deepStrictEqual(fastScoreReport(labels, scores), scoreReport(labels, scores));
  }
  throws(() => fastScoreReport(Uint8Array.of(1, 0), Float32Array.of(0.1, NaN)), /NaN/);
  throws(
    () => fastScoreReport(Uint8Array.of(1), Float32Array.of(0.1, 0.2)),
    /1 labels but 2 scores/,
  );
});

Deno.test("addTreeOutputs adds the leaf leafOfBinned finds, numeric and categorical splits", () => {
  const rng = createRng(9);
  const rows = 3000, nBins = Int32Array.of(40, 12, 3, 200);
  const binned = new Uint8Array(rows * nBins.length);
  for (let f = 0; f < nBins.length; f++) {
    for (let i = 0; i < rows; i++) binned[f * rows + i] = rng.int(nBins[f]);
  }
  const labels = Uint8Array.from({ length: rows }, (_, i) => {
    const cat = binned[rows + i];
    return (cat % 3 === 1 ? 0.8 : 0.2) + binned[i] / 100 > rng.next() ? 1 : 0;
  });
  const params = { learningRate: 0.3, maxLeafNodes: 15, maxDepth: 0, minSamplesLeaf: 5, l2: 0 };
  const { trees } = boost({
    binned,
    rows,
    nBins,
    categorical: Uint8Array.of(0, 1, 0, 0),
    labels,
    params,
    iterations: 8,
    threads: 1,
  });
  ok(trees.some((t) => t.cats?.some((c) => c.length > 0)));
  trees.push(emptyTree());
  addLeaf(trees.at(-1)!, ROOT, 0.25);
  const fast = new Float64Array(rows).fill(0.5), slow = new Float64Array(rows).fill(0.5);
  for (const tree of trees) {
    addTreeOutputs({ tree, binned, rows, sums: fast });
    for (let i = 0; i < rows; i++) slow[i] += tree.value[leafOfBinned(tree, binned, rows, i)];
  }
  deepStrictEqual(fast, slow);
});

Deno.test("boost's trainLoss is trainLogLoss of its raw scores, bit for bit; NaN unless asked", () => {
  const rng = createRng(4);
  const rows = 2000, nBins = Int32Array.of(30, 8);
  const binned = Uint8Array.from({ length: rows * 2 }, (_, k) => rng.int(k < rows ? 30 : 8));
  const labels = Uint8Array.from({ length: rows }, (_, i) => (binned[i] / 40 > rng.next() ? 1 : 0));
  const params = {
    learningRate: 0.5,
    maxLeafNodes: 7,
    maxDepth: 0,
    minSamplesLeaf: 3,
    l2: 0,
    subsample: 0.7,
  };
  for (const trainLoss of [true, false]) {
    let seen = 0;
    boost({
      binned,
      rows,
      nBins,
      labels,
      params,
      iterations: 6,
      threads: 1,
      trainLoss,
      onTree: (_it, _tree, raw, loss) => {
        seen++;
        deepStrictEqual(loss, trainLoss ? trainLogLoss(labels, raw, true) : NaN);
        return true;
      },
    });
    deepStrictEqual(seen, 6);
  }
});
