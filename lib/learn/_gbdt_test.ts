import { deepStrictEqual, notDeepStrictEqual, ok } from "node:assert/strict";
import { baseScore, boost } from "./_gbdt.ts";
import { buildHistogram } from "./_tree_hist.ts";
import { bestCategoricalSplit, bestNumericSplit } from "./_tree_split.ts";
import type { Matrix } from "./matrix.ts";
import { createRng } from "../rng.ts";
import { compileTrees, fitTreeCandidate, type GbdtConfig, parseTreeModel } from "./trees.ts";

const rules = { minSamplesLeaf: 1, l2: 0 };

Deno.test("bestNumericSplit: the threshold that separates the gradients, with its gain", () => {
  // 3 bins: (G, H, n) = (-3, 3, 3), (-1, 1, 1), (4, 4, 4): best is bins <= 1 left.
  const hist = Float64Array.of(-3, 3, 3, -1, 1, 1, 4, 4, 4);
  const s = bestNumericSplit({
    hist,
    off: 0,
    nBins: 3,
    feature: 2,
    node: { g: 0, h: 8, count: 8 },
    rules,
  })!;
  deepStrictEqual([s.feature, s.bin, s.cats, s.gl, s.hl, s.cl], [2, 1, null, -4, 4, 4]);
  deepStrictEqual(s.gain, 16 / 4 + 16 / 4 - 0);
  // min_samples_leaf 5 leaves no valid threshold.
  deepStrictEqual(
    bestNumericSplit({
      hist,
      off: 0,
      nBins: 3,
      feature: 2,
      node: { g: 0, h: 8, count: 8 },
      rules: { minSamplesLeaf: 5, l2: 0 },
    }),
    null,
  );
  // L2 shrinks the gain: 2 * 16 / (4 + 4).
  const r = bestNumericSplit({
    hist,
    off: 0,
    nBins: 3,
    feature: 2,
    node: { g: 0, h: 8, count: 8 },
    rules: { minSamplesLeaf: 1, l2: 4 },
  })!;
  deepStrictEqual(r.gain, 16 / 8 + 16 / 8);
});

Deno.test("bestCategoricalSplit: categories sorted by G/(H+10), the best prefix, any code order", () => {
  // codes 0..4: 1 and 3 push the score down (threats), 0, 2 and 4 up; code 5 absent.
  const bins: [number, number, number][] = [[6, 3, 12], [-6, 3, 12], [6, 3, 12], [-6, 3, 12], [
    5,
    3,
    12,
  ], [0, 0, 0]];
  const hist = Float64Array.from(bins.flat());
  const node = { g: 5, h: 15, count: 60 };
  const s = bestCategoricalSplit({ hist, off: 0, nBins: 6, feature: 0, node, rules })!;
  deepStrictEqual(s.cats, [1, 3]);
  deepStrictEqual(s.bin, -1);
  deepStrictEqual([s.gl, s.hl, s.cl], [-12, 6, 24]);
  // Fewer than two categories present: nothing to split.
  const one = Float64Array.of(1, 1, 5, 0, 0, 0);
  deepStrictEqual(
    bestCategoricalSplit({
      hist: one,
      off: 0,
      nBins: 2,
      feature: 0,
      node: { g: 1, h: 1, count: 5 },
      rules,
    }),
    null,
  );
});

Deno.test("histogram subtraction: parent minus the smaller child is the larger child, exactly", () => {
  const rows = 500, cols = 3;
  const rng = createRng(3);
  const binned = Uint8Array.from({ length: rows * cols }, () => rng.int(7));
  const offsets = Int32Array.of(0, 7, 14, 21);
  const features = Int32Array.of(0, 1, 2);
  // Gradients on a 1/8 grid: every sum is exact, so the subtraction must be too.
  const g = Float64Array.from({ length: rows }, () => (rng.int(17) - 8) / 8);
  const h = Float64Array.from({ length: rows }, () => rng.int(8) / 8);
  const idx = Uint32Array.from({ length: rows }, (_, i) => i);
  const ordered = new Float64Array(2 * rows);
  const layout = { binned, rows, offsets, features };
  const parent = new Float64Array(63), left = new Float64Array(63), right = new Float64Array(63);
  buildHistogram(layout, { hist: parent, idx, start: 0, end: rows, g, h, ordered, all: true });
  // Partition on feature 1, bin <= 2.
  const l = [...idx].filter((i) => binned[rows + i] <= 2),
    r = [...idx].filter((i) => binned[rows + i] > 2);
  const part = Uint32Array.from([...l, ...r]);
  buildHistogram(layout, {
    hist: left,
    idx: part,
    start: 0,
    end: l.length,
    g,
    h,
    ordered,
    all: false,
  });
  buildHistogram(layout, {
    hist: right,
    idx: part,
    start: l.length,
    end: rows,
    g,
    h,
    ordered,
    all: false,
  });
  deepStrictEqual(parent.map((v, j) => v - left[j]), right);
  // Row counts add up per feature.
  let n = 0;
  for (let b = 0; b < 7; b++) n += parent[b * 3 + 2];
  deepStrictEqual(n, rows);
});

/** Rows with a numeric feature (noise) and a categorical one (codes 0..9); threats are codes 1, 4, 7. */
function catData(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * 2), labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const code = rng.int(10);
    data[2 * i] = rng.next();
    data[2 * i + 1] = code;
    labels[i] = code === 1 || code === 4 || code === 7 ? 1 : 0;
  }
  return { rows, cols: 2, columns: ["noise", "service"], data, labels, categorical: [0, 10] };
}

const GBDT: GbdtConfig = {
  family: "gbdt",
  learningRate: 0.5,
  maxIter: 1,
  maxLeafNodes: 2,
  maxDepth: 0,
  minSamplesLeaf: 1,
  l2: 0,
  maxBins: 255,
  nIterNoChange: 10,
};

Deno.test("native categorical split: one split sends the threat codes left; unseen codes go right", () => {
  const train = catData(600, 1), val = catData(200, 2);
  const { model } = fitTreeCandidate({ config: GBDT, train, val, seed: 1, metric: "roc_auc" });
  deepStrictEqual(model.categorical, [1]);
  deepStrictEqual(model.trees[0].feature, [1]);
  deepStrictEqual(model.trees[0].bin, [-1]);
  deepStrictEqual(model.trees[0].cats, [[1, 4, 7]]);
  // Through JSON and the validator, as a release is loaded.
  const loaded = parseTreeModel(JSON.parse(JSON.stringify(model)), "trees.json");
  const p = compileTrees(loaded)(Float32Array.of(0.5, 4, 0.5, 3, 0.5, 12, 0.5, NaN), 4);
  ok(p[0] > 0.5 && p[1] < 0.5, `${p}`);
  deepStrictEqual([p[2], p[3]], [p[1], p[1]]); // unseen code and NaN: right, like code 3
  // Without the categorical flag the same column needs several threshold splits.
  const numeric = { ...train, categorical: undefined };
  const m2 = fitTreeCandidate({
    config: GBDT,
    train: numeric,
    val: { ...val, categorical: undefined },
    seed: 1,
    metric: "roc_auc",
  }).model;
  deepStrictEqual(m2.trees[0].cats, undefined);
});

Deno.test("boost: a leaf's value is -lr * G / (H + l2); the base score is the log-odds", () => {
  const labels = Uint8Array.of(1, 1, 0, 0);
  const out = boost({
    binned: Uint8Array.of(0, 0, 1, 1),
    rows: 4,
    nBins: Int32Array.of(2),
    labels,
    params: { learningRate: 1, maxLeafNodes: 2, maxDepth: 0, minSamplesLeaf: 1, l2: 1 },
    iterations: 1,
  });
  deepStrictEqual(out.base, baseScore(labels));
  deepStrictEqual(out.base, 0);
  // p = 0.5: g = -0.5 (threats) / 0.5, h = 0.25; left G = -1, H = 0.5.
  deepStrictEqual(out.trees[0].bin, [0]);
  deepStrictEqual(out.trees[0].value, [1 / 1.5, -1 / 1.5]);
});

function noisy(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * 4), labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 4; j++) data[4 * i + j] = rng.next() * 2 - 1;
    labels[i] = rng.next() < 1 / (1 + Math.exp(-3 * data[4 * i])) ? 1 : 0;
  }
  return { rows, cols: 4, columns: ["a", "b", "c", "d"], data, labels };
}

Deno.test("early stopping: stops n_iter_no_change trees after the best and keeps the best", () => {
  const config = { ...GBDT, learningRate: 0.3, maxIter: 300, maxLeafNodes: 31, nIterNoChange: 5 };
  const c = fitTreeCandidate({
    config,
    train: noisy(400, 1),
    val: noisy(300, 2),
    seed: 1,
    metric: "log_loss",
  });
  ok(c.history.length < 300, `stopped after ${c.history.length}`);
  deepStrictEqual(c.history.length, c.bestEpoch + 5);
  deepStrictEqual(c.model.trees.length, c.bestEpoch);
  const best = Math.min(...c.history.map((h) => h.val_log_loss));
  deepStrictEqual(c.history[c.bestEpoch - 1].val_log_loss, best);
});

Deno.test("determinism: same seed, byte-identical model with row and feature sampling; another seed differs", () => {
  const config = { ...GBDT, maxIter: 20, maxLeafNodes: 8, subsample: 0.7, colsample: 0.5 };
  const fit = (seed: number) =>
    JSON.stringify(
      fitTreeCandidate({
        config,
        train: noisy(500, 1),
        val: noisy(200, 2),
        seed,
        metric: "roc_auc",
      }).model,
    );
  deepStrictEqual(fit(7), fit(7));
  notDeepStrictEqual(fit(7), fit(8));
});

Deno.test("determinism: byte-identical trees whatever the histogram thread count", () => {
  const m = noisy(3000, 4);
  // 11 features (threads take them four at a time: groups of 4, 4 and 3),
  // each a differently binned copy of one of the 4 columns.
  const rows = m.rows, cols = 11;
  const binned = new Uint8Array(new SharedArrayBuffer(rows * cols));
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < cols; f++) {
      binned[f * rows + i] = Math.floor((m.data[i * 4 + (f % 4)] + 1) * 40 + f * 7) % 80;
    }
  }
  const run = (threads: number, parallelMinNodeRows = 0) =>
    JSON.stringify(boost({
      binned,
      rows,
      nBins: new Int32Array(cols).fill(80),
      labels: m.labels,
      params: {
        learningRate: 0.2,
        maxLeafNodes: 15,
        maxDepth: 0,
        minSamplesLeaf: 5,
        l2: 1,
        subsample: 0.8,
      },
      seed: 3,
      iterations: 15,
      threads,
      parallelMinRows: 0,
      parallelMinNodeRows,
    }));
  const one = run(1);
  deepStrictEqual(run(2), one);
  deepStrictEqual(run(3), one);
  // Small nodes on the calling thread, large ones on the workers: still the same trees.
  deepStrictEqual(run(2, 400), one);
  deepStrictEqual(run(3, 1000), one);
});

Deno.test("determinism: without a row sample (root counts copied) the trees and training losses do not depend on the thread count", () => {
  const m = noisy(2500, 5);
  const rows = m.rows, cols = 6;
  const binned = new Uint8Array(new SharedArrayBuffer(rows * cols));
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < cols; f++) {
      binned[f * rows + i] = Math.floor((m.data[i * 4 + (f % 4)] + 1) * 30 + f * 5) % 60;
    }
  }
  const run = (threads: number) => {
    const losses: number[] = [];
    const { trees } = boost({
      binned,
      rows,
      nBins: new Int32Array(cols).fill(60),
      labels: m.labels,
      params: { learningRate: 0.3, maxLeafNodes: 12, maxDepth: 0, minSamplesLeaf: 5, l2: 0 },
      iterations: 8,
      threads,
      parallelMinRows: 0,
      parallelMinNodeRows: 0,
      trainLoss: true,
      onTree: (_it, _tree, _raw, loss) => losses.push(loss) > 0,
    });
    return JSON.stringify({ trees, losses });
  };
  const one = run(1);
  deepStrictEqual(
    JSON.parse(one).losses.length === 8 && JSON.parse(one).losses.every(isFinite),
    true,
  );
  deepStrictEqual(run(2), one);
  deepStrictEqual(run(3), one);
});

Deno.test("colsample: packed histograms (one thread) give the trees of the full layout (workers)", () => {
  const m = noisy(2000, 4);
  const rows = m.rows, cols = 9;
  const nBins = Int32Array.from({ length: cols }, (_, f) => 20 + 13 * f);
  const binned = new Uint8Array(new SharedArrayBuffer(rows * cols));
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < cols; f++) {
      binned[f * rows + i] = Math.floor((m.data[i * 4 + (f % 4)] + 1) * 0.5 * (nBins[f] - 1));
    }
  }
  const run = (threads: number) =>
    JSON.stringify(boost({
      binned,
      rows,
      nBins,
      labels: m.labels,
      params: {
        learningRate: 0.2,
        maxLeafNodes: 12,
        maxDepth: 0,
        minSamplesLeaf: 5,
        l2: 1,
        colsample: 0.4,
      },
      seed: 5,
      iterations: 12,
      threads,
      parallelMinRows: 0,
    }));
  deepStrictEqual(run(1), run(2));
});
