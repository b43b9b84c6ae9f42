/**
 * Experiments (`deno task exp`): run the pipeline with changed params in an
 * isolated copy of the workspace that shares the cache, compare the results,
 * and bring one back.
 *
 * - `params_override.ts`: `-S [FILE:]KEY=VALUE` parsed and applied to YAML.
 * - `snapshot.ts`: the isolated copy of the workspace.
 * - `record.ts`: `<cache>/exps/<id>/exp.json`, one per experiment.
 * - `run.ts`: queue, run one, run the queue `jobs` at once.
 * - `show.ts`: rows and table of `exp show`.
 * - `apply.ts`: `exp apply`. `manage.ts`: `exp remove`, `exp gc`, what cache gc keeps.
 *
 * @module
 */
export * from "./apply.ts";
export * from "./manage.ts";
export * from "./params_override.ts";
export * from "./record.ts";
export * from "./run.ts";
export * from "./show.ts";
export * from "./snapshot.ts";
