/**
 * The scoring HTTP server: `deno task serve` (`tasks/serve.ts`) builds these
 * pieces from its {@linkcode ServeConfig}.
 *
 * - {@linkcode createApp}: the Hono app (routes, API key, metrics, errors);
 * - {@linkcode ModelHolder}: the answering model, swapped atomically;
 * - {@linkcode ModelWatcher}: polls the model source and swaps new models in;
 * - {@linkcode ServerHandle}: `Deno.serve` with graceful shutdown;
 * - {@linkcode createMetrics}: Prometheus counters and histogram;
 * - {@linkcode openApiDocument}: `/openapi.json` from the model's schema.
 *
 * @example
 * ```ts ignore
 * import { createApp, createMetrics, DEFAULT_LIMITS, ModelHolder, ServerHandle } from "./mod.ts";
 * const models = new ModelHolder({ log });
 * models.swap(await loadScorer("artifacts/model", { use: "single" }), { source: "artifacts/model" });
 * const app = createApp({ models, limits: DEFAULT_LIMITS, log, metrics: createMetrics() });
 * const server = ServerHandle.start({ fetch: app.fetch, hostname: "127.0.0.1", port: 8080, auth: false, log });
 * ```
 *
 * @module
 */
export { type AppOptions, createApp, ROUTES } from "./app.ts";
export { CSV_TYPES, DEFAULT_LIMITS, JSON_TYPES, type Limits } from "./body.ts";
export {
  API_KEY_ENV,
  parseServeConfig,
  SERVE_PERMISSIONS,
  SERVE_USAGE,
  type ServeConfig,
} from "./config.ts";
export { ERROR_CODES, type ErrorBody, type ErrorCode, HttpError } from "./errors.ts";
export { createMetrics, LATENCY_BUCKETS, renderMetrics, type ServeMetrics } from "./metrics.ts";
export { type Lease, ModelHolder, type ServedClasses, type ServedModel } from "./model_holder.ts";
export { type ClassAnswer, loadServedModel } from "./classes.ts";
export { type ServedUrlModel } from "./check_url.ts";
export { loadServedUrlModel, urlModelLoader, UrlModelSlot } from "./url_model.ts";
export { openApiDocument } from "./openapi.ts";
export { isLoopback, ServerHandle } from "./server.ts";
export {
  localDirLoader,
  type ModelLoader,
  ModelWatcher,
  type PollResult,
  resolvingLoader,
  type SwapTarget,
} from "./watcher.ts";
