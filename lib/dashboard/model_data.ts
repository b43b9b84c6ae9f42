/**
 * The Model and Data pages' data, read from the pipeline's outs:
 *
 * - the evaluate stage's `predictions.csv` in a compact form for the
 *   threshold slider: for each class, how many test rows score at or above
 *   each threshold on a 0.001 grid (1001 counts per class, whatever the
 *   test size), so the browser computes the confusion matrix exactly at
 *   every slider step;
 * - `roc.json`, `pr.json`, `calibration.json` and `importance.json`
 *   (the last two from lib/reports/importance.ts, when the evaluate stage wrote them);
 * - validate's `report.json` for the Data page.
 *
 * @module
 */
import { join } from "node:path";
import { DataError } from "../errors.ts";

/** Threshold grid steps (thresholds `i / STEPS`). */
export const STEPS = 1000;

/** Per-class counts of test rows with probability ≥ each grid threshold. */
export interface ThresholdCounts {
  /** `positives[i]`: threats scoring ≥ i/STEPS. */
  positives: number[];
  /** `negatives[i]`: benign rows scoring ≥ i/STEPS. */
  negatives: number[];
  /** Threat rows in total. */
  totalPositives: number;
  /** Benign rows in total. */
  totalNegatives: number;
}

/**
 * Count predictions (`row,label,probability,…` CSV text) per threshold.
 *
 * @example
 * ```ts
 * import { thresholdCounts } from "./model_data.ts";
 * const c = thresholdCounts("row,label,probability\n0,1,0.9\n1,0,0.2\n");
 * [c.positives[500], c.negatives[500], c.negatives[100]]; // [1, 0, 1]
 * ```
 */
export function thresholdCounts(text: string, file = "predictions.csv"): ThresholdCounts {
  const lines = text.split("\n");
  const header = lines[0].split(",");
  const li = header.indexOf("label"), pi = header.indexOf("probability");
  if (li < 0 || pi < 0) {
    throw new DataError("expected columns 'label' and 'probability'", { file, line: 1 });
  }
  const pos = new Array(STEPS + 2).fill(0), neg = new Array(STEPS + 2).fill(0);
  let tp = 0, tn = 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const f = lines[i].split(",");
    const p = Number(f[pi]);
    if (!Number.isFinite(p)) throw new DataError("bad probability", { file, line: i + 1 });
    // the largest grid index k with k/STEPS <= p
    const k = Math.min(STEPS, Math.floor(p * STEPS + 1e-9));
    if (f[li] === "1") {
      pos[k]++;
      tp++;
    } else {
      neg[k]++;
      tn++;
    }
  }
  for (let k = STEPS - 1; k >= 0; k--) {
    pos[k] += pos[k + 1];
    neg[k] += neg[k + 1];
  }
  return {
    positives: pos.slice(0, STEPS + 1),
    negatives: neg.slice(0, STEPS + 1),
    totalPositives: tp,
    totalNegatives: tn,
  };
}

async function json(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * The evaluate outs the Model page draws (each `null` when absent): under
 * `artifacts/` for the flow model, `artifacts/url/` for the URL model
 * (`base`; the url_evaluate stage's outs).
 *
 * @example
 * ```ts ignore
 * const { roc, pr, counts } = await evaluateView(Deno.cwd());
 * const url = await evaluateView(Deno.cwd(), "artifacts/url");
 * ```
 */
export async function evaluateView(root: string, base = "artifacts"): Promise<{
  roc: unknown;
  pr: unknown;
  calibration: unknown;
  importance: unknown;
  metrics: unknown;
  counts: ThresholdCounts | null;
}> {
  const dir = join(root, base, "evaluate");
  let counts: ThresholdCounts | null = null;
  try {
    const path = join(dir, "predictions.csv");
    counts = thresholdCounts(await Deno.readTextFile(path), path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return {
    roc: await json(join(dir, "roc.json")),
    pr: await json(join(dir, "pr.json")),
    calibration: await json(join(dir, "calibration.json")),
    importance: await json(join(dir, "importance.json")),
    metrics: await json(join(root, base, "metrics.json")),
    counts,
  };
}

/**
 * The URL model's card in the shape of `/v1/model` (null when no release
 * is in `dir`): the Model page shows it like the flow model's.
 *
 * @example
 * ```ts ignore
 * const card = await urlModelCard("artifacts/url/model");
 * ```
 */
export async function urlModelCard(dir: string): Promise<Record<string, unknown> | null> {
  const card = await json(join(dir, "card.json")) as Record<string, unknown> | null;
  if (!card) return null;
  return {
    version: card.version,
    threshold: card.threshold,
    description: card.description,
    created: card.created,
    config: card.config,
    metrics: card.validation,
    threshold_choice: card.threshold_choice,
    train_data: card.train_data,
    features: card.features,
    input_columns: ["url"],
    source: dir,
  };
}

/**
 * Validate's report (null when the stage has not run).
 *
 * @example
 * ```ts ignore
 * const report = await validateView(Deno.cwd());
 * ```
 */
export function validateView(root: string): Promise<unknown> {
  return json(join(root, "artifacts/validate/report.json"));
}
