/**
 * Training loops: one candidate with early stopping on the validation split,
 * and a refit for a fixed number of epochs. Deterministic: rows are shuffled
 * every epoch with `lib/rng.ts` (never `model.fit`'s Math.random
 * shuffle), and initializers and dropout are seeded (lib/learn/models.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Logger, nullLogger } from "../log.ts";
import type { Matrix } from "./matrix.ts";
import {
  type EpochRecord,
  epochRecord,
  isBetter,
  type ScoreReport,
  scoreReport,
  type SelectionMetric,
} from "../reports/metrics.ts";
import { fastScoreReport } from "./_fast_report.ts";
import { buildModel, gatherRows, type ModelConfig, predictProba } from "./models.ts";
import { createRng, shuffle } from "../rng.ts";
import { expandCodes } from "./expand_codes.ts";

export type { EpochRecord } from "../reports/metrics.ts";

/** Options of {@linkcode trainCandidate}. */
export interface TrainOptions {
  /** What to build. */
  config: ModelConfig;
  /** Training rows. */
  train: Matrix;
  /** Validation rows (early stopping). */
  val: Matrix;
  /** Seed of initializers, shuffles and dropout. */
  seed: number;
  /** Maximum epochs. */
  epochs: number;
  /** Stop after this many epochs without improvement. */
  patience: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Validation metric that decides the best epoch. */
  metric: SelectionMetric;
  /** Progress, one info line per epoch. */
  log?: Logger;
  /** Label of this candidate in the log. */
  label?: string;
}

/** A trained candidate. */
export interface TrainedCandidate {
  /** Inference model (no dropout) with the best epoch's weights. */
  model: tf.Sequential;
  /** Per-epoch records. */
  history: EpochRecord[];
  /** Epoch whose weights were kept. */
  bestEpoch: number;
  /** Validation probabilities of the kept weights. */
  valScores: Float32Array;
}

/**
 * The validation report of a candidate's scores: `_fast_report.ts`'s radix-sorted
 * report (the same numbers as metrics.ts's `scoreReport`, tested bit for bit;
 * on 160,000 validation rows it saves about a tenth of a second per epoch),
 * or `scoreReport` itself when a diverged network scored NaN.
 *
 * @example
 * ```ts
 * import { validationReport } from "./fit.ts";
 * validationReport(Uint8Array.of(0, 1), Float32Array.of(0.2, 0.9)).roc_auc; // 1
 * ```
 */
export function validationReport(labels: Uint8Array, scores: Float32Array): ScoreReport {
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] !== scores[i]) return scoreReport(labels, scores);
  }
  return fastScoreReport(labels, scores);
}

/**
 * Let queued events run (a macrotask turn): TF.js's `fit` resolves its
 * promises without one, so without this the search's tree lanes
 * (lib/learn/_search_lanes.ts) would wait for a whole network before their
 * finished candidates are seen and they get the next one.
 */
const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const metricOf = (r: EpochRecord, m: SelectionMetric): number =>
  m === "log_loss" ? r.val_log_loss : r[`val_${m}`];

/** A compiled network and its seeded epoch loop over a fixed training set. */
interface Trainer {
  net: tf.Sequential;
  /** Run one epoch over freshly shuffled rows; returns the mean loss. */
  epoch(): Promise<number>;
  dispose(): void;
}

function makeTrainer(config: ModelConfig, train: Matrix, seed: number, batchSize: number): Trainer {
  const rng = createRng(seed);
  const { cols, rows } = train;
  const net = buildModel(config, cols, { seed: rng.uint32(), dropoutRng: createRng(rng.uint32()) });
  const optimizer = tf.train.adam(config.learningRate);
  net.compile({ optimizer, loss: "binaryCrossentropy" });
  const shuffleRng = createRng(rng.uint32());
  const order = Array.from({ length: rows }, (_, i) => i);
  const xs = new Float32Array(rows * cols);
  const ys = new Float32Array(rows);
  return {
    net,
    async epoch() {
      shuffle(order, shuffleRng);
      gatherRows(train.data, cols, order, xs);
      for (let i = 0; i < rows; i++) ys[i] = train.labels[order[i]];
      const x = tf.tensor2d(xs, [rows, cols]);
      const y = tf.tensor2d(ys, [rows, 1]);
      try {
        const h = await net.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
        return h.history.loss[0] as number;
      } finally {
        x.dispose();
        y.dispose();
      }
    },
    dispose() {
      net.dispose();
      optimizer.dispose();
    },
  };
}

function inferenceCopy(config: ModelConfig, cols: number, weights: tf.Tensor[]): tf.Sequential {
  const model = buildModel(config, cols, { seed: 0 });
  model.setWeights(weights);
  return model;
}

/**
 * Train one candidate with early stopping on the validation split and return
 * an inference model holding the best epoch's weights.
 *
 * @example
 * ```ts ignore
 * import { trainCandidate } from "./models.ts";
 * const { model, bestEpoch } = await trainCandidate({ config, train, val, seed: 1, epochs: 50, patience: 8, batchSize: 64, metric: "roc_auc", log });
 * ```
 */
export async function trainCandidate(o: TrainOptions): Promise<TrainedCandidate> {
  const log = o.log ?? nullLogger;
  // A network sees category codes as their one-hot columns (expand_codes.ts).
  const train = expandCodes(o.train), val = expandCodes(o.val);
  const trainer = makeTrainer(o.config, train, o.seed, o.batchSize);
  const history: EpochRecord[] = [];
  let best:
    | { epoch: number; value: number; weights: tf.Tensor[]; scores: Float32Array }
    | undefined;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const loss = await trainer.epoch();
      await yieldToEvents();
      const scores = predictProba(trainer.net, val.data, val.rows);
      const r = validationReport(val.labels, scores);
      const rec = epochRecord(epoch, loss, r);
      history.push(rec);
      const value = metricOf(rec, o.metric);
      const improved = !best || isBetter(o.metric, value, best.value);
      log.info("epoch", {
        candidate: o.label,
        epoch,
        loss,
        val_loss: r.log_loss,
        val_auc: r.roc_auc,
        val_acc: r.accuracy,
        best: improved ? "*" : undefined,
      });
      await yieldToEvents();
      if (improved) {
        best?.weights.forEach((w) => w.dispose());
        best = { epoch, value, weights: trainer.net.getWeights().map((w) => w.clone()), scores };
      } else if (epoch - best!.epoch >= o.patience) {
        break;
      }
    }
    const model = inferenceCopy(o.config, train.cols, best!.weights);
    return { model, history, bestEpoch: best!.epoch, valScores: best!.scores };
  } finally {
    best?.weights.forEach((w) => w.dispose());
    trainer.dispose();
  }
}

/** Options of {@linkcode refitCandidate}. */
export interface RefitOptions {
  /** What to build. */
  config: ModelConfig;
  /** All rows to fit (training and validation together). */
  train: Matrix;
  /** Seed of initializers, shuffles and dropout. */
  seed: number;
  /** Exactly this many epochs (the early-stopped candidate's best epoch). */
  epochs: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Progress, one info line per epoch. */
  log?: Logger;
  /** Label in the log. */
  label?: string;
}

/**
 * Train a chosen config for a fixed number of epochs on all rows (no
 * validation left to stop on) and return its inference model.
 *
 * @example
 * ```ts ignore
 * import { refitCandidate } from "./models.ts";
 * const model = await refitCandidate({ config, train: all, seed: 1, epochs: 32, batchSize: 64, log });
 * ```
 */
export async function refitCandidate(o: RefitOptions): Promise<tf.Sequential> {
  const log = o.log ?? nullLogger;
  const train = expandCodes(o.train);
  const trainer = makeTrainer(o.config, train, o.seed, o.batchSize);
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const loss = await trainer.epoch();
      log.info("epoch", { candidate: o.label, refit: true, epoch, loss });
    }
    return inferenceCopy(o.config, train.cols, trainer.net.getWeights());
  } finally {
    trainer.dispose();
  }
}
