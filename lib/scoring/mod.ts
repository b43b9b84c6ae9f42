/**
 * Scoring with the released model: the shared loaded-model module
 * ({@linkcode loadScorer}) used by the batch scorer (`deno task predict`) and
 * the HTTP server.
 *
 * @example
 * ```ts ignore
 * import { loadScorer } from "./mod.ts";
 * const scorer = await loadScorer("artifacts/model", { use: "single" });
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
  type ScorerOptions,
} from "./scorer.ts";
