/**
 * ROC and precision-recall curves, their areas, and thresholds read off them.
 *
 * Every ranking metric (ROC, ROC-AUC, PR, average precision, the FPR
 * threshold) is computed from one pass over the distinct scores in descending
 * order, so ties are handled the same way everywhere: rows with equal scores
 * enter the curve together.
 *
 * @module
 */

import { checkLengths, type Labels, ratio, type Scores } from "./_labels.ts";

/** Cumulative counts at each distinct score, highest first. */
export interface RankCounts {
  /** Distinct scores, descending. */
  thresholds: number[];
  /** Threats with `score >= thresholds[i]`. */
  tps: number[];
  /** Benign rows with `score >= thresholds[i]`. */
  fps: number[];
  /** Number of threats. */
  positives: number;
  /** Number of benign rows. */
  negatives: number;
}

/**
 * Cumulative tp/fp counts at every distinct score (descending): the one
 * sweep every ranking metric here is built from.
 *
 * @example
 * ```ts
 * import { rankCounts } from "./metrics.ts";
 * rankCounts([1, 0, 1], [0.8, 0.8, 0.1]).tps; // [1, 2]
 * ```
 */
export function rankCounts(labels: Labels, scores: Scores): RankCounts {
  checkLengths(labels, scores);
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a]);
  const out: RankCounts = { thresholds: [], tps: [], fps: [], positives: 0, negatives: 0 };
  let tp = 0, fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (Number.isNaN(scores[i])) throw new RangeError(`score of row ${i} is NaN`);
    labels[i] === 1 ? tp++ : fp++;
    const last = k === order.length - 1 || scores[order[k + 1]] !== scores[i];
    if (last) {
      out.thresholds.push(scores[i]);
      out.tps.push(tp);
      out.fps.push(fp);
    }
  }
  out.positives = tp;
  out.negatives = fp;
  return out;
}

/** One point of a ROC curve. */
export interface RocPoint {
  /** False-positive rate. */
  fpr: number;
  /** True-positive rate (recall). */
  tpr: number;
  /** Threshold giving this point; null for the (0, 0) start. */
  threshold: number | null;
}

/** One point of a precision-recall curve. */
export interface PrPoint {
  /** Recall. */
  recall: number;
  /** Precision. */
  precision: number;
  /** Threshold giving this point; null for the (recall 0, precision 1) end. */
  threshold: number | null;
}

/**
 * The ROC curve, from (0, 0) to (1, 1), one point per distinct score.
 *
 * @example
 * ```ts
 * import { rocCurve } from "./metrics.ts";
 * rocCurve([0, 1], [0.2, 0.7]).map((p) => [p.fpr, p.tpr]); // [[0, 0], [0, 1], [1, 1]]
 * ```
 */
export function rocCurve(labels: Labels, scores: Scores): RocPoint[] {
  const r = rankCounts(labels, scores);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  r.thresholds.forEach((t, i) => {
    points.push({
      fpr: ratio(r.fps[i], r.negatives),
      tpr: ratio(r.tps[i], r.positives),
      threshold: t,
    });
  });
  return points;
}

/**
 * Area under the ROC curve (trapezoids over distinct scores, which equals the
 * Mann-Whitney statistic with ties counted half). NaN when one class is absent.
 *
 * @example
 * ```ts
 * import { rocAuc } from "./metrics.ts";
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * ```
 */
export function rocAuc(labels: Labels, scores: Scores): number {
  const r = rankCounts(labels, scores);
  if (r.positives === 0 || r.negatives === 0) return NaN;
  let area = 0, prevTp = 0, prevFp = 0;
  for (let i = 0; i < r.thresholds.length; i++) {
    area += (r.fps[i] - prevFp) * (r.tps[i] + prevTp) / 2;
    prevTp = r.tps[i];
    prevFp = r.fps[i];
  }
  return area / (r.positives * r.negatives);
}

/**
 * The precision-recall curve in scikit-learn's order (≥ 1.3): ascending
 * threshold, one point per distinct score, ending at (recall 0, precision 1).
 *
 * @example
 * ```ts
 * import { prCurve } from "./metrics.ts";
 * prCurve([0, 1], [0.2, 0.7]).map((p) => [p.recall, p.precision]); // [[1, 0.5], [1, 1], [0, 1]]
 * ```
 */
export function prCurve(labels: Labels, scores: Scores): PrPoint[] {
  const r = rankCounts(labels, scores);
  const points: PrPoint[] = [];
  for (let i = 0; i < r.thresholds.length; i++) {
    points.push({
      recall: ratio(r.tps[i], r.positives),
      precision: ratio(r.tps[i], r.tps[i] + r.fps[i]),
      threshold: r.thresholds[i],
    });
  }
  points.reverse();
  points.push({ recall: 0, precision: 1, threshold: null });
  return points;
}

/**
 * Average precision (area under the PR curve as a step sum, scikit-learn's
 * `average_precision_score`): Σ (Rₙ − Rₙ₋₁) Pₙ. NaN without threats.
 *
 * @example
 * ```ts
 * import { averagePrecision } from "./metrics.ts";
 * averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.8333…
 * ```
 */
export function averagePrecision(labels: Labels, scores: Scores): number {
  const r = rankCounts(labels, scores);
  if (r.positives === 0) return NaN;
  let ap = 0, prevRecall = 0;
  for (let i = 0; i < r.thresholds.length; i++) {
    const recall = r.tps[i] / r.positives;
    ap += (recall - prevRecall) * (r.tps[i] / (r.tps[i] + r.fps[i]));
    prevRecall = recall;
  }
  return ap;
}

/** A threshold chosen for a false-positive budget, with the rates it gives on the data. */
export interface FprThreshold {
  /** Flag a row when `score >= threshold`. */
  threshold: number;
  /** False-positive rate it gives on the data it was chosen on (≤ the target). */
  fpr: number;
  /** True-positive rate it gives there. */
  tpr: number;
}

/**
 * The lowest threshold (among the observed scores) whose false-positive
 * rate on these rows is at most `targetFpr`, which maximises recall under
 * that budget. When even the highest score exceeds the budget, the threshold
 * is `Number.MAX_VALUE` (flag nothing).
 *
 * @example
 * ```ts
 * import { thresholdForFpr } from "./metrics.ts";
 * thresholdForFpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.9, 0.8, 0.95], 0.25);
 * // { threshold: 0.8, fpr: 0.25, tpr: 1 }
 * ```
 */
export function thresholdForFpr(labels: Labels, scores: Scores, targetFpr: number): FprThreshold {
  if (!(targetFpr >= 0 && targetFpr <= 1)) {
    throw new RangeError(`targetFpr must be in [0, 1], got ${targetFpr}`);
  }
  const r = rankCounts(labels, scores);
  let best: FprThreshold = { threshold: Number.MAX_VALUE, fpr: 0, tpr: 0 };
  for (let i = 0; i < r.thresholds.length; i++) {
    const fpr = ratio(r.fps[i], r.negatives);
    if (fpr > targetFpr) break;
    best = { threshold: r.thresholds[i], fpr, tpr: ratio(r.tps[i], r.positives) };
  }
  return best;
}

/**
 * At most `maxPoints` points of a curve, evenly spaced along its length in
 * the unit square (so steep and flat stretches both keep their shape);
 * the first and last points are always kept.
 *
 * @example
 * ```ts
 * import { downsampleCurve, rocCurve } from "./metrics.ts";
 * const roc = rocCurve([0, 1, 0, 1], [0.1, 0.9, 0.3, 0.4]);
 * downsampleCurve(roc, 3, (p) => [p.fpr, p.tpr]).length; // 3
 * ```
 */
export function downsampleCurve<T>(
  points: T[],
  maxPoints: number,
  xy: (p: T) => [number, number],
): T[] {
  if (maxPoints < 2) throw new RangeError(`maxPoints must be ≥ 2, got ${maxPoints}`);
  if (points.length <= maxPoints) return points.slice();
  const along = [0];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = xy(points[i - 1]);
    const [x1, y1] = xy(points[i]);
    along.push(along[i - 1] + Math.hypot(x1 - x0, y1 - y0));
  }
  const total = along[along.length - 1];
  const kept = [0];
  for (let k = 1; k < maxPoints - 1; k++) {
    const target = (total * k) / (maxPoints - 1);
    let i = kept[kept.length - 1] + 1;
    while (i < points.length - 1 && along[i] < target) i++;
    if (i < points.length - 1 && i !== kept[kept.length - 1]) kept.push(i);
  }
  kept.push(points.length - 1);
  return kept.map((i) => points[i]);
}
