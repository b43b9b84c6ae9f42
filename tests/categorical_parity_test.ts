/**
 * Native categorical columns end to end: transform encodes them as category
 * codes; a gbdt release keeps the codes (its trees look them up), an
 * extra_trees and an mlp release carry their one-hot columns (train
 * expands the matrix and rewrites the released preprocess.json). For each,
 * on test rows with a category never seen in training and missing values,
 * `deno task predict` (subprocess), `/v1/predict`, `/v1/predict/csv` and
 * the evaluate stage give the same probabilities (to 1e-6).
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { nullLogger } from "../lib/log.ts";
import { createRng } from "../lib/rng.ts";
import { parseYaml } from "../lib/yaml.ts";
import { MIXED_SCHEMA, schemaFrom } from "../lib/learn/_testing.ts";
import { readMatrix } from "../lib/learn/matrix.ts";
import { csvRows } from "../lib/scoring/_testing.ts";
import { createApp } from "../lib/serve/app.ts";
import { DEFAULT_LIMITS } from "../lib/serve/body.ts";
import { loadServedModel } from "../lib/serve/classes.ts";
import { createMetrics } from "../lib/serve/metrics.ts";
import { ModelHolder } from "../lib/serve/model_holder.ts";
import { runTransform } from "../stages/transform.ts";
import { readTrainParams, runTrain } from "../stages/train.ts";
import { readEvaluateParams, runEvaluate } from "../stages/evaluate.ts";
import { taskCommand, taskFlags } from "./_workspace.ts";

const HEADER = "id,bytes,proto,svc,tri,flag,label";

/**
 * Rows of the mixed schema whose label depends on the categories (svc ftp or
 * smtp, proto udp) and on bytes; `proto` and `bytes` sometimes missing.
 */
function flows(rows: number, o: { seed: number; firstId: number; test: boolean }): string[] {
  const rng = createRng(o.seed);
  // Training never sees proto icmp nor svc ssh: both are unseen categories in test.
  const protos = o.test ? ["tcp", "udp", "icmp", ""] : ["tcp", "udp", ""];
  const svcs = o.test ? ["http", "ftp", "smtp", "dns", "ssh"] : ["http", "ftp", "smtp", "dns"];
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const bytes = rng.next() < 0.1 ? "" : String(Math.round(rng.next() * 5000) / 10);
    const proto = protos[rng.int(protos.length)];
    const svc = svcs[rng.int(svcs.length)];
    const score = (svc === "ftp" || svc === "smtp" ? 2 : 0) + (proto === "udp" ? 1 : 0) +
      (Number(bytes || 0) > 300 ? 1 : 0) + (rng.next() < 0.1 ? 1 : 0);
    const tri = rng.int(3) - 1;
    const flag = rng.next() < 0.5 ? "true" : "false";
    out.push(
      [o.firstId + i, bytes, proto, svc, tri, flag, score >= 2 ? "neptune" : "normal"].join(","),
    );
  }
  return out;
}

const SEARCH: Record<string, string> = {
  gbdt: `    gbdt:
      learning_rate: [0.3]
      max_iter: [30]
      max_leaf_nodes: [8]
      min_samples_leaf: [5]
      n_iter_no_change: [5]`,
  extra_trees: `    extra_trees:
      n_estimators: [15]
      min_samples_leaf: [2]`,
  mlp: `    mlp:
      hidden: [[4]]
      learning_rate: [0.05]
      dropout: [0]`,
};

const params = (family: string) =>
  parseYaml(
    `transform:
  categorical: native
train:
  seed: 3
  validation_size: 0.25
  selection_metric: log_loss
  target_fpr: 0.05
  backend: cpu
  refit: true
  ensemble: 1
  epochs: 4
  patience: 2
  batch_size: 32
  search:
${SEARCH[family]}
evaluate:
  backend: cpu
  curve_points: 20
`,
    "params.yaml",
  );

/** `deno task predict` with the task's permissions, in `cwd`. */
async function predict(cwd: string, args: string[]) {
  const flags = await taskFlags("predict");
  const out = await taskCommand({ task: "predict", flags, args, cwd }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const dir = await Deno.makeTempDir({ prefix: "categorical_parity_" });
const schema = schemaFrom(MIXED_SCHEMA);
const train = [HEADER, ...flows(400, { seed: 1, firstId: 1, test: false })].join("\n") + "\n";
const testCsv = [HEADER, ...flows(80, { seed: 2, firstId: 1001, test: true })].join("\n") + "\n";
await Deno.mkdir(`${dir}/ingest`);
await Deno.writeTextFile(`${dir}/ingest/train.csv`, train);
await Deno.writeTextFile(`${dir}/ingest/test.csv`, testCsv);
await runTransform({ params: params("gbdt"), schema }, nullLogger, {
  train: `${dir}/ingest/train.csv`,
  test: `${dir}/ingest/test.csv`,
  outDir: `${dir}/transform`,
});
const [header, ...rows] = csvRows(testCsv);

Deno.test("transform: categorical columns as category codes in test.mat (unseen: K)", async () => {
  const m = await readMatrix(`${dir}/transform/test.mat`);
  deepStrictEqual(m.columns, ["bytes", "proto", "svc", "tri", "flag"]);
  deepStrictEqual(m.categorical, [0, 2, 4, 0, 0]);
  const codes = (f: number) => new Set(Array.from({ length: m.rows }, (_, r) => m.data[r * 5 + f]));
  ok(codes(1).has(2) && codes(2).has(4), "unseen proto and svc take code K");
});

for (const family of ["gbdt", "extra_trees", "mlp"]) {
  Deno.test(`${family} release: predict, /v1/predict, /v1/predict/csv and evaluate agree (1e-6)`, async () => {
    const y = params(family);
    const model = `${dir}/${family}/model`;
    await runTrain({
      params: readTrainParams(y),
      log: nullLogger,
      data: `${dir}/transform`,
      model,
      out: `${dir}/${family}/train`,
    });
    const card = JSON.parse(await Deno.readTextFile(`${model}/card.json`));
    const released = JSON.parse(await Deno.readTextFile(`${model}/preprocess.json`));
    strictEqual(card.family, family);
    deepStrictEqual(released.columns, card.features);
    if (family === "gbdt") {
      const trees = JSON.parse(await Deno.readTextFile(`${model}/trees.json`));
      const cats = trees.trees.flatMap((t: { cats?: number[][] }) => t.cats ?? []);
      ok(cats.some((c: number[]) => c.length > 0), "the trees split on category codes");
    }
    const kinds = released.features.map((f: { kind: string }) => f.kind);
    deepStrictEqual(
      kinds.slice(1, 3),
      family === "gbdt" ? ["code", "code"] : ["one_hot", "one_hot"],
    );

    await runEvaluate({
      params: readEvaluateParams(y),
      log: nullLogger,
      data: `${dir}/transform`,
      model,
      out: `${dir}/${family}/evaluate`,
      metrics: `${dir}/${family}/metrics.json`,
    });
    const evaluated = csvRows(await Deno.readTextFile(`${dir}/${family}/evaluate/predictions.csv`))
      .slice(1).map((r) => Number(r[2]));

    const r = await predict(dir, ["ingest/test.csv", "--model", model, "--out", `${family}.csv`]);
    strictEqual(r.code, 0, r.stderr);
    const [ph, ...pr] = csvRows(await Deno.readTextFile(`${dir}/${family}.csv`));
    const predicted = pr.map((row) => Number(row[ph.indexOf("probability")]));

    const models = new ModelHolder({ log: nullLogger });
    models.swap(await loadServedModel(model, { log: nullLogger }), { source: "mem" });
    const app = createApp({
      models,
      limits: DEFAULT_LIMITS,
      log: nullLogger,
      metrics: createMetrics(),
    });
    const records = rows.map((row) =>
      Object.fromEntries(header.map((h, i) => [h, row[i] === "" ? null : row[i]]))
    );
    const json = await (await app.request("/v1/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(records),
    })).json();
    const served = json.predictions.map((p: { probability: number }) => p.probability);
    const res = await app.request("/v1/predict/csv", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: testCsv,
    });
    strictEqual(res.status, 200);
    const [sh, ...sr] = csvRows(await res.text());
    const servedCsv = sr.map((row) => Number(row[sh.indexOf("probability")]));
    await models.close();

    strictEqual(evaluated.length, rows.length);
    for (
      const [name, got] of [["predict", predicted], ["/v1/predict", served], [
        "/v1/predict/csv",
        servedCsv,
      ]] as const
    ) {
      strictEqual(got.length, rows.length, name);
      got.forEach((p: number, i: number) =>
        ok(
          Math.abs(p - evaluated[i]) <= 1e-6 + 1e-12,
          `${name} row ${i + 1}: ${p} vs ${evaluated[i]}`,
        )
      );
    }
    ok(
      new Set(evaluated.map((p) => p.toFixed(3))).size > 2,
      "the model does not answer a constant",
    );
  });
}

Deno.test("categorical parity: cleanup", async () => {
  await Deno.remove(dir, { recursive: true });
});
