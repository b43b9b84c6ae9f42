/**
 * `deno task serve [--port N] [--host H] [--model SRC] [--reload-seconds S]
 * [--max-body-bytes N] [--max-batch N] [--request-timeout-seconds S] [--url-model DIR]`: the
 * scoring HTTP API (routes in lib/serve/app.ts, `/openapi.json` on the
 * running server).
 *
 * - The API key comes from `THREATLINE_API_KEY`; when set, the predict
 *   routes need it. Binding a non-loopback address without one logs a loud
 *   warning. The key is never logged.
 * - `--model`: a release folder (default `artifacts/model`), `s3://bucket/prefix/`
 *   or `models:/name@alias` (lib/scoring/model_source.ts; remote releases are
 *   downloaded once into a cache). It is checked every `--reload-seconds`
 *   (default 5; 0 turns it off): a new card version in the folder, a new
 *   S3 release or a moved alias is loaded fully, then swapped in atomically.
 * - A release with a class model (`multiclass.json`, opt-in multiclass) adds
 *   `class` and `class_probability` to every prediction (lib/serve/classes.ts).
 * - `--url-model DIR`: the URL model of `POST /v1/check-url` (default
 *   `artifacts/url/model` when it exists, else that route answers 503); loaded
 *   once at start (not reloaded).
 * - SIGTERM or SIGINT: new requests get 503 SHUTTING_DOWN, in-flight ones
 *   finish (within the request timeout), then the listener closes; exit 0. A
 *   second signal exits at once (130).
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { EXIT } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { MLFLOW_ENV_VARS } from "../lib/mlflow/config.ts";
import { S3_ENV_VARS } from "../lib/s3/settings.ts";
import { parseModelSource, resolveModelSource } from "../lib/scoring/mod.ts";
import { loadServedModel } from "../lib/serve/classes.ts";
import {
  API_KEY_ENV,
  createApp,
  createMetrics,
  localDirLoader,
  ModelHolder,
  type ModelLoader,
  ModelWatcher,
  parseServeConfig,
  resolvingLoader,
  type ServeConfig,
  ServerHandle,
} from "../lib/serve/mod.ts";
import { apiEntry, recordScored } from "../lib/history/mod.ts";
import { openTaskHistory } from "./_history.ts";
import { loadServedUrlModel } from "../lib/serve/url_model.ts";
import { grantedEnv } from "./_workspace.ts";

/** The variables the remote model sources may read (S3 and MLflow settings, HOME for the cache). */
const SOURCE_ENV_VARS = [...S3_ENV_VARS, ...MLFLOW_ENV_VARS, "HOME", "USERPROFILE"];

function modelLoader(config: ServeConfig, log: Logger): ModelLoader {
  const load = (dir: string) => loadServedModel(dir, { log });
  if (parseModelSource(config.model).kind === "dir") return localDirLoader(config.model, load);
  // Read once here; a variable the task does not grant reads as unset.
  const env = grantedEnv(SOURCE_ENV_VARS);
  const resolve = async (source: string) => (await resolveModelSource(source, { env, log })).dir;
  return resolvingLoader(config.model, resolve, load);
}

/** Wait for SIGTERM or SIGINT; a second one exits at once. */
function nextSignal(log: Logger): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    let seen = false;
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(sig, () => {
        if (seen) {
          log.warn("second signal: exiting without waiting", { signal: sig });
          Deno.exit(EXIT.interrupted);
        }
        seen = true;
        resolve(sig);
      });
    }
  });
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const config = parseServeConfig(args, { [API_KEY_ENV]: Deno.env.get(API_KEY_ENV) });
    const loader = modelLoader(config, log);
    const models = new ModelHolder({ log });
    const metrics = createMetrics();
    models.swap(await loader.load(), { source: loader.source });
    const urlModel = await loadServedUrlModel({
      dir: config.urlModel,
      required: config.urlModelRequired,
      log,
    });
    let draining = false;
    const history = await openTaskHistory(log);
    const app = createApp({
      onScored: history && ((e) => void recordScored(history, apiEntry(e), log)),
      models,
      apiKey: config.apiKey,
      limits: config.limits,
      log,
      metrics,
      draining: () => draining,
      urlModel: () => urlModel,
    });
    const signal = nextSignal(log);
    const server = ServerHandle.start({
      fetch: app.fetch,
      hostname: config.host,
      port: config.port,
      auth: config.apiKey !== undefined,
      log,
    });
    const watcher = config.reloadSeconds > 0
      ? new ModelWatcher({ holder: models, loader, intervalMs: config.reloadSeconds * 1000, log })
      : undefined;
    watcher?.start();
    const sig = await signal;
    log.info("shutting down: finishing in-flight requests", {
      signal: sig,
      in_flight: metrics.inFlightNow,
    });
    draining = true;
    await watcher?.stop();
    // In-flight requests get the request timeout to finish, plus a second.
    await server.shutdown({ graceMs: config.limits.requestTimeoutMs + 1000 });
    await models.close();
    await history?.close();
    urlModel?.checker.dispose();
    log.info("stopped");
    return 0;
  });
}
