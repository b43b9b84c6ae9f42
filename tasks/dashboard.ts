/**
 * `deno task dashboard [--port N] [--host H] [--model SRC] [--url-model DIR] …`: the
 * dashboard at `/` (Pipeline, Runs, Model, Data, Score, Train, History) and
 * the scoring API of `deno task serve` under `/v1` in one process, bound
 * to 127.0.0.1:8088 by default. Flags and the API key
 * (`THREATLINE_API_KEY`) follow serve's rules; the prediction history goes
 * to MongoDB's `predictions` collection when `MONGODB_URI` is set, else to
 * `<cache>/history/predictions.jsonl`. `--url-model DIR` is the URL model
 * of the Score page's URL box (`POST /v1/check-url`), as in serve: default
 * `artifacts/url/model` when it exists, else the box answers 503.
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import {
  createDashboardApp,
  loadAssets,
  mlflowRunSource,
  parseDashboardConfig,
  Trainer,
} from "../lib/dashboard/mod.ts";
import { apiEntry, openHistory, recordScored } from "../lib/history/mod.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { MLFLOW_ENV_VARS, mlflowConfigFromEnv } from "../lib/mlflow/config.ts";
import { S3_ENV_VARS } from "../lib/s3/settings.ts";
import { API_KEY_ENV, createApp, createMetrics, ModelHolder } from "../lib/serve/mod.ts";
import { loadServedUrlModel, urlModelLoader, UrlModelSlot } from "../lib/serve/url_model.ts";
import { configFromEnv, grantedEnv } from "./_workspace.ts";
import { modelLoader, serveUntilSignal } from "./_serving.ts";

const SOURCE_ENV_VARS = [...S3_ENV_VARS, ...MLFLOW_ENV_VARS, "HOME", "USERPROFILE"];
/** Variables handed to the repro child the Train page starts. */
const CHILD_ENV_VARS = [
  "PATH",
  "HOME",
  "THREATLINE_CACHE_DIR",
  "THREATLINE_REMOTE_URL",
  "MONGODB_URI",
  ...S3_ENV_VARS,
  ...MLFLOW_ENV_VARS,
];

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const env = grantedEnv([API_KEY_ENV, "MONGODB_URI", ...SOURCE_ENV_VARS, ...CHILD_ENV_VARS]);
    const config = parseDashboardConfig(args, env);
    const loader = modelLoader({ model: config.model, env, log });
    const models = new ModelHolder({ log });
    try {
      models.swap(await loader.load(), { source: loader.source });
    } catch (err) {
      // The dashboard still shows the pipeline (and can train the first model).
      log.warn("no model loaded: scoring answers 503 until one is released", {
        model: config.model,
        error: (err as Error).message,
      });
    }
    const urlModel = new UrlModelSlot(
      await loadServedUrlModel({ dir: config.urlModel, required: config.urlModelRequired, log }),
      log,
    );
    const metrics = createMetrics();
    let draining = false;
    const ws = configFromEnv(log);
    const history = await openHistory({
      cacheDir: `${ws.root}/${ws.cacheDir ?? ".cache"}`,
      mongodbUri: env.MONGODB_URI,
    });
    const api = createApp({
      onScored: (e) => void recordScored(history, apiEntry(e), log),
      models,
      apiKey: config.apiKey,
      limits: config.limits,
      log,
      metrics,
      draining: () => draining,
      urlModel: () => urlModel.current,
    });
    const childEnv: Record<string, string> = {};
    for (const k of CHILD_ENV_VARS) if (env[k] !== undefined) childEnv[k] = env[k]!;
    const trainer = new Trainer({ root: ws.root, cacheDir: ws.cacheDir, log, env: childEnv });
    const mlflow = mlflowConfigFromEnv(env);
    const runs = mlflow
      ? mlflowRunSource(
        new MlflowClient({
          trackingUri: mlflow.trackingUri,
          auth: mlflow.auth,
          timeoutMs: mlflow.timeoutMs,
          log,
        }),
        mlflow.experimentName,
      )
      : undefined;
    const app = createDashboardApp({
      runs,
      api,
      models,
      root: ws.root,
      cacheDir: ws.cacheDir,
      history,
      trainer,
      apiKey: config.apiKey,
      limits: config.limits,
      log,
      assets: await loadAssets(),
    });
    await serveUntilSignal({
      fetch: app.fetch,
      config,
      models,
      loader,
      urlModel: { holder: urlModel, loader: urlModelLoader(config.urlModel, log) },
      log,
      onStop: async () => {
        draining = true;
        trainer.cancel();
        await trainer.finished;
      },
    });
    await models.close();
    await history.close();
    urlModel.close();
    return 0;
  });
}
