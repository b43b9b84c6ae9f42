/**
 * Running the pipeline: deciding what is stale and running it.
 *
 * - `observe.ts`, `stale.ts`: a stage's deps, outs and params observed, and
 *   why it is stale;
 * - `executor.ts`: a stage's commands run in their own process group;
 * - `workspace_lock.ts`: one repro per workspace;
 * - `repro.ts`, `status.ts`: `deno task repro` and `deno task status`;
 * - `run_history.ts`: the local run history; `revisions.ts`: metrics and
 *   params at a git revision.
 *
 * @example
 * ```ts ignore
 * import { repro } from "./mod.ts";
 * import { buildGraph, loadPipeline } from "../spec/mod.ts";
 * import { openWorkspace } from "../cache/mod.ts";
 * const ws = await openWorkspace({ root: "." }, log);
 * await repro(ws, buildGraph(await loadPipeline(".")));
 * ```
 *
 * @module
 */
export * from "./observe.ts";
export * from "./stale.ts";
export * from "./executor.ts";
export * from "./workspace_lock.ts";
export * from "./repro.ts";
export * from "./status.ts";
export * from "./run_history.ts";
export * from "./revisions.ts";
