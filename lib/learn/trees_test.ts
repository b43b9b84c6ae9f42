import { deepStrictEqual, notDeepStrictEqual, ok, rejects, throws } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { binMatrix, fitBinEdges } from "./_bins.ts";
import type { Matrix } from "./matrix.ts";
import { loadReleasedModel, MODEL_FILES, type ModelCard, saveReleasedModel } from "./model_io.ts";
import { createRng } from "../rng.ts";
import {
  compileTrees,
  type ExtraTreesConfig,
  fitTreeCandidate,
  type GbdtConfig,
  parseTreeModel,
  refitTrees,
  type TreeModel,
} from "./trees.ts";

/** Uniform features in [-1, 1); the label is `rule(row)`. */
function data(
  rows: number,
  cols: number,
  seed: number,
  rule: (x: Float32Array) => boolean,
): Matrix {
  const rng = createRng(seed);
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = values.subarray(i * cols, (i + 1) * cols);
    for (let j = 0; j < cols; j++) row[j] = rng.next() * 2 - 1;
    labels[i] = rule(row) ? 1 : 0;
  }
  return {
    rows,
    cols,
    columns: Array.from({ length: cols }, (_, j) => `f${j}`),
    data: values,
    labels,
  };
}

const xor = (x: Float32Array) => (x[0] > 0) !== (x[1] > 0);
const step = (x: Float32Array) => x[2] > 0.3;

const GBDT: GbdtConfig = {
  family: "gbdt",
  learningRate: 0.3,
  maxIter: 60,
  maxLeafNodes: 8,
  maxDepth: 0,
  minSamplesLeaf: 1,
  l2: 0,
  maxBins: 64,
  nIterNoChange: 60,
};

const ET: ExtraTreesConfig = {
  family: "extra_trees",
  nEstimators: 25,
  maxFeatures: 0.7,
  minSamplesLeaf: 1,
  maxDepth: 0,
  maxBins: 255,
};

function accuracy(model: TreeModel, m: Matrix): number {
  const p = compileTrees(model)(m.data, m.rows);
  let right = 0;
  p.forEach((q, i) => (right += Number((q >= 0.5 ? 1 : 0) === m.labels[i])));
  return right / m.rows;
}

Deno.test("both families fit XOR-like and threshold data perfectly", () => {
  for (const rule of [xor, step]) {
    const train = data(400, 3, 1, rule);
    for (const config of [GBDT, ET]) {
      const model = refitTrees({ config, train, seed: 3, iterations: config === GBDT ? 60 : 0 });
      deepStrictEqual(accuracy(model, train), 1, `${config.family} on ${rule.name}`);
      ok(accuracy(model, data(400, 3, 2, rule)) > 0.9, `${config.family} generalizes ${rule.name}`);
    }
  }
});

Deno.test("fitTreeCandidate: early stopping keeps the best iteration; history per tree", () => {
  const train = data(300, 3, 1, xor), val = data(100, 3, 2, xor);
  const c = fitTreeCandidate({
    config: { ...GBDT, maxIter: 200, nIterNoChange: 5 },
    train,
    val,
    seed: 1,
    metric: "log_loss",
  });
  deepStrictEqual(c.model.trees.length, c.bestEpoch);
  ok(c.history.length < 200 && c.history.length - c.bestEpoch === 5);
  const bestLoss = Math.min(...c.history.map((r) => r.val_log_loss));
  deepStrictEqual(c.history[c.bestEpoch - 1].val_log_loss, bestLoss);
  // The compiled model scores validation exactly as training tracked it.
  deepStrictEqual(compileTrees(c.model)(val.data, val.rows), c.valScores);
  const et = fitTreeCandidate({ config: ET, train, val, seed: 1, metric: "roc_auc" });
  deepStrictEqual([et.bestEpoch, et.history.length], [25, 25]);
  deepStrictEqual(compileTrees(et.model)(val.data, val.rows), et.valScores);
});

Deno.test("extra_trees with nIterNoChange stops on validation log loss and keeps the best count", () => {
  const train = data(300, 3, 1, step), val = data(100, 3, 2, step);
  const config: ExtraTreesConfig = { ...ET, nEstimators: 400, nIterNoChange: 5 };
  const c = fitTreeCandidate({ config, train, val, seed: 1, metric: "roc_auc" });
  ok(c.history.length < 400, `stopped after ${c.history.length} trees`);
  deepStrictEqual(c.history.length - c.bestEpoch, 5);
  deepStrictEqual(c.model.trees.length, c.bestEpoch);
  const bestLoss = Math.min(...c.history.map((r) => r.val_log_loss));
  deepStrictEqual(c.history[c.bestEpoch - 1].val_log_loss, bestLoss);
  deepStrictEqual(compileTrees(c.model)(val.data, val.rows), c.valScores);
  // The refit grows exactly the kept count (without nIterNoChange: nEstimators).
  const refit = refitTrees({ config, train, seed: 1, iterations: c.bestEpoch });
  deepStrictEqual(refit.trees.length, c.bestEpoch);
  deepStrictEqual(refitTrees({ config: ET, train, seed: 1, iterations: 3 }).trees.length, 25);
});

Deno.test("deterministic given the seed; extra_trees depends on it", () => {
  const train = data(300, 4, 5, xor);
  for (const config of [GBDT, ET]) {
    const a = refitTrees({ config, train, seed: 9, iterations: 20 });
    deepStrictEqual(refitTrees({ config, train, seed: 9, iterations: 20 }), a);
    if (config === ET) {
      notDeepStrictEqual(refitTrees({ config, train, seed: 10, iterations: 20 }), a);
    }
  }
});

Deno.test("refitTrees with a target: stops where it is set; the first trees are a refit of that count", () => {
  const train = data(300, 4, 5, xor), config = { ...GBDT, maxIter: 50 };
  const target = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(target, 0, 7);
  const stopped = refitTrees({ config, train, seed: 9, iterations: 50, target });
  deepStrictEqual(stopped, refitTrees({ config, train, seed: 9, iterations: 7 }));
  Atomics.store(target, 0, 0); // not known: grows to `iterations`, the caller cuts
  const full = refitTrees({ config, train, seed: 9, iterations: 30, target });
  deepStrictEqual(full.trees.length, 30);
  full.trees.length = 12;
  deepStrictEqual(full, refitTrees({ config, train, seed: 9, iterations: 12 }));
  Atomics.store(target, 0, -1); // given up: one tree at most
  ok(refitTrees({ config, train, seed: 9, iterations: 30, target }).trees.length <= 1);
});

Deno.test("binning: exact bins for few values, quantiles otherwise, constant features", () => {
  const cols = 3, rows = 1000;
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    x[i * 3] = (i % 3) - 1; // ternary
    x[i * 3 + 1] = i / rows; // continuous
    x[i * 3 + 2] = 4; // constant
  }
  const edges = fitBinEdges({ data: x, rows, cols, maxBins: 16 });
  deepStrictEqual(edges[0], new Float64Array([-0.5, 0.5]));
  ok(edges[1].length === 15 && edges[1].every((e, k) => k === 0 || e > edges[1][k - 1]));
  deepStrictEqual(edges[2].length, 0);
  const binned = binMatrix(x, rows, edges);
  ok(binned.subarray(2 * rows).every((b) => b === 0));
  // Unseen values: below, above and between the training values.
  const probe = new Float32Array([-7, 99, 4, 7, -99, 4, 0.25, 0.5, 4]);
  deepStrictEqual(Array.from(binMatrix(probe, 3, edges)), [0, 2, 1, 15, 0, 8, 0, 0, 0]);
  throws(
    () =>
      fitBinEdges({
        data: new Float32Array([1, NaN]),
        rows: 2,
        cols: 1,
        maxBins: 8,
        columns: ["a"],
      }),
    (e: unknown) => e instanceof DataError && e.where.field === "a" && /row 2/.test(e.message),
  );
});

Deno.test("constant features are never split on; NaN and unseen values still score", () => {
  const train = data(300, 3, 1, step);
  for (let i = 0; i < train.rows; i++) train.data[i * 3] = 0.5; // constant
  for (const config of [GBDT, ET]) {
    const model = refitTrees({ config, train, seed: 2, iterations: 30 });
    ok(model.trees.every((t) => !t.feature.includes(0)), config.family);
    deepStrictEqual(model.bin_edges[0], []);
    const p = compileTrees(model)(
      new Float32Array([NaN, NaN, NaN, 1e30, -1e30, 1e30, 0, 0, -1e30]),
      3,
    );
    ok(p.every((q) => Number.isFinite(q) && q >= 0 && q <= 1), `${config.family}: ${p}`);
    ok(p[1] > 0.5 && p[2] < 0.5, "far outside the range: the outer bins");
  }
});

Deno.test("parseTreeModel rejects trees that could not be walked", () => {
  const ok1 = refitTrees({ config: GBDT, train: data(100, 3, 1, step), seed: 1, iterations: 2 });
  const copy = () => JSON.parse(JSON.stringify(ok1)) as TreeModel;
  deepStrictEqual(parseTreeModel(copy(), "t.json"), ok1);
  const bad = (edit: (m: TreeModel) => void, field: RegExp) => {
    const m = copy();
    edit(m);
    throws(
      () => parseTreeModel(m, "t.json"),
      (e: unknown) =>
        e instanceof DataError && field.test(e.where.field ?? "") && e.where.file === "t.json",
    );
  };
  bad((m) => (m.format = "x"), /format/);
  bad((m) => (m.trees[0].left[0] = 0), /trees\[0\]\.left\[0\]/); // a cycle
  bad((m) => (m.trees[0].bin[0] = 99), /trees\[0\]\.bin\[0\]/);
  bad((m) => (m.trees[0].feature[0] = 3), /trees\[0\]\.feature\[0\]/);
  bad((m) => m.trees[1].value.push(1), /trees\[1\]\.value/);
  bad((m) => (m.bin_edges[2] = [1, 0]), /bin_edges\[2\]/);
});

function card(
  model: TreeModel,
  features: string[],
): Omit<ModelCard, "format" | "version" | "family"> {
  return {
    created: "2026-01-01T00:00:00.000Z",
    config: GBDT,
    description: model.family,
    features,
    threshold: 0.4,
    threshold_choice: { target_fpr: 0.01, validation_fpr: 0, validation_tpr: 1 },
    validation: {},
    train_data: { file: "t.mat", sha256: "0", rows: 1, train_rows: 1, validation_rows: 0 },
    params: {},
    backend: { training: "cpu", tfjs: "4.22.0" },
    training: {},
  };
}

Deno.test("save then load a tree release: identical probabilities, family on the card", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const train = data(300, 3, 1, xor), test = data(200, 3, 2, xor);
    const model = refitTrees({ config: GBDT, train, seed: 1, iterations: 40 });
    await Deno.writeTextFile(`${dir}/${MODEL_FILES.model}`, "{}"); // a stale network release
    const preprocess = new TextEncoder().encode('{"format":"preprocess/1"}');
    const saved = await saveReleasedModel({
      dir,
      model,
      preprocess,
      card: card(model, train.columns),
    });
    deepStrictEqual(saved.family, "gbdt");
    await rejects(Deno.stat(`${dir}/${MODEL_FILES.model}`), Deno.errors.NotFound);
    const loaded = await loadReleasedModel(dir);
    deepStrictEqual([loaded.family, loaded.version, loaded.threshold], [
      "gbdt",
      saved.version,
      0.4,
    ]);
    deepStrictEqual(loaded.card, saved);
    deepStrictEqual(
      loaded.predictProba(test.data, test.rows),
      compileTrees(model)(test.data, test.rows),
    );
    loaded.dispose();
    const again = await saveReleasedModel({
      dir,
      model,
      preprocess,
      card: card(model, train.columns),
    });
    deepStrictEqual(again.version, saved.version);
    // The version covers trees.json.
    const edited = JSON.parse(await Deno.readTextFile(`${dir}/${MODEL_FILES.trees}`));
    edited.trees[0].value[0] += 1;
    await Deno.writeTextFile(`${dir}/${MODEL_FILES.trees}`, JSON.stringify(edited));
    await rejects(
      loadReleasedModel(dir),
      (e: unknown) => e instanceof DataError && e.where.field === "version",
    );
    await saveReleasedModel({ dir, model, preprocess, card: card(model, ["a", "b"]) });
    await rejects(
      loadReleasedModel(dir),
      (e: unknown) => e instanceof DataError && /3 features/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
