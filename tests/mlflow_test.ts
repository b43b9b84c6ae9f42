/**
 * The MLflow integration end to end, against the real tracking server of
 * `deno task test` (sqlite registry, artifact proxy): `deno task repro` logs
 * a parent run with one child per stage (params, metrics, per-epoch steps,
 * tags, artifacts); the push stage registers each model behind the
 * promotion gate (alias mode and stage-transition mode); a server that is
 * down or silent gives a clear service error (exit 7), not a hang.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MlflowClient, type Run } from "../lib/mlflow/client.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { REPO, type TempWorkspace, tempWorkspace } from "./_workspace.ts";

const env = servicesFromEnv();
const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });
const id = crypto.randomUUID().slice(0, 8);
const DENO = Deno.execPath();
const PUSH_CMD =
  `${DENO} run --allow-read --allow-write --allow-net --allow-env --allow-sys=osRelease ` +
  `--config ${join(REPO, "deno.json")} ${join(REPO, "stages/push.ts")}`;

/** Run a repo script in `cwd` with exactly these MLflow variables; never hangs the suite. */
async function run(cwd: string, script: string, vars: Record<string, string>) {
  const out = await new Deno.Command(DENO, {
    args: ["run", "-A", "--config", join(REPO, "deno.json"), join(REPO, script)],
    cwd,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "", MLFLOW_EXPERIMENT_NAME: "", ...vars },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const tags = (r: Run) => Object.fromEntries((r.data.tags ?? []).map((t) => [t.key, t.value]));
const params = (r: Run) => Object.fromEntries((r.data.params ?? []).map((t) => [t.key, t.value]));
const metrics = (r: Run) => Object.fromEntries((r.data.metrics ?? []).map((m) => [m.key, m.value]));

function card(version: string) {
  return JSON.stringify({ format: "threat-model/1", version, description: `model ${version}` });
}

const HISTORY = JSON.stringify({
  selection_metric: "roc_auc",
  chosen: "c1",
  candidates: [{
    id: "c1",
    epochs: [{ epoch: 1, loss: 0.5, val_roc_auc: 0.9 }, { epoch: 2, loss: 0.4, val_roc_auc: 0.93 }],
  }],
});

/** A three-stage pipeline (train → evaluate → push) whose outputs the test controls. */
function pipelineFiles(modelName: string): Record<string, string> {
  const train = "mkdir -p artifacts/model artifacts/train && cp fixtures/model/* artifacts/model/" +
    " && cp fixtures/history.json artifacts/train/history.json" +
    " && cp fixtures/train_metrics.json artifacts/train/metrics.json";
  const evaluate =
    "mkdir -p artifacts/evaluate && cp fixtures/holdout.json artifacts/metrics.json" +
    " && echo '<svg/>' > artifacts/evaluate/curves.svg";
  return {
    "pipeline.yaml": `stages:
  train:
    cmd: ${JSON.stringify(train)}
    deps: [fixtures/model, fixtures/history.json, fixtures/train_metrics.json]
    params: [train.seed]
    outs: [artifacts/model, artifacts/train/history.json]
    metrics: [artifacts/train/metrics.json]
  evaluate:
    cmd: ${JSON.stringify(evaluate)}
    deps: [artifacts/model, fixtures/holdout.json]
    metrics: [artifacts/metrics.json]
    plots: [artifacts/evaluate/curves.svg]
  push:
    cmd: ${JSON.stringify(PUSH_CMD)}
    deps: [artifacts/model, artifacts/metrics.json]
    params: [push]
    outs: [artifacts/push/pushed.json]
`,
    "params.yaml": `train:
  seed: 7
push:
  mlflow: { enabled: true, model_name: ${modelName}, gate_metric: roc_auc, gate_direction: max }
`,
    "fixtures/model/card.json": card("model-a"),
    "fixtures/model/model.json": "{}",
    "fixtures/model/weights.bin": "weights-a",
    "fixtures/model/preprocess.json": "{}",
    "fixtures/history.json": HISTORY,
    "fixtures/train_metrics.json": '{"accuracy": 0.91, "roc_auc": 0.94}',
    "fixtures/holdout.json": '{"accuracy": 0.9, "roc_auc": 0.95, "note": "holdout"}',
  };
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null" })
    .output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name:
    `mlflow: repro logs runs; the push stage moves 'champion' only on improvement ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri!, timeoutMs: 10_000 });
    const experiment = `repro-test-${id}`;
    const modelName = `repro-test-model-${id}`;
    const w = await tempWorkspace(pipelineFiles(modelName));
    const vars = {
      MLFLOW_TRACKING_URI: env.mlflowTrackingUri!,
      MLFLOW_EXPERIMENT_NAME: experiment,
    };
    try {
      await git(w.root, "init", "-q");
      await git(w.root, "add", ".");
      await git(w.root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture");
      const commit = await git(w.root, "rev-parse", "HEAD");

      const first = await run(w.root, "tasks/repro.ts", vars);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /MLflow run logged url=http/);
      const exp = (await client.getExperimentByName(experiment))!;
      const repros = async () =>
        await client.searchRuns({
          experimentIds: [exp.experiment_id],
          filter: "tags.threatline.kind = 'repro'",
        });
      const [parent] = await repros();
      assert.equal(parent.info.status, "FINISHED");
      assert.deepEqual(params(parent), {
        "train.seed": "7",
        "push.mlflow.enabled": "true",
        "push.mlflow.model_name": modelName,
        "push.mlflow.gate_metric": "roc_auc",
        "push.mlflow.gate_direction": "max",
      });
      assert.deepEqual(metrics(parent), {
        "train/accuracy": 0.91,
        "train/roc_auc": 0.94,
        "evaluate/accuracy": 0.9,
        "evaluate/roc_auc": 0.95,
      });
      const t = tags(parent);
      assert.equal(t["mlflow.source.git.commit"], commit);
      assert.equal(t["threatline.stages"], "train,evaluate,push");
      for (const stage of ["train", "evaluate", "push"]) {
        assert.equal(t[`threatline.outcome.${stage}`], "ran");
        assert.match(t[`threatline.signature.${stage}`], /^[0-9a-f]{64}$/);
      }
      const parentFiles = (await client.listArtifacts(parent.info.run_id)).map((f) => f.path);
      assert.deepEqual(parentFiles.sort(), ["params.yaml", "pipeline.lock", "pipeline.yaml"]);

      const children = await client.searchRuns({
        experimentIds: [exp.experiment_id],
        filter: `tags.mlflow.parentRunId = '${parent.info.run_id}'`,
      });
      const child = new Map(children.map((r) => [tags(r)["threatline.stage"], r]));
      assert.deepEqual([...child.keys()].sort(), ["evaluate", "push", "train"]);
      const train = child.get("train")!;
      assert.deepEqual(params(train), { "train.seed": "7" });
      assert.equal(metrics(train).roc_auc, 0.94);
      const curve = await client.getMetricHistory(train.info.run_id, "chosen/val_roc_auc");
      assert.deepEqual(curve.map((m) => [m.step, m.value]), [[1, 0.9], [2, 0.93]]);
      const modelFiles = await client.listArtifacts(train.info.run_id, "artifacts/model");
      assert.deepEqual(modelFiles.map((f) => f.path).sort(), [
        "artifacts/model/card.json",
        "artifacts/model/model.json",
        "artifacts/model/preprocess.json",
        "artifacts/model/weights.bin",
      ]);
      const plot = await client.downloadArtifact(
        child.get("evaluate")!.info.artifact_uri,
        "artifacts/evaluate/curves.svg",
      );
      assert.equal(new TextDecoder().decode(plot), "<svg/>\n");
      assert.equal(metrics(child.get("evaluate")!).roc_auc, 0.95);

      // The push stage registered v1 as champion, from its own run's model/ artifacts.
      const champion = async () =>
        (await client.getRegisteredModel(modelName))!.aliases!.find((a) => a.alias === "champion")
          ?.version;
      const pushed = async () => JSON.parse(await w.read("artifacts/push/pushed.json")).mlflow;
      const p1 = await pushed();
      assert.deepEqual([p1.status, p1.version, p1.decision], ["registered", "1", "champion"]);
      assert.equal(await champion(), "1");
      const v1 = await client.getModelVersion(modelName, "1");
      const registeredCard = await client.downloadArtifact(
        v1.source!.replace(/\/model$/, ""),
        "model/card.json",
      );
      assert.equal(new TextDecoder().decode(registeredCard), card("model-a"));

      // Nothing changed: nothing ran, nothing is logged.
      assert.equal((await run(w.root, "tasks/repro.ts", vars)).code, 0);
      assert.equal((await repros()).length, 1);

      // A worse model: registered as v2 challenger; the alias stays on v1.
      await w.write({
        "fixtures/model/card.json": card("model-b"),
        "fixtures/holdout.json": '{"accuracy": 0.88, "roc_auc": 0.93}',
      });
      const second = await run(w.root, "tasks/repro.ts", vars);
      assert.equal(second.code, 0, second.stderr);
      const p2 = await pushed();
      assert.deepEqual([p2.version, p2.decision, p2.previous_champion], ["2", "challenger", {
        version: "1",
        value: 0.95,
      }]);
      assert.equal(await champion(), "1");
      assert.equal((await repros()).length, 2);

      // A better model: v3 takes the alias.
      await w.write({
        "fixtures/model/card.json": card("model-c"),
        "fixtures/holdout.json": '{"accuracy": 0.95, "roc_auc": 0.97}',
      });
      const third = await run(w.root, "tasks/repro.ts", vars);
      assert.equal(third.code, 0, third.stderr);
      assert.deepEqual([(await pushed()).version, (await pushed()).decision], ["3", "champion"]);
      assert.equal(await champion(), "3");
    } finally {
      await w.cleanup();
    }
  },
});

Deno.test({
  name: `mlflow: the push stage in stage-transition mode (Staging/Production) ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri!, timeoutMs: 10_000 });
    const modelName = `stages-test-model-${id}`;
    const files = pipelineFiles(modelName);
    const w = await tempWorkspace({
      "params.yaml": `push:\n  mlflow: { enabled: true, model_name: ${modelName}, mode: stages }\n`,
      "artifacts/model/card.json": card("m1"),
      "artifacts/model/weights.bin": "w",
      "artifacts/metrics.json": files["fixtures/holdout.json"],
    });
    const vars = {
      MLFLOW_TRACKING_URI: env.mlflowTrackingUri!,
      MLFLOW_EXPERIMENT_NAME: `stages-test-${id}`,
    };
    const push = async (roc: number) => {
      await w.write({ "artifacts/metrics.json": JSON.stringify({ roc_auc: roc }) });
      const r = await run(w.root, "stages/push.ts", vars);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(await w.read("artifacts/push/pushed.json")).mlflow;
    };
    const stage = async (v: string) => (await client.getModelVersion(modelName, v)).current_stage;
    try {
      assert.deepEqual([(await push(0.95)).stage, await stage("1")], ["Production", "Production"]);
      const worse = await push(0.94);
      assert.deepEqual([worse.decision, worse.stage], ["challenger", "Staging"]);
      assert.equal(await stage("1"), "Production");
      const better = await push(0.96);
      assert.deepEqual([better.version, better.decision, better.stage], [
        "3",
        "champion",
        "Production",
      ]);
      assert.deepEqual([await stage("1"), await stage("2")], ["Archived", "Staging"]);
    } finally {
      await w.cleanup();
    }
  },
});

/** A one-stage workspace for the failure cases. */
async function tinyWorkspace(): Promise<TempWorkspace> {
  return await tempWorkspace({
    "pipeline.yaml": `stages:\n  a:\n    cmd: ${
      JSON.stringify(`echo '{"x": 1}' > m.json`)
    }\n    metrics: [m.json]\n`,
  });
}

Deno.test("mlflow: a server that is down gives exit 7 naming it; the pipeline result stands", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const w = await tinyWorkspace();
  try {
    const r = await run(w.root, "tasks/repro.ts", {
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
    });
    assert.equal(r.code, 7, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error\\[SERVICE\\] MLflow at http://127\\.0\\.0\\.1:${port} `),
    );
    assert.match(r.stderr, /is unreachable \(GET \/api\/2\.0\/mlflow\/experiments\/get-by-name\)/);
    assert.match(r.stderr, /not logged; its outputs and pipeline\.lock stand/);
    assert.equal(await w.read("m.json"), '{"x": 1}\n');
    assert.ok((await w.lock()).stages.a, "the stage's result is in pipeline.lock");
    // The push stage fails the same way.
    await w.write({
      "params.yaml": "push:\n  mlflow: { enabled: true }\n",
      "artifacts/model/card.json": card("m"),
      "artifacts/metrics.json": '{"roc_auc": 0.9}',
    });
    const p = await run(w.root, "stages/push.ts", {
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
    });
    assert.equal(p.code, 7, p.stderr);
    assert.match(p.stderr, /error\[SERVICE\] MLflow at .* is unreachable/);
  } finally {
    await w.cleanup();
  }
});

Deno.test("mlflow: a server that accepts but never answers times out (exit 7)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const w = await tinyWorkspace();
  try {
    const r = await run(w.root, "tasks/repro.ts", {
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
      MLFLOW_HTTP_REQUEST_TIMEOUT: "1",
    });
    assert.equal(r.code, 7, r.stderr);
    assert.match(
      r.stderr,
      /did not answer GET \/api\/2\.0\/mlflow\/experiments\/get-by-name in 1 s/,
    );
  } finally {
    listener.close();
    for (const c of held) c.close();
    await accepting.catch(() => {});
    await w.cleanup();
  }
});
