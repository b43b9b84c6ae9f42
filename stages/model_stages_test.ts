import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { ConfigError, DataError } from "../lib/errors.ts";
import { memoryLogger } from "../lib/log.ts";
import { type Matrix, writeMatrix } from "../lib/learn/matrix.ts";
import { loadReleasedModel, MODEL_FILES } from "../lib/learn/model_io.ts";
import { createRng } from "../lib/rng.ts";
import { parseYaml } from "../lib/yaml.ts";
import { readEvaluateParams, runEvaluate, unseenRows } from "./evaluate.ts";
import { readTrainParams, runTrain } from "./train.ts";

const PARAMS = `train:
  seed: 3
  validation_size: 0.25
  selection_metric: log_loss
  target_fpr: 0.05
  backend: cpu
  refit: true
  ensemble: 2
  epochs: 4
  patience: 2
  batch_size: 32
  search:
    strategy: grid
    logreg:
      learning_rate: [0.1]
    mlp:
      hidden: [[6]]
      learning_rate: [0.05]
      dropout: [0.1]
evaluate:
  backend: cpu
  curve_points: 20
`;

/** Ternary features like the phishing data, with duplicated rows; threat when f0 > f1. */
function toy(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * 3);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 3; j++) data[i * 3 + j] = rng.int(3) - 1;
    labels[i] =
      data[i * 3] > data[i * 3 + 1] || (data[i * 3] === data[i * 3 + 1] && data[i * 3 + 2] > 0)
        ? 1
        : 0;
  }
  return { rows, cols: 3, columns: ["f0", "f1", "f2"], data, labels };
}

Deno.test("readTrainParams validates with locations", () => {
  const p = readTrainParams(parseYaml(PARAMS, "params.yaml"));
  deepStrictEqual([p.seed, p.selectionMetric, p.backend, p.epochs], [3, "log_loss", "cpu", 4]);
  const bad = PARAMS.replace("selection_metric: log_loss", "selection_metric: auc");
  try {
    readTrainParams(parseYaml(bad, "params.yaml"));
    ok(false, "should throw");
  } catch (e) {
    ok(e instanceof ConfigError);
    deepStrictEqual([e.where.line, e.where.field], [4, "train.selection_metric"]);
  }
  deepStrictEqual(readEvaluateParams(parseYaml("{}", "p.yaml")), {
    backend: "auto",
    curvePoints: 200,
  });
});

Deno.test("unseenRows flags test rows whose vector is not in train", () => {
  const m = (values: number[]) => ({
    rows: values.length / 2,
    cols: 2,
    columns: ["a", "b"],
    data: new Float32Array(values),
    labels: new Uint8Array(values.length / 2),
  });
  deepStrictEqual(unseenRows(m([1, 0, 0, 1]), m([0, 1, 1, 1, 1, 0])), new Uint8Array([0, 1, 0]));
});

Deno.test("train then evaluate on tiny data: artifacts, determinism, test never read by train", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/transform`;
    await Deno.mkdir(data);
    await writeMatrix(`${data}/train.mat`, toy(300, 1));
    await Deno.writeTextFile(`${data}/preprocess.json`, '{"format":"preprocess/1"}');
    const y = parseYaml(PARAMS, "params.yaml");
    const log = memoryLogger();
    const paths = (run: string) => ({
      data,
      model: `${dir}/${run}/model`,
      out: `${dir}/${run}/train`,
    });
    // No test.mat exists yet: train must not need it.
    const card = await runTrain({
      params: readTrainParams(y),
      log,
      raw: { seed: 3 },
      ...paths("a"),
    });
    const again = await runTrain({
      params: readTrainParams(y),
      log: memoryLogger(),
      ...paths("b"),
    });
    deepStrictEqual(again.version, card.version);
    deepStrictEqual(
      await Deno.readTextFile(`${dir}/b/train/metrics.json`),
      await Deno.readTextFile(`${dir}/a/train/metrics.json`),
    );
    ok(
      log.records.some((r) => r.msg === "epoch" && r.fields.epoch === 1),
      "per-epoch progress is logged",
    );
    const metrics = JSON.parse(await Deno.readTextFile(`${dir}/a/train/metrics.json`));
    ok(metrics.accuracy > 0.8, `validation accuracy ${metrics.accuracy}`);
    ok(metrics.fpr_at_threshold <= 0.05);
    const history = JSON.parse(await Deno.readTextFile(`${dir}/a/train/history.json`));
    deepStrictEqual(history.candidates.length, 2);
    deepStrictEqual(card.features, ["f0", "f1", "f2"]);
    deepStrictEqual(card.train_data.rows, 300);
    deepStrictEqual(card.params, { seed: 3 });

    await rejects(
      runEvaluate({
        params: readEvaluateParams(y),
        log,
        data,
        model: `${dir}/a/model`,
        out: `${dir}/eval`,
      }),
      (e: unknown) => e instanceof DataError && /test.mat/.test(e.where.file ?? ""),
    );
    await writeMatrix(`${data}/test.mat`, toy(120, 2));
    const m = await runEvaluate({
      params: readEvaluateParams(y),
      log,
      data,
      model: `${dir}/a/model`,
      out: `${dir}/eval`,
      metrics: `${dir}/metrics.json`,
    });
    for (
      const k of ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "fpr_at_threshold"]
    ) {
      ok(typeof m[k] === "number", k);
    }
    deepStrictEqual(m.n_test, 120);
    // 27 possible vectors, 300 train rows: every test vector was seen in train.
    deepStrictEqual(m.n_unseen, 0);
    deepStrictEqual(m.accuracy_unseen, null);
    deepStrictEqual(JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`)), m);
    const csv = (await Deno.readTextFile(`${dir}/eval/predictions.csv`)).trim().split("\n");
    deepStrictEqual(csv.length, 121);
    deepStrictEqual(csv[0], "row,label,probability,unseen");
    const roc = JSON.parse(await Deno.readTextFile(`${dir}/eval/roc.json`));
    ok(roc.points.length <= 20 && roc.points.length >= 2);
    ok((await Deno.readTextFile(`${dir}/eval/curves.svg`)).startsWith("<svg"));
    const loaded = await loadReleasedModel(`${dir}/a/model`, { backend: "cpu" });
    loaded.dispose();
    deepStrictEqual(loaded.version, card.version);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const TREE_PARAMS = `train:
  seed: 3
  validation_size: 0.25
  selection_metric: log_loss
  target_fpr: 0.05
  backend: cpu
  refit: true
  ensemble: 3
  search:
    gbdt:
      learning_rate: [0.3]
      max_iter: [40]
      max_leaf_nodes: [8]
      min_samples_leaf: [5, 20]
      n_iter_no_change: [5]
    extra_trees:
      n_estimators: [20]
      min_samples_leaf: [2]
evaluate:
  curve_points: 20
`;

Deno.test("a tree release: chosen on validation, refit, saved as trees.json, evaluated, deterministic", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/transform`;
    await Deno.mkdir(data);
    await writeMatrix(`${data}/train.mat`, toy(300, 1));
    await writeMatrix(`${data}/test.mat`, toy(120, 2));
    await Deno.writeTextFile(`${data}/preprocess.json`, '{"format":"preprocess/1"}');
    const y = parseYaml(TREE_PARAMS, "params.yaml");
    const run = (name: string) =>
      runTrain({
        params: readTrainParams(y),
        log: memoryLogger(),
        data,
        model: `${dir}/${name}/model`,
        out: `${dir}/${name}/train`,
        runRecordDir: `${dir}/${name}/record`,
      });
    const card = await run("a");
    deepStrictEqual((await run("b")).version, card.version);
    for (const file of ["metrics.json", "history.json"]) {
      deepStrictEqual(
        await Deno.readTextFile(`${dir}/b/train/${file}`),
        await Deno.readTextFile(`${dir}/a/train/${file}`),
      );
    }
    // Times go to the run record, never into the outs.
    const timings = JSON.parse(await Deno.readTextFile(`${dir}/a/record/train_timings.json`));
    deepStrictEqual(timings.candidates.map((t: { id: string }) => t.id), ["c1", "c2", "c3"]);
    ok(!(await Deno.readTextFile(`${dir}/a/train/history.json`)).includes("seconds"));
    const history = JSON.parse(await Deno.readTextFile(`${dir}/a/train/history.json`));
    deepStrictEqual(history.candidates.length, 3);
    const best = history.candidates.reduce((a: { validation: { log_loss: number } }, c: typeof a) =>
      c.validation.log_loss < a.validation.log_loss ? c : a
    );
    deepStrictEqual(history.chosen, best.id);
    ok(card.family === "gbdt" || card.family === "extra_trees");
    deepStrictEqual(card.family, card.config.family);
    deepStrictEqual(card.training.ensemble, 1); // the seed ensemble is for networks
    deepStrictEqual(card.training.fit_rows, 300);
    await Deno.stat(`${dir}/a/model/${MODEL_FILES.trees}`);
    await rejects(Deno.stat(`${dir}/a/model/${MODEL_FILES.model}`), Deno.errors.NotFound);
    const loaded = await loadReleasedModel(`${dir}/a/model`);
    deepStrictEqual([loaded.family, loaded.version], [card.family, card.version]);
    const m = await runEvaluate({
      params: readEvaluateParams(y),
      log: memoryLogger(),
      data,
      model: `${dir}/a/model`,
      out: `${dir}/eval`,
      metrics: `${dir}/metrics.json`,
    });
    ok((m.accuracy as number) > 0.9, `test accuracy ${m.accuracy}`);
    deepStrictEqual(m.n_test, 120);
    const csv = (await Deno.readTextFile(`${dir}/eval/predictions.csv`)).trim().split("\n");
    const test = toy(120, 2);
    const p = loaded.predictProba(test.data, test.rows);
    deepStrictEqual(csv[1], `0,${test.labels[0]},${p[0].toFixed(6)},0`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
