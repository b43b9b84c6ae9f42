/**
 * Scoring with the released model: the shared loaded-model module
 * ({@linkcode loadScorer}) used by the batch scorer and the HTTP server,
 * where a model comes from ({@linkcode resolveModelSource}: a folder,
 * `s3://…` or `models:/name@alias`), and the streaming batch scorer
 * ({@linkcode predictBatch}) behind `deno task predict`.
 *
 * @example
 * ```ts ignore
 * import { loadScorer, resolveModelSource } from "./mod.ts";
 * const { dir } = await resolveModelSource("artifacts/model");
 * const scorer = await loadScorer(dir, { use: "single" });
 * scorer.scoreRecord({ having_ip_address: 1, … }); // { probability, label }
 * ```
 *
 * @module
 */
export {
  loadScorer,
  type Score,
  type ScoreBatch,
  type Scorer,
  SCORER_BACKENDS,
  type ScorerBackend,
  type ScorerEngine,
  scorerFromSnapshot,
  type ScorerOptions,
  type ScorerSnapshot,
  scorerSnapshot,
} from "./scorer.ts";
export {
  DEFAULT_MODEL_SOURCE,
  type ModelSource,
  parseModelSource,
  type ResolvedModel,
  resolveModelSource,
  type ResolveOptions,
} from "./model_source.ts";
export {
  checkHeader,
  DEFAULT_WORKERS,
  predictBatch,
  type PredictOptions,
  type PredictProgress,
  type PredictSummary,
  reportBase,
} from "./batch.ts";
export { readClassModel } from "./class_model.ts";
