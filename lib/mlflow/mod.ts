/**
 * MLflow: the REST client (`client.ts`, settings in `config.ts`), run
 * tracking of pipeline runs (`tracking.ts`, `run_data.ts`) and the model
 * registry (`registry.ts`).
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "./mod.ts";
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./config.ts";
export * from "./client.ts";
export * from "./registry.ts";
export * from "./tracking.ts";
export * from "./run_data.ts";
