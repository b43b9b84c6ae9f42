/**
 * The pipeline runner (DVC-like), in three layers from the bottom up:
 *
 * - `spec/`: `pipeline.yaml` and params files parsed, validated and graphed;
 * - `cache/`: content hashes, the object stores (local, S3), `pipeline.lock`,
 *   the run-cache, push/pull, gc and checkout;
 * - `run/`: staleness, the executor, the workspace lock, repro and status.
 *
 * A lower layer never imports a higher one (tests/house_test.ts checks).
 *
 * @example
 * ```ts ignore
 * import { loadPipeline } from "./mod.ts";
 * const spec = await loadPipeline(".");
 * ```
 *
 * @module
 */
export * from "./spec/mod.ts";
export * from "./cache/mod.ts";
export * from "./run/mod.ts";
