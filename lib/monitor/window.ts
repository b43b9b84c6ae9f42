/**
 * Live quality over the window of recent scores: precision, recall, FPR and
 * ROC-AUC (lib/reports/metrics.ts) of the records whose label has arrived, and
 * the thresholds check that turns drift and quality into alerts.
 *
 * @module
 */
import { rocAuc, scoreReport } from "../reports/metrics.ts";
import type { MonitorThresholds } from "./params.ts";
import type { ScoreWindow } from "./state.ts";

/** Live metrics over the labelled part of the window. */
export interface LiveMetrics {
  /** Records in the window. */
  window: number;
  /** Of those, labelled. */
  labeled: number;
  /** Precision at the model's threshold. */
  precision: number;
  /** Recall. */
  recall: number;
  /** False-positive rate. */
  fpr: number;
  /** ROC-AUC (NaN with one class). */
  roc_auc: number;
  /** Labelled threats. */
  positives: number;
}

/**
 * Append scores and keep the newest `max`.
 *
 * @example
 * ```ts
 * import { pushScores } from "./window.ts";
 * const w = { ids: ["a"], p: [0.1], y: [0 as const] };
 * pushScores(w, { ids: ["b", "c"], p: [0.9, 0.2], y: [1, null] }, 2).ids; // ["b", "c"]
 * ```
 */
export function pushScores(w: ScoreWindow, add: ScoreWindow, max: number): ScoreWindow {
  const cut = Math.max(0, w.ids.length + add.ids.length - max);
  const take = <T>(a: T[], b: T[]) => [...a, ...b].slice(cut);
  return { ids: take(w.ids, add.ids), p: take(w.p, add.p), y: take(w.y, add.y) };
}

/**
 * Metrics of the labelled records of the window; undefined with fewer than
 * `minLabeled` of them.
 *
 * @example
 * ```ts
 * import { liveMetrics } from "./window.ts";
 * const m = liveMetrics({ ids: ["a", "b"], p: [0.9, 0.1], y: [1, 0] }, 0.5, 2);
 * [m?.precision, m?.fpr, m?.roc_auc]; // [1, 0, 1]
 * ```
 */
export function liveMetrics(
  w: ScoreWindow,
  threshold: number,
  minLabeled: number,
): LiveMetrics | undefined {
  const y: number[] = [], p: number[] = [];
  w.y.forEach((label, i) => {
    if (label !== null) {
      y.push(label);
      p.push(w.p[i]);
    }
  });
  if (y.length < minLabeled) return undefined;
  const r = scoreReport(y, p, threshold);
  return {
    window: w.ids.length,
    labeled: y.length,
    precision: r.precision,
    recall: r.recall,
    fpr: r.fpr,
    roc_auc: rocAuc(y, p),
    positives: r.tp + r.fn,
  };
}

/**
 * The thresholds a run crossed, each as a sentence; empty when all is well.
 *
 * @example
 * ```ts
 * import { alerts } from "./window.ts";
 * alerts(["a", "b"], undefined, {
 *   maxDriftedColumns: 1, minPrecision: 0, minRecall: 0, maxFpr: 1, minRocAuc: 0,
 * }); // ["drift in 2 columns (a, b) > monitor.thresholds.max_drifted_columns 1"]
 * ```
 */
export function alerts(
  drifted: string[],
  live: LiveMetrics | undefined,
  t: MonitorThresholds,
): string[] {
  const out: string[] = [];
  if (drifted.length > t.maxDriftedColumns) {
    const names = drifted.slice(0, 5).join(", ") + (drifted.length > 5 ? ", …" : "");
    out.push(
      `drift in ${drifted.length} columns (${names}) > monitor.thresholds.max_drifted_columns ${t.maxDriftedColumns}`,
    );
  }
  if (live) {
    const fmt = (x: number) => x.toFixed(4);
    const low = (name: string, value: number, limit: number, key: string) => {
      if (value < limit) {
        out.push(`live ${name} ${fmt(value)} < monitor.thresholds.${key} ${limit}`);
      }
    };
    low("precision", live.precision, t.minPrecision, "min_precision");
    low("recall", live.recall, t.minRecall, "min_recall");
    if (live.fpr > t.maxFpr) {
      out.push(`live FPR ${fmt(live.fpr)} > monitor.thresholds.max_fpr ${t.maxFpr}`);
    }
    if (Number.isFinite(live.roc_auc)) low("ROC-AUC", live.roc_auc, t.minRocAuc, "min_roc_auc");
  }
  return out;
}
