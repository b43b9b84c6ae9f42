/**
 * The runner's spec: what `pipeline.yaml` declares.
 *
 * - `spec.ts` (types in `spec_types.ts`, one stage in `_stage.ts` and its
 *   list items in `_stage_items.ts`): parse and validate the file into typed
 *   stages; `template.ts` (with `_template_context.ts`, `_interpolate.ts`):
 *   `vars`, `${…}` and `foreach`/`matrix`;
 * - `graph.ts`: the stage graph, its order and drawings;
 * - `params.ts`: the params a stage reads, resolved from the params files;
 * - `paths.ts`: workspace paths as the runner compares them;
 *
 * @example
 * ```ts ignore
 * import { buildGraph, loadPipeline } from "./mod.ts";
 * const graph = buildGraph(await loadPipeline("."));
 * ```
 *
 * @module
 */
export * from "./spec.ts";
export * from "./graph.ts";
export * from "./params.ts";
export * from "./paths.ts";
