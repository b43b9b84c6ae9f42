/**
 * Stage `push` (the model pusher): release the trained model folder
 * (`artifacts/model/`: model.json, weights.bin, preprocess.json, card.json)
 * to the targets enabled in params.yaml `push`, and write
 * `artifacts/push/pushed.json` saying exactly what went where.
 *
 * - `push.s3`: upload the folder to `s3://<bucket>/<prefix>/<card version>/`
 *   (lib/s3/model_upload.ts: files, then MANIFEST.json; pushing the same
 *   model again is a no-op). Credentials: the AWS variables; bucket:
 *   `push.s3.bucket`, else `THREATLINE_MODEL_BUCKET`.
 * - `push.mlflow`: upload the folder as the `model/` artifacts of a run
 *   `push <card version>` (tag `threatline.kind=push`) and register it as a
 *   new version of `model_name`, through the promotion gate on the holdout
 *   metric `gate_metric` of `artifacts/metrics.json` (lib/mlflow/registry.ts:
 *   alias `champion`/`challenger`, or Staging/Production in `mode: stages`).
 *
 * With both disabled (the default) nothing leaves the machine and no
 * environment variable is read; each target is then `{ "status": "disabled" }`.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-net --allow-env --allow-sys=osRelease stages/push.ts \
 *   [--params params.yaml] [--model artifacts/model] [--metrics artifacts/metrics.json] \
 *   [--out artifacts/push]
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError, DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { mlflowConfigFromEnv } from "../lib/mlflow/config.ts";
import {
  type Gate,
  registerModel,
  type Registration,
  type RegistryMode,
} from "../lib/mlflow/registry.ts";
import { toMetrics } from "../lib/mlflow/run_data.ts";
import { writeFileAtomic } from "../lib/atomic.ts";
import { flatten } from "../lib/reports/diff_table.ts";
import { openSection } from "../lib/section.ts";
import { readYaml, type YamlFile } from "../lib/yaml.ts";

/** The card format this stage reads (lib/learn/model_io.ts CARD_FORMAT; not imported: push would re-run on every model-code change). */
const CARD_FORMAT = "threat-model/1";

/** The validated `push` section. */
export interface PushParams {
  /** Upload to S3. */
  s3: { enabled: boolean; bucket: string; prefix: string };
  /** Register in MLflow. */
  mlflow: { enabled: boolean; modelName: string; gate: Gate; mode: RegistryMode };
}

/**
 * Read and validate params.yaml's `push` section (every key has a default;
 * unknown keys are errors).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readPushParams } from "./push.ts";
 * const p = readPushParams(parseYaml("push:\n  s3: { enabled: false }\n", "params.yaml"));
 * p.mlflow.gate; // { metric: "roc_auc", direction: "max", minDelta: 0 }
 * ```
 */
export function readPushParams(y: YamlFile): PushParams {
  const push = openSection(y, ["push"]);
  const s3 = push.optionalSection("s3");
  const ml = push.optionalSection("mlflow");
  const params: PushParams = {
    s3: {
      enabled: s3?.boolean("enabled", { default: false }) ?? false,
      bucket: s3?.string("bucket", { default: "" }) ?? "",
      prefix: (s3?.string("prefix", { default: "models" }) ?? "models").replace(/^\/+|\/+$/g, ""),
    },
    mlflow: {
      enabled: ml?.boolean("enabled", { default: false }) ?? false,
      modelName: ml?.string("model_name", { default: "threatline" }) ?? "threatline",
      gate: {
        metric: ml?.string("gate_metric", { default: "roc_auc" }) ?? "roc_auc",
        direction: ml?.string("gate_direction", { default: "max", oneOf: ["max", "min"] }) ??
          "max",
        minDelta: ml?.number("min_delta", { default: 0, min: 0 }) ?? 0,
      },
      mode: ml?.string("mode", { default: "alias", oneOf: ["alias", "stages"] }) ?? "alias",
    },
  };
  if (params.mlflow.enabled && !params.mlflow.modelName.trim()) {
    throw ml!.error("model_name", "'push.mlflow.model_name' must not be empty");
  }
  s3?.done();
  ml?.done();
  push.done();
  return params;
}

/** One file of the model folder. */
export interface ModelFile {
  /** Name inside the folder. */
  path: string;
  /** Bytes. */
  size: number;
  /** Hex SHA-256. */
  sha256: string;
}

/** What `pushed.json` holds. */
export interface Pushed {
  /** The released model. */
  model: { dir: string; version: string; description?: string; files: ModelFile[] };
  /** The S3 target. */
  s3:
    | { status: "disabled" }
    | { status: "pushed"; uri: string; files: { key: string; size: number; sha256: string }[] };
  /** The MLflow target. */
  mlflow:
    | { status: "disabled" }
    | {
      status: "registered";
      tracking_uri: string;
      experiment_id: string;
      run_id: string;
      source: string;
      gate: {
        metric: string;
        direction: Gate["direction"];
        min_delta: number;
        value: number;
        file: string;
      };
      model_name: string;
      version: string;
      mode: RegistryMode;
      decision: Registration["decision"];
      reason: string;
      previous_champion: Registration["previousChampion"] | null;
      stage?: string;
    };
}

/** Options of {@linkcode runPush}. */
export interface PushOptions {
  /** The `push` section. */
  params: PushParams;
  /** Environment record, read only for enabled targets. */
  env: () => Record<string, string | undefined>;
  /** Model folder (default `artifacts/model`). */
  model?: string;
  /** Holdout metrics (default `artifacts/metrics.json`). */
  metrics?: string;
  /** Output folder (default `artifacts/push`). */
  out?: string;
  /** Progress. */
  log: Logger;
  /** The fetch MLflow requests use (tests). */
  fetch?: typeof fetch;
}

/**
 * Push the model to the enabled targets and write `<out>/pushed.json`.
 *
 * @example
 * ```ts ignore
 * import { runPush } from "./push.ts";
 * const pushed = await runPush({ params, env: () => Deno.env.toObject(), log });
 * pushed.mlflow.status; // "disabled" | "registered"
 * ```
 */
export async function runPush(o: PushOptions): Promise<Pushed> {
  const dir = (o.model ?? "artifacts/model").replace(/\/+$/, "");
  const metricsFile = o.metrics ?? "artifacts/metrics.json";
  const card = await readCard(`${dir}/card.json`);
  const files = await modelFiles(dir);
  const env = o.params.s3.enabled || o.params.mlflow.enabled ? o.env() : {};
  const pushed: Pushed = {
    model: { dir, version: card.version, description: card.description, files },
    s3: { status: "disabled" },
    mlflow: { status: "disabled" },
  };
  if (o.params.s3.enabled) {
    // Loaded only when enabled: it brings the AWS SDK.
    const { s3SettingsFromEnv, uploadModelDir } = await import("../lib/s3/model_upload.ts");
    const s3 = s3SettingsFromEnv(env, { bucket: o.params.s3.bucket || undefined });
    if (!s3) {
      throw new ConfigError("push.s3.enabled is true but no bucket is configured", {
        field: "push.s3.bucket",
        hint: "set push.s3.bucket in params.yaml or THREATLINE_MODEL_BUCKET",
      });
    }
    const prefix = [o.params.s3.prefix, card.version].filter(Boolean).join("/");
    const up = await uploadModelDir({ s3, dir, prefix, log: o.log });
    pushed.s3 = { status: "pushed", uri: up.uri, files: up.files };
    o.log.info("push: model uploaded to S3", { uri: up.uri, files: up.files.length });
  }
  if (o.params.mlflow.enabled) {
    const s3Uri = pushed.s3.status === "pushed" ? pushed.s3.uri : undefined;
    pushed.mlflow = await pushToMlflow(o, { dir, card, files, metricsFile, env, s3Uri });
  }
  const out = (o.out ?? "artifacts/push").replace(/\/+$/, "");
  await Deno.mkdir(out, { recursive: true });
  await writeFileAtomic(`${out}/pushed.json`, JSON.stringify(pushed, null, 2) + "\n");
  o.log.info("push: done", {
    version: card.version,
    s3: pushed.s3.status,
    mlflow: pushed.mlflow.status === "registered"
      ? `v${pushed.mlflow.version} ${pushed.mlflow.decision}`
      : "disabled",
  });
  return pushed;
}

interface Card {
  version: string;
  description?: string;
  threshold?: number;
}

async function readCard(file: string): Promise<Card> {
  let card: Partial<Card> & { format?: unknown };
  try {
    card = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("model card not found", { file, hint: "run the train stage first" });
    }
    throw new DataError(`model card is not valid JSON: ${(err as Error).message}`, { file });
  }
  if (card?.format !== CARD_FORMAT || typeof card.version !== "string" || !card.version) {
    throw new DataError(`not a model card of format '${CARD_FORMAT}' with a version`, { file });
  }
  return card as Card;
}

async function modelFiles(dir: string): Promise<ModelFile[]> {
  const files: ModelFile[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || e.name.includes(".tmp-")) continue;
    const bytes = await Deno.readFile(`${dir}/${e.name}`);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    files.push({ path: e.name, size: bytes.length, sha256 });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function readHoldoutMetrics(file: string, gate: Gate): Promise<Record<string, unknown>> {
  let metrics: Record<string, unknown>;
  try {
    metrics = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    const what = err instanceof Deno.errors.NotFound ? "not found" : "not valid JSON";
    throw new DataError(`holdout metrics ${what}`, {
      file,
      hint: "push.mlflow's promotion gate reads the evaluate stage's metrics",
    });
  }
  const value = metrics?.[gate.metric];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new DataError(`gate metric '${gate.metric}' is missing or not a number`, {
      file,
      field: gate.metric,
      hint: "push.mlflow.gate_metric must name a numeric key of the holdout metrics",
    });
  }
  return metrics;
}

async function pushToMlflow(
  o: PushOptions,
  m: {
    dir: string;
    card: Card;
    files: ModelFile[];
    metricsFile: string;
    env: Record<string, string | undefined>;
    s3Uri?: string;
  },
): Promise<Pushed["mlflow"]> {
  const p = o.params.mlflow;
  const metrics = await readHoldoutMetrics(m.metricsFile, p.gate);
  const value = metrics[p.gate.metric] as number;
  const config = mlflowConfigFromEnv(m.env);
  if (!config) {
    throw new ConfigError("push.mlflow.enabled is true but MLFLOW_TRACKING_URI is not set", {
      field: "push.mlflow.enabled",
      hint: "export MLFLOW_TRACKING_URI=http://host:5000, or set push.mlflow.enabled: false",
    });
  }
  const client = MlflowClient.fromConfig(config, { log: o.log, fetch: o.fetch });
  const exp = await client.ensureExperiment(config.experimentName);
  const run = await client.createRun({
    experimentId: exp.experiment_id,
    runName: `push ${m.card.version}`,
    tags: [
      { key: "threatline.kind", value: "push" },
      { key: "threatline.model_version", value: m.card.version },
      { key: "mlflow.source.name", value: "stages/push.ts" },
    ],
  });
  try {
    for (const f of m.files) {
      const bytes = await Deno.readFile(`${m.dir}/${f.path}`);
      await client.uploadArtifact(run.artifact_uri, `model/${f.path}`, bytes);
    }
    await client.logBatch(run.run_id, {
      params: [
        { key: "model_version", value: m.card.version },
        { key: "model_name", value: p.modelName },
        { key: "gate", value: `${p.gate.direction} ${p.gate.metric}` },
      ],
      metrics: toMetrics(flatten(metrics), { timestamp: Date.now() }),
    });
    const source = `${run.artifact_uri}/model`;
    const reg = await registerModel({
      client,
      name: p.modelName,
      source,
      runId: run.run_id,
      value,
      gate: p.gate,
      mode: p.mode,
      description: m.card.description,
      tags: {
        "threatline.model_version": m.card.version,
        ...(m.s3Uri ? { "threatline.s3_uri": m.s3Uri } : {}),
      },
      log: o.log,
    });
    await client.updateRun(run.run_id, { status: "FINISHED" });
    return {
      status: "registered",
      tracking_uri: client.trackingUri,
      experiment_id: exp.experiment_id,
      run_id: run.run_id,
      source,
      gate: {
        metric: p.gate.metric,
        direction: p.gate.direction,
        min_delta: p.gate.minDelta ?? 0,
        value,
        file: m.metricsFile,
      },
      model_name: reg.name,
      version: reg.version,
      mode: reg.mode,
      decision: reg.decision,
      reason: reg.reason,
      previous_champion: reg.previousChampion ?? null,
      ...(reg.stage ? { stage: reg.stage } : {}),
    };
  } catch (err) {
    await client.updateRun(run.run_id, { status: "FAILED" }).catch(() => {});
    throw err;
  }
}

const USAGE =
  "deno run --allow-read --allow-write --allow-net --allow-env --allow-sys=osRelease stages/push.ts " +
  "[--params params.yaml] [--model artifacts/model] [--metrics artifacts/metrics.json] " +
  "[--out artifacts/push]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: {
        params: { type: "string" },
        model: { type: "string" },
        metrics: { type: "string" },
        out: { type: "string" },
      },
      maxPositionals: 0,
    });
    const y = await readYaml((values.params as string | undefined) ?? "params.yaml");
    await runPush({
      params: readPushParams(y),
      env: () => Deno.env.toObject(),
      model: values.model as string | undefined,
      metrics: values.metrics as string | undefined,
      out: values.out as string | undefined,
      log,
    });
  });
}
