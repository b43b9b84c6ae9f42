/**
 * The train stage's params: the `train` section of params.yaml, read and
 * validated once into {@linkcode TrainParams}.
 *
 * @module
 */
import { SELECTION_METRICS, type SelectionMetric } from "../lib/reports/metrics.ts";
import { readSearchSpec, type SearchSpec } from "../lib/learn/search.ts";
import { readRefit } from "../lib/learn/refit_choice.ts";
import { BACKEND_CHOICES, type BackendChoice } from "../lib/learn/tf_backend.ts";
import { openSection } from "../lib/section.ts";
import type { YamlFile } from "../lib/yaml.ts";

/** The validated `train` section. */
export interface TrainParams {
  /** Seeds the validation split, the search sample, initializers, shuffles and dropout. */
  seed: number;
  /** Share of each class of train.mat held out for model selection. */
  validationSize: number;
  /** Picks each candidate's epoch and the winner. */
  selectionMetric: SelectionMetric;
  /** The threshold keeps the validation false-positive rate at or below this. */
  targetFpr: number;
  /** Backend for training. */
  backend: BackendChoice;
  /** Train the chosen config again on train + validation for its best epoch (tree) count; `auto`: when the learning curve says it pays (lib/learn/refit_choice.ts). */
  refit: boolean | "auto";
  /** `refit: auto`: the expected relative validation log-loss gain a refit must reach. */
  refitMinGain: number;
  /** Release the average of this many networks of the chosen config (seeds seed, seed+1, …; networks only). */
  ensemble: number;
  /** Maximum epochs per network candidate. */
  epochs: number;
  /** Stop a network candidate after this many epochs without improvement. */
  patience: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** The hyperparameter search. */
  search: SearchSpec;
  /** Safety cap on the search's wall time (0: none); a cut is logged as a warning. */
  budgetSeconds: number;
}

/**
 * Read and validate the `train` section of params.yaml.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readTrainParams } from "./_train_params.ts";
 * const y = parseYaml("train:\n  search:\n    logreg: {learning_rate: [0.01]}\n", "params.yaml");
 * readTrainParams(y).selectionMetric; // "roc_auc"
 * ```
 */
export function readTrainParams(params: YamlFile): TrainParams {
  const s = openSection(params, ["train"]);
  const out: TrainParams = {
    seed: s.number("seed", { default: 7, integer: true }),
    validationSize: s.number("validation_size", { default: 0.2, min: 0.05, max: 0.5 }),
    selectionMetric: s.string("selection_metric", { default: "roc_auc", oneOf: SELECTION_METRICS }),
    targetFpr: s.number("target_fpr", { default: 0.01, min: 0, max: 1 }),
    backend: s.string("backend", { default: "auto", oneOf: BACKEND_CHOICES }),
    refit: readRefit(s),
    refitMinGain: s.number("refit_min_gain", { default: 0.01, min: 0 }),
    ensemble: s.number("ensemble", { default: 1, integer: true, min: 1, max: 10 }),
    epochs: s.number("epochs", { default: 60, integer: true, min: 1 }),
    patience: s.number("patience", { default: 8, integer: true, min: 1 }),
    batchSize: s.number("batch_size", { default: 64, integer: true, min: 1 }),
    search: readSearchSpec(s.section("search")),
    budgetSeconds: s.number("budget_seconds", { default: 0, min: 0 }),
  };
  s.raw("multiclass"); // `train.multiclass`: read by the multiclass hook (stages/_multiclass.ts)
  s.done();
  return out;
}
