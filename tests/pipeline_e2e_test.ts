/**
 * The real pipeline.yaml and stages, end to end, on a network-flow dataset
 * (tests/fixtures/flows: NSL-KDD records with string categoricals, no
 * header, `?` for missing) by swapping schema.yaml, params.yaml and the data
 * source alone — and the freshness rules of the issue: a second repro does
 * nothing, a training param re-runs only the stages after it, and --force
 * reproduces the metrics.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { REPO, tempWorkspace } from "./_workspace.ts";

const FIXTURE = join(REPO, "tests", "fixtures", "flows");

// Small, fast search: every family once, few epochs.
const TRAIN_PARAMS = `
train:
  seed: 3
  validation_size: 0.25
  selection_metric: roc_auc
  target_fpr: 0.05
  backend: cpu
  refit: true
  ensemble: 1
  epochs: 8
  patience: 3
  batch_size: 32
  search:
    strategy: grid
    samples: 4
    logreg: { learning_rate: [0.05], l2: [0] }
    mlp: { hidden: [[8]], learning_rate: [0.01], l2: [0], dropout: [0] }
    gbdt:
      learning_rate: [0.2]
      max_iter: [30]
      max_leaf_nodes: [7]
      min_samples_leaf: [5]
      l2: [0]
      n_iter_no_change: [10]

evaluate:
  backend: cpu
  curve_points: 50

push:
  s3: { enabled: false }
  mlflow: { enabled: false }
`;

async function flowsWorkspace() {
  // The main model's stages only: the URL model's (after its marker comment) need data/urls.csv.
  const pipeline = (await Deno.readTextFile(join(REPO, "pipeline.yaml")))
    .split("\n  # --- the URL model")[0]
    .replace("data/phishing_websites.csv", "data/flows.csv");
  const params = (await Deno.readTextFile(join(FIXTURE, "params.yaml")))
    .replace("tests/fixtures/flows/flows.csv", "data/flows.csv") + TRAIN_PARAMS;
  const w = await tempWorkspace({
    "pipeline.yaml": pipeline,
    "params.yaml": params,
    "schema.yaml": await Deno.readTextFile(join(FIXTURE, "schema.yaml")),
    "data/flows.csv": await Deno.readTextFile(join(FIXTURE, "flows.csv")),
  });
  for (const dir of ["lib", "stages"]) {
    await cp(join(REPO, dir), join(w.root, dir), { recursive: true });
  }
  for (const file of ["deno.json", "deno.lock"]) await cp(join(REPO, file), join(w.root, file));
  return w;
}

function ranStages(stderr: string): string[] {
  return [...stderr.matchAll(/info +running stage=(\S+)/g)].map((m) => m[1]);
}

Deno.test({
  name: "the pipeline runs on categorical+numeric flow records; freshness and --force bars hold",
  async fn() {
    const w = await flowsWorkspace();
    try {
      const first = await w.task("repro");
      strictEqual(first.code, 0, first.stderr);
      deepStrictEqual(ranStages(first.stderr), [
        "ingest",
        "validate",
        "transform",
        "train",
        "evaluate",
        "push",
      ]);
      const metrics = JSON.parse(await w.read("artifacts/metrics.json"));
      for (
        const key of [
          "accuracy",
          "precision",
          "recall",
          "f1",
          "roc_auc",
          "accuracy_unseen",
          "roc_auc_unseen",
        ]
      ) {
        ok(typeof metrics[key] === "number", `metrics.json has ${key}`);
      }
      ok(metrics.roc_auc > 0.8, `a real model on flows: roc_auc ${metrics.roc_auc}`);
      const pre = JSON.parse(await w.read("artifacts/transform/preprocess.json"));
      const proto = pre.features.find((f: { column: string }) => f.column === "protocol_type");
      ok(proto.kind === "code" && proto.categories.includes("tcp"), "categoricals as codes");
      // gbdt keeps the codes; another family's release carries their one-hot columns.
      const released = JSON.parse(await w.read("artifacts/model/preprocess.json"));
      const card = JSON.parse(await w.read("artifacts/model/card.json"));
      deepStrictEqual(released.columns, card.features);

      const again = await w.task("repro");
      strictEqual(again.code, 0, again.stderr);
      deepStrictEqual(ranStages(again.stderr), [], "a second repro does nothing");
      strictEqual((await w.task("status")).code, 0);

      const params = await w.read("params.yaml");
      await w.write({ "params.yaml": params.replace("target_fpr: 0.05", "target_fpr: 0.1") });
      const changed = await w.task("repro");
      strictEqual(changed.code, 0, changed.stderr);
      deepStrictEqual(ranStages(changed.stderr), ["train", "evaluate", "push"]);

      const forced1 = await w.task("repro", ["--force"]);
      const m1 = JSON.parse(await w.read("artifacts/metrics.json"));
      const forced2 = await w.task("repro", ["--force"]);
      const m2 = JSON.parse(await w.read("artifacts/metrics.json"));
      strictEqual(forced1.code + forced2.code, 0);
      deepStrictEqual(ranStages(forced2.stderr).length, 6);
      for (const key of ["accuracy", "roc_auc", "f1", "accuracy_unseen"]) {
        strictEqual(m1[key].toFixed(3), m2[key].toFixed(3), `${key} equal to the third decimal`);
      }
    } finally {
      await w.cleanup();
    }
  },
});
