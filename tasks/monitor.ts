/**
 * `deno task monitor [--params FILE] [--model DIR|s3://…|models:/name@alias]
 * [--retrain] [--break-lease] [--workers N] [--history FILE]`: one run of the
 * batch inference engine for periodic evaluation (lib/monitor/), configured
 * by params.yaml's `monitor` section. Suited to cron, a Kubernetes CronJob or
 * a scheduled workflow.
 *
 * - Scores the records that arrived since the watermark (MongoDB collection,
 *   S3 prefix or folder), writes the predictions with the model version,
 *   tests drift against the training profile, and computes live precision,
 *   recall, FPR and ROC-AUC over the window of records whose label arrived.
 * - Records the run in the prediction history (`--history`, default
 *   `.cache/history/predictions.jsonl`) and, when `MLFLOW_TRACKING_URI` is
 *   set, as an MLflow run tagged `threatline.kind=monitor`.
 * - Prints a summary line on stderr and the run's report (JSON) on stdout.
 * - Exit 0: all within thresholds; 8: a threshold crossed (the message says
 *   which), after `deno task repro` when `--retrain` is given (4 when that
 *   fails); 5: another run holds the lease; 2: bad params; 3: bad data;
 *   7: MongoDB/S3/MLflow unreachable.
 *
 * @module
 */
import { MongoClient } from "mongodb";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError, ServiceError, StageFailedError } from "../lib/errors.ts";
import { LocalHistory } from "../lib/history/mod.ts";
import { MLFLOW_ENV_VARS, mlflowConfigFromEnv } from "../lib/mlflow/config.ts";
import {
  type CasStore,
  fileStore,
  historyEntry,
  logMonitorRun,
  mongoStore,
  MonitorAlertError,
  type MonitorParams,
  readMonitorParams,
  runMonitor,
  s3Store,
} from "../lib/monitor/mod.ts";
import { parseS3Url, S3_ENV_VARS, s3ConnectionFromEnv } from "../lib/s3/settings.ts";
import { DEFAULT_MODEL_SOURCE, resolveModelSource } from "../lib/scoring/model_source.ts";
import { loadScorer } from "../lib/scoring/scorer.ts";
import { readYaml } from "../lib/yaml.ts";
import { join } from "node:path";

const USAGE = "deno task monitor [--params FILE] [--model DIR|s3://…|models:/name@alias] " +
  "[--retrain] [--break-lease] [--workers N] [--history FILE]";

/** The environment the monitor reads, once. */
function readEnv(): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of [...S3_ENV_VARS, ...MLFLOW_ENV_VARS, "MONGODB_URI", "HOME", "USERPROFILE"]) {
    try {
      out[name] = Deno.env.get(name);
    } catch {
      // Not allowed: whatever needs it says so.
    }
  }
  return out;
}

function needsMongo(p: MonitorParams): boolean {
  return p.source.kind === "mongodb" || p.state.kind === "mongodb";
}

async function openStore(
  p: MonitorParams,
  env: Record<string, string | undefined>,
  mongo?: MongoClient,
): Promise<CasStore> {
  if (p.state.kind === "mongodb" && p.source.kind === "mongodb") {
    return mongoStore(mongo!, p.source.database, p.state.collection, p.name);
  }
  if (p.state.kind === "s3") {
    const { bucket, prefix } = parseS3Url(p.state.url, "monitor.state.url");
    const key = `${prefix === "" ? "" : `${prefix}/`}${p.name}.json`;
    return await s3Store({ ...s3ConnectionFromEnv(env), bucket }, key);
  }
  return fileStore(join((p.state as { path: string }).path, p.name));
}

/** Run `deno task repro` in the current folder; its exit code. */
async function repro(): Promise<number> {
  // "deno" from PATH: the task's --allow-run=deno names it so.
  const child = new Deno.Command("deno", {
    args: ["task", "repro"],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: {
        params: { type: "string" },
        model: { type: "string" },
        retrain: { type: "boolean" },
        "break-lease": { type: "boolean" },
        workers: { type: "string" },
        history: { type: "string" },
      },
    });
    const str = (k: string) => values[k] as string | undefined;
    const params = readMonitorParams(await readYaml(str("params") ?? "params.yaml"));
    const env = readEnv();
    let mongo: MongoClient | undefined;
    if (needsMongo(params) || params.labels.collection) {
      const uri = env.MONGODB_URI;
      if (!uri) {
        throw new ConfigError("MONGODB_URI is not set (monitor.source.kind is mongodb)", {
          field: "MONGODB_URI",
        });
      }
      mongo = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
      try {
        await mongo.connect();
      } catch (err) {
        throw new ServiceError(`cannot reach MongoDB: ${(err as Error).message}`, { cause: err });
      }
    }
    const workerArg = str("workers");
    try {
      const model = await resolveModelSource(str("model") ?? DEFAULT_MODEL_SOURCE, { env, log });
      const scorer = await loadScorer(model.dir, { use: "batch", log });
      const store = await openStore(params, env, mongo);
      let report;
      try {
        report = await runMonitor({
          params,
          scorer,
          store,
          mongo,
          s3: params.source.kind === "s3" || params.output.kind === "s3"
            ? s3ConnectionFromEnv(env)
            : undefined,
          breakLease: values["break-lease"] === true,
          workers: workerArg === undefined
            ? undefined
            : workerArg === "0"
            ? 0
            : positiveInt(workerArg, "--workers"),
          log,
        });
      } finally {
        await store.close();
        scorer.dispose();
      }
      const input = params.source.kind === "mongodb"
        ? `${params.source.database}.${params.source.collection}`
        : params.source.kind === "s3"
        ? params.source.url
        : params.source.path;
      await new LocalHistory(str("history") ?? ".cache/history/predictions.jsonl").append(
        historyEntry(report, { input, time: new Date() }),
      );
      const mlflow = mlflowConfigFromEnv(env);
      if (mlflow) {
        const runId = await logMonitorRun(mlflow, report, params.name);
        log.info("monitor: logged to MLflow", { run_id: runId });
      }
      console.log(JSON.stringify(report));
      const live = report.live
        ? `live precision ${report.live.precision.toFixed(3)}, recall ${
          report.live.recall.toFixed(3)
        }, FPR ${report.live.fpr.toFixed(4)}, ROC-AUC ${
          report.live.roc_auc.toFixed(3)
        } over ${report.live.labeled} labelled`
        : "live metrics: not enough labels yet";
      console.error(
        `monitor: ${report.records} new records in ${report.units.length} unit(s): ` +
          `${report.scored} scored, ${report.rejected} rejected; ` +
          `${report.drifted.length} drifted column(s); ${live}; ` +
          `${report.seconds.toFixed(2)} s; model ${report.modelVersion}`,
      );
      if (report.alerts.length > 0) {
        if (values.retrain === true) {
          log.warn("monitor: thresholds crossed, retraining", { alerts: report.alerts });
          const code = await repro();
          if (code !== 0) {
            throw new StageFailedError("repro", { status: code, stderrTail: "" });
          }
          throw new MonitorAlertError(report.alerts, "retrained: deno task repro succeeded");
        }
        throw new MonitorAlertError(report.alerts, "deno task monitor --retrain runs repro");
      }
      return 0;
    } finally {
      await mongo?.close();
    }
  });
}
