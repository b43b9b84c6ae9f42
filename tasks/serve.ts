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
import { MLFLOW_ENV_VARS } from "../lib/mlflow/config.ts";
import { S3_ENV_VARS } from "../lib/s3/settings.ts";
import {
  API_KEY_ENV,
  createApp,
  createMetrics,
  ModelHolder,
  parseServeConfig,
} from "../lib/serve/mod.ts";
import { apiEntry, recordScored } from "../lib/history/mod.ts";
import { openTaskHistory } from "./_history.ts";
import { loadServedUrlModel, urlModelLoader, UrlModelSlot } from "../lib/serve/url_model.ts";
import { grantedEnv } from "./_workspace.ts";
import { modelLoader, serveUntilSignal } from "./_serving.ts";

/** The variables the remote model sources may read (S3 and MLflow settings, HOME for the cache). */
const SOURCE_ENV_VARS = [...S3_ENV_VARS, ...MLFLOW_ENV_VARS, "HOME", "USERPROFILE"];

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const config = parseServeConfig(args, { [API_KEY_ENV]: Deno.env.get(API_KEY_ENV) });
    // Read once here; a variable the task does not grant reads as unset.
    const loader = modelLoader({ model: config.model, env: grantedEnv(SOURCE_ENV_VARS), log });
    const models = new ModelHolder({ log });
    const metrics = createMetrics();
    models.swap(await loader.load(), { source: loader.source });
    const urlModel = new UrlModelSlot(
      await loadServedUrlModel({ dir: config.urlModel, required: config.urlModelRequired, log }),
      log,
    );
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
      urlModel: () => urlModel.current,
    });
    await serveUntilSignal({
      fetch: app.fetch,
      config,
      models,
      loader,
      urlModel: { holder: urlModel, loader: urlModelLoader(config.urlModel, log) },
      log,
      inFlight: () => metrics.inFlightNow,
      onStop: () => {
        draining = true;
      },
    });
    await models.close();
    await history?.close();
    urlModel.close();
    log.info("stopped");
    return 0;
  });
}
