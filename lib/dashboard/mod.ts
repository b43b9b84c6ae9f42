/**
 * The dashboard (`deno task dashboard`): seven server-rendered pages with
 * small client islands, their JSON routes under `/api`, and serve's scoring
 * API under `/v1` from the same process.
 *
 * - {@linkcode createDashboardApp}: the Hono app;
 * - {@linkcode Trainer}: one repro at a time, streamed over SSE;
 * - {@linkcode loadAssets}: islands and uPlot from the npm package;
 * - {@linkcode parseDashboardConfig}: flags and env (serve's, port 8088).
 *
 * @example
 * ```ts ignore
 * import { createDashboardApp, loadAssets, Trainer } from "./mod.ts";
 * const app = createDashboardApp({ api, models, root, history, limits, log,
 *   trainer: new Trainer({ root, log }), assets: await loadAssets() });
 * ```
 *
 * @module
 */
export { createDashboardApp, type DashboardOptions } from "./app.ts";
export { type Asset, loadAssets, VENDOR_FILES } from "./assets.ts";
export { DASHBOARD_PORT, DASHBOARD_USAGE, parseDashboardConfig } from "./config.ts";
export { DashError } from "./errors.ts";
export { PAGES } from "./layout.ts";
export { MLFLOW_MAX_RUNS, mlflowRunSource, runFromMlflow } from "./mlflow_runs.ts";
export { localRunSource, type RunSource } from "./runs_data.ts";
export { REPRO_FLAGS, Trainer, type TrainEvent, type TrainState } from "./trainer.ts";
