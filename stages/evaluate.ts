/**
 * Stage `evaluate`: load the released model (`artifacts/model/`, through
 * lib/learn/model_io.ts, whichever its family) and score the untouched test
 * matrix. Reports every metric at 0.5 and at the card's threshold (with the
 * FPR actually reached), for all test rows and again for the test rows whose
 * feature vector never occurs in train.mat (`*_unseen`: a random split of
 * duplicated data scores partly by memory).
 *
 * Writes `artifacts/metrics.json` (flat), `artifacts/evaluate/predictions.csv`,
 * `artifacts/evaluate/roc.json`, `artifacts/evaluate/pr.json`,
 * `artifacts/evaluate/curves.svg`, and for the dashboard
 * `artifacts/evaluate/calibration.json` and `artifacts/evaluate/importance.json`.
 *
 * ```sh
 * deno run -A stages/evaluate.ts [--params params.yaml] [--data artifacts/transform] \
 *   [--model artifacts/model] [--out artifacts/evaluate] [--metrics artifacts/metrics.json]
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { type Matrix, readMatrix } from "../lib/learn/matrix.ts";
import { matrixFor } from "../lib/learn/expand_codes.ts";
import {
  atThreshold,
  downsampleCurve,
  prCurve,
  rocCurve,
  scoreReport,
} from "../lib/reports/metrics.ts";
import { evaluateInsights } from "../lib/reports/importance.ts";
import { loadReleasedModel } from "../lib/learn/model_io.ts";
import { treeRescorer } from "../lib/learn/tree_rescore.ts";
import { renderCurvesSvg } from "../lib/reports/plot_svg.ts";
import { BACKEND_CHOICES, type BackendChoice } from "../lib/learn/tf_backend.ts";
import { openSection } from "../lib/section.ts";
import { readYaml, type YamlFile } from "../lib/yaml.ts";
import { secondsSince, writeTextAtomic } from "./_common.ts";
import { addMulticlassMetrics } from "./_multiclass.ts";

/** The validated `evaluate` section. */
export interface EvaluateParams {
  /** Backend for batch scoring. */
  backend: BackendChoice;
  /** At most this many points per curve in roc.json, pr.json and the SVG. */
  curvePoints: number;
}

/**
 * Read and validate the `evaluate` section (every key optional; the section too).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readEvaluateParams } from "./evaluate.ts";
 * readEvaluateParams(parseYaml("evaluate:\n  curve_points: 50\n", "params.yaml")).curvePoints; // 50
 * ```
 */
export function readEvaluateParams(params: YamlFile): EvaluateParams {
  if ((params.value as Record<string, unknown> | null)?.evaluate === undefined) {
    return { backend: "auto", curvePoints: 200 };
  }
  const s = openSection(params, ["evaluate"]);
  const out: EvaluateParams = {
    backend: s.string("backend", { default: "auto", oneOf: BACKEND_CHOICES }),
    curvePoints: s.number("curve_points", { default: 200, integer: true, min: 10, max: 10000 }),
  };
  s.done();
  return out;
}

/**
 * Which rows of `test` have a feature vector (bit for bit) that no row of
 * `train` has.
 *
 * @example
 * ```ts
 * import { unseenRows } from "./evaluate.ts";
 * const m = (data: number[]) => ({ rows: data.length, cols: 1, columns: ["a"], data: new Float32Array(data), labels: new Uint8Array(data.length) });
 * unseenRows(m([1, 2]), m([2, 3])); // Uint8Array [0, 1]
 * ```
 */
export function unseenRows(train: Matrix, test: Matrix): Uint8Array {
  if (train.cols !== test.cols) throw new RangeError("train and test differ in width");
  // A row's bytes as a latin1 string: one character per byte, so equal keys are equal bits.
  const key = (m: Matrix, i: number) =>
    Buffer.from(m.data.buffer, m.data.byteOffset + i * m.cols * 4, m.cols * 4).toString("latin1");
  const seen = new Set<string>();
  for (let i = 0; i < train.rows; i++) seen.add(key(train, i));
  const out = new Uint8Array(test.rows);
  for (let i = 0; i < test.rows; i++) out[i] = seen.has(key(test, i)) ? 0 : 1;
  return out;
}

/** Options of {@linkcode runEvaluate}. */
export interface EvaluateOptions {
  /** The validated `evaluate` section. */
  params: EvaluateParams;
  /** Progress. */
  log: Logger;
  /** Folder with train.mat and test.mat (default `artifacts/transform`). */
  data?: string;
  /** Released model folder (default `artifacts/model`). */
  model?: string;
  /** Predictions and plots (default `artifacts/evaluate`). */
  out?: string;
  /** Metrics file (default `artifacts/metrics.json`). */
  metrics?: string;
}

async function readInput(path: string): Promise<Matrix> {
  try {
    return await readMatrix(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("input not found", {
        file: path,
        cause: err,
        hint: "run the transform stage",
      });
    }
    throw err;
  }
}

const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

function subset(labels: Uint8Array, scores: Float32Array, mask: Uint8Array) {
  const idx: number[] = [];
  mask.forEach((m, i) => m && idx.push(i));
  return { labels: idx.map((i) => labels[i]), scores: idx.map((i) => scores[i]) };
}

/** Every metric of one scored set at 0.5 and at the threshold, keys suffixed. */
function allMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
  suffix: string,
) {
  const out: Record<string, number | null> = {};
  const r = scoreReport(labels, scores);
  const t = atThreshold(labels, scores, threshold);
  const empty = labels.length === 0; // no rate is defined: write nulls, not zeros
  for (const [k, v] of Object.entries({ ...r, ...t })) {
    if (k === "threshold") continue;
    if (k === "n") out[`n_${suffix ? suffix.slice(1) : "test"}`] = v;
    else out[k + suffix] = empty ? null : round6(v);
  }
  return out;
}

/**
 * Run the stage; returns the flat metrics written.
 *
 * @example
 * ```ts ignore
 * import { readEvaluateParams, runEvaluate } from "./evaluate.ts";
 * const metrics = await runEvaluate({ params: readEvaluateParams(await readYaml("params.yaml")), log });
 * ```
 */
export async function runEvaluate(o: EvaluateOptions): Promise<Record<string, number | null>> {
  const start = performance.now();
  const { log } = o;
  const dataDir = o.data ?? "artifacts/transform";
  const outDir = o.out ?? "artifacts/evaluate";
  const model = await loadReleasedModel(o.model ?? "artifacts/model", {
    use: "batch",
    backend: o.params.backend,
    log,
  });
  try {
    const testFile = `${dataDir}/test.mat`;
    const coded = await readInput(testFile);
    const expected = model.card.features;
    // A family that cannot split on category codes takes their one-hot columns.
    const test = matrixFor(coded, expected);
    if (!test) {
      const at = coded.columns.findIndex((c, i) => c !== expected[i]);
      throw new DataError(
        `test features do not match the model's: column ${at + 1} is '${
          coded.columns[at]
        }', the model expects '${expected[at]}' (${coded.cols} vs ${expected.length} features)`,
        { file: testFile, hint: "train and evaluate on the same transform output" },
      );
    }
    const train = await readInput(`${dataDir}/train.mat`);
    const scores = model.predictProba(test.data, test.rows);
    // Codes and their one-hot columns tell the same rows apart: compare as transform wrote them.
    const unseen = unseenRows(train, coded);
    const u = subset(test.labels, scores, unseen);
    const metrics: Record<string, number | null> = {
      ...allMetrics(test.labels, scores, model.threshold, ""),
      threshold: model.threshold,
      target_fpr: model.card.threshold_choice?.target_fpr ?? null,
      ...allMetrics(u.labels, u.scores, model.threshold, "_unseen"),
    };
    const roc = rocCurve(test.labels, scores);
    const pr = prCurve(test.labels, scores);
    const rocPoints = downsampleCurve(roc, o.params.curvePoints, (p) => [p.fpr, p.tpr]);
    const prPoints = downsampleCurve(pr, o.params.curvePoints, (p) => [p.recall, p.precision]);
    const rows = ["row,label,probability,unseen"];
    for (let i = 0; i < test.rows; i++) {
      rows.push(`${i},${test.labels[i]},${scores[i].toFixed(6)},${unseen[i]}`);
    }
    await writeTextAtomic(`${outDir}/predictions.csv`, rows.join("\n") + "\n");
    await writeTextAtomic(
      `${outDir}/roc.json`,
      JSON.stringify({ roc_auc: metrics.roc_auc, points: rocPoints }, null, 1) + "\n",
    );
    await writeTextAtomic(
      `${outDir}/pr.json`,
      JSON.stringify({ pr_auc: metrics.pr_auc, points: prPoints }, null, 1) + "\n",
    );
    // Calibration and permutation importance for the dashboard (lib/reports/importance.ts);
    // a tree model rescored tree by tree (lib/learn/tree_rescore.ts: same scores, less work).
    const trees = model.trees;
    const insights = evaluateInsights({
      x: test.data,
      rows: test.rows,
      cols: test.cols,
      labels: test.labels,
      scores,
      predict: (x, n) => model.predictProba(x, n),
      preprocessJson: model.preprocessJson,
      names: test.columns,
      rescorer: trees && ((x, n) => treeRescorer(trees, x, n)),
    });
    for (const name of ["calibration", "importance"] as const) {
      await writeTextAtomic(
        `${outDir}/${name}.json`,
        JSON.stringify(insights[name], null, 1) + "\n",
      );
    }
    const prevalence = test.labels.reduce((s, l) => s + l, 0) / Math.max(1, test.rows);
    const op = { fpr: metrics.fpr_at_threshold ?? 0, tpr: metrics.recall_at_threshold ?? 0 };
    const label = `threshold ${model.threshold.toFixed(3)}`;
    const svg = renderCurvesSvg({
      title: `Test set: ${test.rows} rows, model ${model.version}`,
      subtitle: model.card.description,
      panels: [
        {
          title: `ROC (AUC ${metrics.roc_auc?.toFixed(4)})`,
          xLabel: "false-positive rate",
          yLabel: "true-positive rate",
          points: rocPoints.map((p) => ({ x: p.fpr, y: p.tpr })),
          baseline: [{ x: 0, y: 0 }, { x: 1, y: 1 }],
          mark: { x: op.fpr, y: op.tpr, label },
        },
        {
          title: `Precision-recall (AP ${metrics.pr_auc?.toFixed(4)})`,
          xLabel: "recall",
          yLabel: "precision",
          points: prPoints.map((p) => ({ x: p.recall, y: p.precision })),
          baseline: [{ x: 0, y: prevalence }, { x: 1, y: prevalence }],
          mark: { x: op.tpr, y: metrics.precision_at_threshold ?? 0, label },
        },
      ],
    });
    await writeTextAtomic(`${outDir}/curves.svg`, svg);
    await writeTextAtomic(
      o.metrics ?? "artifacts/metrics.json",
      JSON.stringify(metrics, null, 2) + "\n",
    );
    log.info("evaluate: done", {
      model: model.version,
      family: model.family,
      accuracy: metrics.accuracy,
      roc_auc: metrics.roc_auc,
      n_unseen: metrics.n_unseen,
      accuracy_unseen: metrics.accuracy_unseen,
      fpr_at_threshold: metrics.fpr_at_threshold,
      seconds: secondsSince(start),
    });
    return metrics;
  } finally {
    model.dispose();
  }
}

const USAGE =
  "deno run -A stages/evaluate.ts [--params params.yaml] [--data artifacts/transform] " +
  "[--model artifacts/model] [--out artifacts/evaluate] [--metrics artifacts/metrics.json]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: {
        params: { type: "string" },
        data: { type: "string" },
        model: { type: "string" },
        out: { type: "string" },
        metrics: { type: "string" },
      },
      maxPositionals: 0,
    });
    const str = (k: string) => values[k] as string | undefined;
    const metrics = await runEvaluate({
      params: readEvaluateParams(await readYaml(str("params") ?? "params.yaml")),
      log,
      data: str("data"),
      model: str("model"),
      out: str("out"),
      metrics: str("metrics"),
    });
    // Opt-in (schema target.mode: multiclass): per-class metrics of the class model.
    await addMulticlassMetrics(metrics, {
      modelDir: str("model") ?? "artifacts/model",
      data: str("data") ?? "artifacts/transform",
      out: str("out") ?? "artifacts/evaluate",
      metricsFile: str("metrics") ?? "artifacts/metrics.json",
      log,
    });
  });
}
