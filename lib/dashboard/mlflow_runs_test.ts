import assert from "node:assert/strict";
import { MlflowClient } from "../mlflow/client.ts";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { mlflowRunSource } from "./mlflow_runs.ts";
import { diffRuns, runsPage } from "./runs_data.ts";

const env = servicesFromEnv();
const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

Deno.test({
  name: `Runs page from MLflow: repro parent runs, sorted, diff of all params ${mlflow.label}`,
  ignore: mlflow.ignore,
  fn: async () => {
    mlflow.check();
    const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri!, timeoutMs: 10_000 });
    const name = `dashboard-test-${crypto.randomUUID().slice(0, 8)}`;
    const exp = await client.ensureExperiment(name);
    const ids: string[] = [];
    for (const [i, auc] of [0.9, 0.95].entries()) {
      const run = await client.createRun({
        experimentId: exp.experiment_id,
        runName: `repro ${i}`,
        startTime: Date.UTC(2026, 11, 1 + i),
        tags: [
          { key: "threatline.kind", value: "repro" },
          { key: "mlflow.source.git.commit", value: "abc123" },
          { key: "threatline.outcome.train", value: "ran" },
        ],
      });
      await client.logBatch(run.run_id, {
        params: [{ key: "train.epochs", value: String(60 + i) }, { key: "train.seed", value: "7" }],
        metrics: [{ key: "evaluate/roc_auc", value: auc, timestamp: Date.UTC(2026, 11, 1 + i) }],
      });
      await client.updateRun(run.run_id, {
        status: "FINISHED",
        endTime: Date.UTC(2026, 11, 1 + i) + 5000,
      });
      ids.push(run.run_id);
    }
    // a stage child run is not listed
    const child = await client.createRun({
      experimentId: exp.experiment_id,
      tags: [{ key: "threatline.kind", value: "stage" }],
    });
    await client.updateRun(child.run_id, { status: "FINISHED" });

    const source = mlflowRunSource(client, name);
    const page = await runsPage(source, { sort: "metric:mlflow:evaluate/roc_auc" });
    assert.equal(page.total, 2);
    assert.deepEqual(page.runs.map((r) => r.id), [ids[1], ids[0]]);
    assert.equal(page.runs[0].outcome, "ok");
    assert.equal(page.runs[0].seconds, 5);
    assert.equal(page.runs[0].git?.commit, "abc123");
    const diff = await diffRuns(source, ids[0], ids[1]);
    assert.deepEqual(diff.params, [{ file: "mlflow", key: "train.epochs", old: "60", new: "61" }]);
    assert.equal(diff.metrics[0].change, 0.05);
    assert.equal((await runsPage(mlflowRunSource(client, "no-such-experiment"))).total, 0);
  },
});
