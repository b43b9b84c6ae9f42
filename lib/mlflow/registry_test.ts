import assert from "node:assert/strict";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { MlflowClient } from "./client.ts";
import {
  type Gate,
  gateDecision,
  metricTag,
  registerModel,
  type RegistryMode,
} from "./registry.ts";

const max: Gate = { metric: "roc_auc", direction: "max" };
const min: Gate = { metric: "log_loss", direction: "min" };

Deno.test("gateDecision: the first version is champion; then only a strict improvement wins", () => {
  assert.equal(gateDecision(max, 0.5, undefined).promote, true);
  assert.equal(gateDecision(max, 0.96, { version: "1", value: 0.95 }).promote, true);
  assert.equal(gateDecision(max, 0.95, { version: "1", value: 0.95 }).promote, false, "a tie");
  assert.equal(gateDecision(max, 0.94, { version: "1", value: 0.95 }).promote, false);
  assert.equal(gateDecision(min, 0.2, { version: "1", value: 0.3 }).promote, true);
  assert.equal(gateDecision(min, 0.4, { version: "1", value: 0.3 }).promote, false);
});

Deno.test("gateDecision: min_delta, and a champion with no recorded value is kept", () => {
  const strict = { ...max, minDelta: 0.01 };
  assert.equal(gateDecision(strict, 0.955, { version: "2", value: 0.95 }).promote, false);
  assert.equal(gateDecision(strict, 0.965, { version: "2", value: 0.95 }).promote, true);
  const unknown = gateDecision(max, 0.99, { version: "4", value: null });
  assert.equal(unknown.promote, false);
  assert.match(unknown.reason, /champion v4 has no recorded roc_auc/);
  assert.match(gateDecision(max, 0.9, { version: "1", value: 0.95 }).reason, /does not beat/);
});

const env = servicesFromEnv();
const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

/** A run whose `model/` artifacts are the version's source. */
async function source(client: MlflowClient, experimentId: string) {
  const run = await client.createRun({ experimentId, runName: "model" });
  await client.uploadArtifact(run.artifact_uri, "model/card.json", new TextEncoder().encode("{}"));
  return { runId: run.run_id, source: `${run.artifact_uri}/model` };
}

async function setup(mode: RegistryMode) {
  const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri!, timeoutMs: 10_000 });
  const id = crypto.randomUUID().slice(0, 8);
  const exp = await client.ensureExperiment(`registry-test-${id}`);
  const name = `registry-test-${mode}-${id}`;
  const register = async (value: number, gate: Gate = max) =>
    await registerModel({
      client,
      name,
      ...(await source(client, exp.experiment_id)),
      value,
      gate,
      mode,
      tags: { "threatline.model_version": `m${value}` },
    });
  return { client, name, register, experimentId: exp.experiment_id };
}

Deno.test({
  name: `registry: alias 'champion' moves only when the metric improves ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const { client, name, register } = await setup("alias");
    const champion = async () =>
      (await client.getRegisteredModel(name))!.aliases!.find((a) => a.alias === "champion")
        ?.version;
    const v1 = await register(0.95);
    assert.deepEqual([v1.version, v1.decision, v1.previousChampion], ["1", "champion", undefined]);
    assert.equal(await champion(), "1");

    const v2 = await register(0.93);
    assert.equal(v2.decision, "challenger");
    assert.deepEqual(v2.previousChampion, { version: "1", value: 0.95 });
    assert.equal(await champion(), "1", "a worse model does not move the alias");
    const mv2 = await client.getModelVersion(name, "2");
    assert.deepEqual(mv2.aliases, ["challenger"]);
    const tags = Object.fromEntries((mv2.tags ?? []).map((t) => [t.key, t.value]));
    assert.equal(tags[metricTag("roc_auc")], "0.93");
    assert.equal(tags["threatline.decision"], "challenger");
    assert.equal(tags["threatline.model_version"], "m0.93");

    assert.equal((await register(0.95)).decision, "challenger", "a tie is not an improvement");
    const v4 = await register(0.97);
    assert.deepEqual([v4.version, v4.decision], ["4", "champion"]);
    assert.equal(await champion(), "4");
  },
});

Deno.test({
  name: `registry: stages mode moves a better version to Production ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const { client, name, register } = await setup("stages");
    const stageOf = async (v: string) => (await client.getModelVersion(name, v)).current_stage;
    const gate: Gate = { metric: "log_loss", direction: "min" };
    assert.deepEqual(
      [(await register(0.3, gate)).decision, await stageOf("1")],
      ["champion", "Production"],
    );
    const v2 = await register(0.4, gate);
    assert.deepEqual([v2.decision, v2.stage], ["challenger", "Staging"]);
    assert.deepEqual([await stageOf("1"), await stageOf("2")], ["Production", "Staging"]);
    const v3 = await register(0.2, gate);
    assert.deepEqual([v3.decision, v3.stage], ["champion", "Production"]);
    assert.equal(await stageOf("1"), "Archived", "the old Production version is archived");
    assert.equal(await stageOf("2"), "Staging");
  },
});

Deno.test({
  name: `registry: a champion without the metric falls back to its run's metric ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const { client, name, experimentId, register } = await setup("alias");
    // A champion registered by someone else: no metric tag, but its run logged roc_auc.
    await client.ensureRegisteredModel(name);
    const src = await source(client, experimentId);
    await client.logBatch(src.runId, {
      metrics: [{ key: "roc_auc", value: 0.96, timestamp: Date.now() }],
    });
    const mv = await client.createModelVersion({ name, ...src });
    await client.setAlias(name, "champion", mv.version);
    const next = await register(0.95);
    assert.deepEqual(next.previousChampion, { version: "1", value: 0.96 });
    assert.equal(next.decision, "challenger");
  },
});
