/**
 * Binary-classification metrics as pure functions over labels (1 = threat,
 * 0 = benign) and scores (higher = more likely a threat). A row is predicted
 * positive when `score >= threshold`, as in scikit-learn.
 *
 * Every ranking metric (ROC, ROC-AUC, PR, average precision, the FPR
 * threshold) is computed from one pass over the distinct scores in descending
 * order, so ties are handled the same way everywhere: rows with equal scores
 * enter the curve together.
 *
 * @module
 */

import { checkLengths, type Labels, ratio, type Scores } from "./_labels.ts";
import { averagePrecision, rocAuc } from "./curves.ts";

export type { Labels, Scores } from "./_labels.ts";
export * from "./curves.ts";

/** Counts at one threshold. */
export interface Confusion {
  /** Threats flagged. */
  tp: number;
  /** Benign rows flagged. */
  fp: number;
  /** Benign rows passed. */
  tn: number;
  /** Threats missed. */
  fn: number;
}

/** Rates derived from a {@linkcode Confusion}; a 0/0 rate is 0 (scikit-learn's default). */
export interface Rates {
  /** (tp + tn) / n. */
  accuracy: number;
  /** tp / (tp + fp). */
  precision: number;
  /** tp / (tp + fn), the true-positive rate. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** fp / (fp + tn), the false-positive rate. */
  fpr: number;
}

/**
 * Count tp/fp/tn/fn with `score >= threshold` as "threat".
 *
 * @example
 * ```ts
 * import { confusion } from "./metrics.ts";
 * confusion([1, 0, 1, 0], [0.9, 0.6, 0.2, 0.1], 0.5); // { tp: 1, fp: 1, tn: 1, fn: 1 }
 * ```
 */
export function confusion(labels: Labels, scores: Scores, threshold = 0.5): Confusion {
  checkLengths(labels, scores);
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const flagged = scores[i] >= threshold;
    if (labels[i] === 1) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  return c;
}

/**
 * Accuracy, precision, recall, F1 and FPR of a confusion matrix.
 *
 * @example
 * ```ts
 * import { rates } from "./metrics.ts";
 * rates({ tp: 3, fp: 1, tn: 5, fn: 1 }).precision; // 0.75
 * ```
 */
export function rates(c: Confusion): Rates {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    fpr: ratio(c.fp, c.fp + c.tn),
  };
}

/**
 * Mean binary cross-entropy, with scores clipped to [eps, 1 − eps].
 *
 * @example
 * ```ts
 * import { logLoss } from "./metrics.ts";
 * logLoss([1, 0], [0.9, 0.1]); // 0.10536…
 * ```
 */
export function logLoss(labels: Labels, scores: Scores, eps = 1e-7): number {
  checkLengths(labels, scores);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, scores[i]));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length === 0 ? NaN : sum / labels.length;
}

/** The flat metrics of a scored set: rates at a threshold plus ranking metrics. */
export interface ScoreReport extends Rates, Confusion {
  /** ROC-AUC (NaN with one class). */
  roc_auc: number;
  /** Average precision (NaN without threats). */
  pr_auc: number;
  /** Mean binary cross-entropy. */
  log_loss: number;
  /** Rows scored. */
  n: number;
}

/**
 * Every metric of a scored set at one threshold (default 0.5), flat.
 *
 * @example
 * ```ts
 * import { scoreReport } from "./metrics.ts";
 * scoreReport([0, 1, 1], [0.2, 0.7, 0.4]).accuracy; // 0.666…
 * ```
 */
export function scoreReport(labels: Labels, scores: Scores, threshold = 0.5): ScoreReport {
  const c = confusion(labels, scores, threshold);
  return {
    ...rates(c),
    ...c,
    roc_auc: rocAuc(labels, scores),
    pr_auc: averagePrecision(labels, scores),
    log_loss: logLoss(labels, scores),
    n: labels.length,
  };
}

/** One epoch (tree families: one tree) of a candidate's training, as plot data. */
export interface EpochRecord {
  /** 1-based epoch (tree count). */
  epoch: number;
  /** Training loss (networks: mean cross-entropy + L2 over the epoch's batches; trees: log loss). */
  loss: number;
  /** Validation log loss. */
  val_log_loss: number;
  /** Validation ROC-AUC. */
  val_roc_auc: number;
  /** Validation average precision. */
  val_pr_auc: number;
  /** Validation accuracy at 0.5. */
  val_accuracy: number;
  /** Validation F1 at 0.5. */
  val_f1: number;
}

/**
 * The record of an epoch from its training loss and validation report.
 *
 * @example
 * ```ts
 * import { epochRecord, scoreReport } from "./metrics.ts";
 * epochRecord(1, 0.5, scoreReport([0, 1], [0.2, 0.9])).val_accuracy; // 1
 * ```
 */
export function epochRecord(epoch: number, loss: number, r: ScoreReport): EpochRecord {
  return {
    epoch,
    loss,
    val_log_loss: r.log_loss,
    val_roc_auc: r.roc_auc,
    val_pr_auc: r.pr_auc,
    val_accuracy: r.accuracy,
    val_f1: r.f1,
  };
}

/** Metrics that can pick a model and stop training early. */
export type SelectionMetric = "roc_auc" | "pr_auc" | "log_loss" | "accuracy" | "f1";

/** The values a `selection_metric` parameter accepts. */
export const SELECTION_METRICS: readonly SelectionMetric[] = [
  "roc_auc",
  "pr_auc",
  "log_loss",
  "accuracy",
  "f1",
];

/**
 * Whether `a` is strictly better than `b` for `metric` (log loss: lower is
 * better; the rest: higher). NaN is never better; anything beats NaN.
 *
 * @example
 * ```ts
 * import { isBetter } from "./metrics.ts";
 * isBetter("log_loss", 0.1, 0.2); // true
 * isBetter("roc_auc", 0.9, 0.95); // false
 * ```
 */
export function isBetter(metric: SelectionMetric, a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return metric === "log_loss" ? a < b : a > b;
}

/** Rates at a decision threshold, with `_at_threshold` keys (flat, for metrics files). */
export interface ThresholdReport {
  /** The threshold. */
  threshold: number;
  /** Accuracy at the threshold. */
  accuracy_at_threshold: number;
  /** Precision at the threshold. */
  precision_at_threshold: number;
  /** Recall (TPR) at the threshold. */
  recall_at_threshold: number;
  /** F1 at the threshold. */
  f1_at_threshold: number;
  /** False-positive rate actually achieved at the threshold. */
  fpr_at_threshold: number;
}

/**
 * Rates of `score >= threshold`, under `_at_threshold` keys.
 *
 * @example
 * ```ts
 * import { atThreshold } from "./metrics.ts";
 * atThreshold([0, 1, 1], [0.2, 0.7, 0.4], 0.5).recall_at_threshold; // 0.5
 * ```
 */
export function atThreshold(labels: Labels, scores: Scores, threshold: number): ThresholdReport {
  const r = rates(confusion(labels, scores, threshold));
  return {
    threshold,
    accuracy_at_threshold: r.accuracy,
    precision_at_threshold: r.precision,
    recall_at_threshold: r.recall,
    f1_at_threshold: r.f1,
    fpr_at_threshold: r.fpr,
  };
}
