/**
 * Data in: where rows come from and whether they can be trusted.
 *
 * - `source.ts`, `csv.ts`, `mongo_source.ts`: data sources (CSV files, a
 *   MongoDB collection) read in batches; `source_fingerprint.ts` names a
 *   source's content; `mongo_load.ts` loads a CSV into MongoDB.
 * - `table.ts`, `cells.ts`, `schema.ts`: rows as typed columns checked
 *   against `schema.yaml`.
 * - `data_checks.ts`, `drift.ts`, `stats.ts`: the validate stage's checks,
 *   column statistics and drift between two data sets.
 * - `split.ts`: the seeded train/test split.
 *
 * @example
 * ```ts ignore
 * import { readSchema } from "./mod.ts";
 * const schema = await readSchema("schema.yaml");
 * ```
 *
 * @module
 */
export * from "./source.ts";
export * from "./csv.ts";
export * from "./mongo_source.ts";
export * from "./source_fingerprint.ts";
export * from "./table.ts";
export * from "./cells.ts";
export * from "./schema.ts";
export * from "./data_checks.ts";
export * from "./drift.ts";
export * from "./stats.ts";
export * from "./split.ts";
