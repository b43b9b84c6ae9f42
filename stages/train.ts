/**
 * Stage `train`: carve a stratified, seeded validation split out of
 * `artifacts/transform/train.mat`, search the hyperparameter space of
 * `params.yaml` `train.search` across every family listed there (TensorFlow.js
 * networks `logreg`/`mlp`, tree ensembles `gbdt`/`extra_trees`; each candidate
 * with early stopping on the validation split), keep the best candidate by
 * `train.selection_metric`, refit it on train + validation (`train.refit`;
 * networks: as a seed ensemble, `train.ensemble`), choose the decision
 * threshold for `train.target_fpr` on the validation split, and release the
 * model to `artifacts/model/` (lib/learn/model_io.ts: model.json + weights.bin
 * or trees.json, preprocess.json, card.json). The test matrix is never read.
 *
 * The search is successive halving (lib/learn/search.ts, `train.search.eta`):
 * every candidate first trains on a small share of the rows, the best third
 * go on with three times more, until one has trained on all of them;
 * `train.budget_seconds` is only a safety cap.
 *
 * Writes `artifacts/train/history.json` (per-epoch curves of every
 * candidate, at the last rung each reached) and `artifacts/train/metrics.json`
 * (validation metrics of the released model); with env
 * THREATLINE_RUN_RECORD_DIR set, the seconds each candidate took go to
 * `train_timings.json` there (not into an out: they vary from run to run).
 *
 * ```sh
 * deno run -A stages/train.ts [--params params.yaml] [--data artifacts/transform] \
 *   [--model artifacts/model] [--out artifacts/train]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { decodeMatrix, type Matrix } from "../lib/learn/matrix.ts";
import { atThreshold, scoreReport, thresholdForFpr } from "../lib/reports/metrics.ts";
import { type ModelCard, saveReleasedModel, sha256Hex } from "../lib/learn/model_io.ts";
import { disposeModel, isNetConfig, takeRows } from "../lib/learn/models.ts";
import { releasedPreprocess } from "../lib/learn/expand_codes.ts";
import { candidates, runSearch, type SearchOutcome } from "../lib/learn/search.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { refitChoice } from "../lib/learn/refit_choice.ts";
import { backendFor } from "../lib/learn/tf_backend.ts";
import { readYaml } from "../lib/yaml.ts";
import { secondsSince, writeTextAtomic } from "./_common.ts";
import { readTrainParams, type TrainParams } from "./_train_params.ts";
import { finalModel } from "./_final_model.ts";
import { trainMulticlass } from "./_multiclass.ts";

export { readTrainParams, type TrainParams } from "./_train_params.ts";

/** Options of {@linkcode runTrain}: the params, the logger and where it reads and writes. */
export interface TrainOptions {
  /** The validated `train` section. */
  params: TrainParams;
  /** The `train` section as written (recorded in the card). */
  raw?: unknown;
  /** Progress. */
  log: Logger;
  /** Folder with train.mat and preprocess.json (default `artifacts/transform`). */
  data?: string;
  /** Released model folder (default `artifacts/model`). */
  model?: string;
  /** history.json and metrics.json (default `artifacts/train`). */
  out?: string;
  /** Folder of the run record (env THREATLINE_RUN_RECORD_DIR): train_timings.json goes there. */
  runRecordDir?: string;
  /** A file the model needs at inference, copied into the model folder (`--attach`). */
  attach?: string;
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
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

function checkTrainable(m: Matrix, file: string): void {
  let threats = 0;
  for (const l of m.labels) threats += l;
  if (threats < 2 || m.rows - threats < 2) {
    throw new DataError(
      `train needs at least 2 rows of each class, got ${threats} threat / ${
        m.rows - threats
      } benign`,
      {
        file,
      },
    );
  }
}

const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

/**
 * Run the stage; returns the released card.
 *
 * @example
 * ```ts ignore
 * import { readTrainParams, runTrain } from "./train.ts";
 * const card = await runTrain({ params: readTrainParams(await readYaml("params.yaml")), log });
 * ```
 */
export async function runTrain(o: TrainOptions): Promise<ModelCard> {
  const { params: p, log } = o;
  const start = performance.now();
  const dataDir = o.data ?? "artifacts/transform";
  const outDir = o.out ?? "artifacts/train";
  const backend = await backendFor("training", p.backend, log);
  const trainFile = `${dataDir}/train.mat`;
  const bytes = await readInput(trainFile);
  const preprocess = await readInput(`${dataDir}/preprocess.json`);
  const all = decodeMatrix(bytes, trainFile);
  checkTrainable(all, trainFile);
  const split = stratifiedSplit(all.labels, { testSize: p.validationSize, seed: p.seed });
  const train = takeRows(all, split.train);
  const val = takeRows(all, split.test);
  const configs = candidates(p.search, p.seed);
  log.info("train: start", {
    backend,
    rows: all.rows,
    features: all.cols,
    train: train.rows,
    validation: val.rows,
    candidates: configs.length,
    metric: p.selectionMetric,
  });
  const search = await runSearch({
    configs,
    train,
    val,
    seed: p.seed,
    epochs: p.epochs,
    patience: p.patience,
    batchSize: p.batchSize,
    metric: p.selectionMetric,
    eta: p.search.eta,
    minRows: p.search.minRows,
    maxFirstRows: p.search.maxFirstRows,
    budgetSeconds: p.budgetSeconds,
    // The winner's refit may grow beside the last rung (unused if `auto` says no).
    ...(p.refit !== false ? { refitOn: all } : {}),
    log,
  });
  if (o.runRecordDir) await writeTimings(o.runRecordDir, search);
  const owned: tf.LayersModel[] = [];
  try {
    const best = search.results[search.best];
    const net = isNetConfig(best.config);
    const choice = refitChoice({ last: best, previous: best.previous }, {
      validationSize: p.validationSize,
      minGain: p.refit === "auto" ? p.refitMinGain : 0,
    });
    const refit = p.refit === "auto" ? choice.refit : p.refit;
    if (p.refit === "auto") log.info("refit choice", { ...choice });
    const ensemble = net ? p.ensemble : 1;
    const { model: released, valScores } = await finalModel({
      p,
      refit,
      best,
      search,
      all,
      train,
      val,
      log,
      owned,
    });
    // A family that cannot split on category codes is released with their
    // one-hot columns (lib/learn/expand_codes.ts), so scorers encode as it was fitted.
    const release = releasedPreprocess(
      preprocess,
      best.config.family,
      `${dataDir}/preprocess.json`,
    );
    const valReport = scoreReport(val.labels, valScores);
    const chosen = thresholdForFpr(val.labels, valScores, p.targetFpr);
    if (chosen.threshold === Number.MAX_VALUE) {
      log.warn("no threshold meets the FPR budget on validation: the model flags nothing", {
        target_fpr: p.targetFpr,
      });
    }
    const metrics: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(valReport)) metrics[k] = round6(v);
    for (
      const [k, v] of Object.entries(atThreshold(val.labels, valScores, chosen.threshold))
    ) {
      metrics[k] = round6(v);
    }
    metrics.target_fpr = p.targetFpr;
    metrics.best_epoch = best.bestEpoch;
    metrics.candidates = search.results.length;
    const seconds = secondsSince(start);
    const card = await saveReleasedModel({
      dir: o.model ?? "artifacts/model",
      model: released,
      preprocess: release.bytes,
      attach: o.attach
        ? [[o.attach.slice(o.attach.lastIndexOf("/") + 1), await Deno.readFile(o.attach)]]
        : undefined,
      log,
      card: {
        created: new Date().toISOString(),
        config: best.config,
        description: ensemble > 1 ? `${best.label} x${ensemble}` : best.label,
        features: release.columns ?? all.columns,
        threshold: chosen.threshold,
        threshold_choice: {
          target_fpr: p.targetFpr,
          validation_fpr: chosen.fpr,
          validation_tpr: chosen.tpr,
        },
        validation: metrics,
        train_data: {
          file: trainFile,
          sha256: sha256Hex(bytes),
          rows: all.rows,
          train_rows: train.rows,
          validation_rows: val.rows,
        },
        params: o.raw ?? null,
        backend: { training: backend, tfjs: tf.version.tfjs },
        training: {
          candidate: best.id,
          selection_metric: p.selectionMetric,
          best_epoch: best.bestEpoch,
          candidates: search.results.length,
          refit,
          ...(p.refit === "auto" ? { refit_choice: choice } : {}),
          ensemble,
          fit_rows: refit ? all.rows : train.rows,
          validation_metrics_of: refit
            ? `the early-stopped candidate${net ? " (one seed)" : ""}, before the refit`
            : "this model",
          seconds,
        },
      },
    });
    const history = {
      selection_metric: p.selectionMetric,
      chosen: best.id,
      candidates: search.results.map((r) => ({
        id: r.id,
        label: r.label,
        config: r.config,
        best_epoch: r.bestEpoch,
        rung: r.rung,
        rows: r.rows,
        validation: Object.fromEntries(Object.entries(r.val).map(([k, v]) => [k, round6(v)])),
        epochs: r.history.map((e) =>
          Object.fromEntries(Object.entries(e).map(([k, v]) => [k, k === "epoch" ? v : round6(v)]))
        ),
      })),
    };
    await writeTextAtomic(`${outDir}/history.json`, JSON.stringify(history, null, 1) + "\n");
    await writeTextAtomic(`${outDir}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
    log.info("train: done", {
      chosen: best.label,
      ensemble,
      [`val_${p.selectionMetric}`]: valReport[p.selectionMetric],
      val_accuracy: valReport.accuracy,
      threshold: chosen.threshold,
      version: card.version,
      seconds,
    });
    return card;
  } finally {
    owned.forEach((m) => m.dispose());
    disposeModel(search.model);
  }
}

/**
 * Per-candidate times go to the run record, never to a hashed out (they
 * differ from run to run): `<dir>/train_timings.json`.
 */
async function writeTimings(dir: string, search: SearchOutcome): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const body = { candidates: search.timings, budget_cut: search.cut };
  await writeTextAtomic(`${dir}/train_timings.json`, JSON.stringify(body, null, 1) + "\n");
}

const USAGE =
  "deno run -A stages/train.ts [--params params.yaml] [--data artifacts/transform] [--model artifacts/model] [--out artifacts/train] [--attach FILE]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: {
        params: { type: "string" },
        data: { type: "string" },
        model: { type: "string" },
        out: { type: "string" },
        attach: { type: "string" },
      },
      maxPositionals: 0,
    });
    const y = await readYaml((values.params as string | undefined) ?? "params.yaml");
    const runRecordDir = Deno.env.get("THREATLINE_RUN_RECORD_DIR") || undefined;
    const params = readTrainParams(y);
    await runTrain({
      runRecordDir,
      params,
      raw: (y.value as Record<string, unknown>).train,
      log,
      data: values.data as string | undefined,
      model: values.model as string | undefined,
      out: values.out as string | undefined,
      attach: values.attach as string | undefined,
    });
    // Opt-in (schema target.mode: multiclass): the class model beside the binary one.
    await trainMulticlass({
      params: y,
      data: (values.data as string | undefined) ?? "artifacts/transform",
      modelDir: (values.model as string | undefined) ?? "artifacts/model",
      seed: params.seed,
      log,
    });
  });
}
