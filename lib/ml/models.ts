/**
 * Model families on TensorFlow.js: logistic regression (no hidden layer) and
 * a multi-layer perceptron, both ending in one sigmoid unit that gives the
 * probability of "threat". Training is deterministic: every initializer is
 * seeded, rows are shuffled with `lib/ml/rng.ts` (never `model.fit`'s
 * Math.random shuffle), and dropout draws a fresh seed from the same
 * generator at every step.
 *
 * The model that is saved is an inference copy without dropout layers (they
 * have no weights), so the released `model.json` holds only standard layers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Logger, nullLogger } from "../log.ts";
import type { Matrix } from "./matrix.ts";
import { isBetter, scoreReport, type SelectionMetric } from "./metrics.ts";
import { createRng, type Rng, shuffle } from "./rng.ts";

/** A model family. */
export type Family = "logreg" | "mlp";

/** The values a `family` accepts. */
export const FAMILIES: readonly Family[] = ["logreg", "mlp"];

/** One point of the hyperparameter space: everything that defines a model. */
export interface ModelConfig {
  /** Model family. */
  family: Family;
  /** Hidden layer widths (empty for `logreg`). */
  hidden: number[];
  /** Dropout rate after each hidden layer, in [0, 1). */
  dropout: number;
  /** L2 penalty on every kernel. */
  l2: number;
  /** Adam learning rate. */
  learningRate: number;
}

/**
 * A short human label of a config, e.g. `mlp[64,32] lr=0.003 l2=0.0001 dropout=0.1`.
 *
 * @example
 * ```ts
 * import { describeConfig } from "./models.ts";
 * describeConfig({ family: "logreg", hidden: [], dropout: 0, l2: 0, learningRate: 0.01 });
 * // "logreg lr=0.01 l2=0"
 * ```
 */
export function describeConfig(c: ModelConfig): string {
  const arch = c.family === "mlp" ? `mlp[${c.hidden.join(",")}]` : "logreg";
  const drop = c.family === "mlp" && c.dropout > 0 ? ` dropout=${c.dropout}` : "";
  return `${arch} lr=${c.learningRate} l2=${c.l2}${drop}`;
}

/** Dropout whose mask changes every step yet is reproducible: each call takes a seed from an {@linkcode Rng}. */
class SeededDropout extends tf.layers.Layer {
  static className = "SeededDropout";
  readonly #rate: number;
  readonly #rng: Rng;

  constructor(name: string, rate: number, rng: Rng) {
    super({ name });
    this.#rate = rate;
    this.#rng = rng;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }

  // deno-lint-ignore no-explicit-any
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, any>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs["training"] !== true || this.#rate === 0) return x;
    return tf.dropout(x, this.#rate, undefined, this.#rng.uint32());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.#rate };
  }
}

/** Options of {@linkcode buildModel}. */
export interface BuildOptions {
  /** Seed of the weight initializers. */
  seed: number;
  /** Dropout seeds come from here; without it no dropout layer is added (inference). */
  dropoutRng?: Rng;
}

/**
 * Build (uncompiled) the network of a config for `inputDim` features.
 *
 * @example
 * ```ts ignore
 * import { buildModel } from "./models.ts";
 * const m = buildModel({ family: "mlp", hidden: [8], dropout: 0, l2: 0, learningRate: 0.01 }, 4, { seed: 1 });
 * m.outputs[0].shape; // [null, 1]
 * ```
 */
export function buildModel(
  config: ModelConfig,
  inputDim: number,
  options: BuildOptions,
): tf.Sequential {
  const seeds = createRng(options.seed);
  const regularizer = () => (config.l2 > 0 ? tf.regularizers.l2({ l2: config.l2 }) : undefined);
  // Fixed names (tfjs would number them from a process-wide counter), so the
  // saved topology, and the model version hashed from it, depend only on the config.
  const model = tf.sequential({ name: "threat_model" });
  // The first layer carries the input shape (no separate InputLayer in model.layers).
  let inputShape: number[] | undefined = [inputDim];
  const hidden = config.family === "mlp" ? config.hidden : [];
  for (const [i, units] of hidden.entries()) {
    model.add(tf.layers.dense({
      name: `hidden_${i + 1}`,
      inputShape,
      units,
      activation: "relu",
      kernelInitializer: tf.initializers.heNormal({ seed: seeds.uint32() }),
      biasInitializer: "zeros",
      kernelRegularizer: regularizer(),
    }));
    inputShape = undefined;
    if (options.dropoutRng && config.dropout > 0) {
      const rng = createRng(options.dropoutRng.uint32());
      model.add(new SeededDropout(`dropout_${i + 1}`, config.dropout, rng));
    }
  }
  model.add(tf.layers.dense({
    name: "output",
    inputShape,
    units: 1,
    activation: "sigmoid",
    kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.uint32() }),
    biasInitializer: "zeros",
    kernelRegularizer: regularizer(),
  }));
  return model;
}

/**
 * Copy rows `idx` of a row-major matrix into `out` (allocated when absent).
 *
 * @example
 * ```ts
 * import { gatherRows } from "./models.ts";
 * gatherRows(new Float32Array([1, 2, 3, 4, 5, 6]), 2, [2, 0]); // Float32Array [5, 6, 1, 2]
 * ```
 */
export function gatherRows(
  data: Float32Array,
  cols: number,
  idx: ArrayLike<number>,
  out = new Float32Array(idx.length * cols),
): Float32Array {
  for (let i = 0; i < idx.length; i++) {
    out.set(data.subarray(idx[i] * cols, (idx[i] + 1) * cols), i * cols);
  }
  return out;
}

/**
 * The rows `idx` of a matrix as a new matrix.
 *
 * @example
 * ```ts
 * import { takeRows } from "./models.ts";
 * const m = { rows: 2, cols: 1, columns: ["a"], data: new Float32Array([1, 2]), labels: new Uint8Array([0, 1]) };
 * takeRows(m, [1]).labels; // Uint8Array [1]
 * ```
 */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) labels[i] = m.labels[idx[i]];
  return {
    rows: idx.length,
    cols: m.cols,
    columns: m.columns,
    data: gatherRows(m.data, m.cols, idx),
    labels,
  };
}

/**
 * Probability of "threat" for each row, scored in chunks of `chunkRows`.
 *
 * @example
 * ```ts ignore
 * import { predictProba } from "./models.ts";
 * const p = predictProba(model, features, rows); // Float32Array of `rows`
 * ```
 */
export function predictProba(
  model: tf.LayersModel,
  features: Float32Array,
  rows: number,
  chunkRows = 16384,
): Float32Array {
  const cols = model.inputs[0].shape[1] as number;
  if (features.length !== rows * cols) {
    throw new RangeError(
      `expected ${rows}x${cols} = ${rows * cols} values, got ${features.length}`,
    );
  }
  const out = new Float32Array(rows);
  for (let start = 0; start < rows; start += chunkRows) {
    const n = Math.min(chunkRows, rows - start);
    const part = tf.tidy(() => {
      const x = tf.tensor2d(features.subarray(start * cols, (start + n) * cols), [n, cols]);
      // One batch: predict()'s default of 32 rows per batch costs more than the math.
      return (model.predict(x, { batchSize: n }) as tf.Tensor).dataSync();
    });
    out.set(part, start);
  }
  return out;
}

/** One epoch of a candidate's training, as plot data. */
export interface EpochRecord {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss (cross-entropy + L2) over the epoch's batches. */
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
  const trainer = makeTrainer(o.config, o.train, o.seed, o.batchSize);
  const history: EpochRecord[] = [];
  let best:
    | { epoch: number; value: number; weights: tf.Tensor[]; scores: Float32Array }
    | undefined;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const loss = await trainer.epoch();
      const scores = predictProba(trainer.net, o.val.data, o.val.rows);
      const r = scoreReport(o.val.labels, scores);
      const rec: EpochRecord = {
        epoch,
        loss,
        val_log_loss: r.log_loss,
        val_roc_auc: r.roc_auc,
        val_pr_auc: r.pr_auc,
        val_accuracy: r.accuracy,
        val_f1: r.f1,
      };
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
      if (improved) {
        best?.weights.forEach((w) => w.dispose());
        best = { epoch, value, weights: trainer.net.getWeights().map((w) => w.clone()), scores };
      } else if (epoch - best!.epoch >= o.patience) {
        break;
      }
    }
    const model = inferenceCopy(o.config, o.train.cols, best!.weights);
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
  const trainer = makeTrainer(o.config, o.train, o.seed, o.batchSize);
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const loss = await trainer.epoch();
      log.info("epoch", { candidate: o.label, refit: true, epoch, loss });
    }
    return inferenceCopy(o.config, o.train.cols, trainer.net.getWeights());
  } finally {
    trainer.dispose();
  }
}

/**
 * One model averaging the probabilities of several trained networks (same
 * input): each member's dense layers are copied into a branch, and an
 * `average` layer joins them. Only standard layers, so any tfjs loader reads
 * it. One member is returned as it is. The members stay the caller's.
 *
 * @example
 * ```ts ignore
 * import { assembleEnsemble } from "./models.ts";
 * const ensemble = assembleEnsemble([a, b, c]);
 * ```
 */
export function assembleEnsemble(members: tf.LayersModel[]): tf.LayersModel {
  if (members.length === 0) throw new RangeError("an ensemble needs members");
  if (members.length === 1) return members[0];
  const input = tf.input({ shape: [members[0].inputs[0].shape[1] as number], name: "features" });
  const branches = members.map((m, k) => {
    let h = input;
    for (const layer of m.layers) {
      const { units, activation } = layer.getConfig() as {
        units: number;
        activation: "relu" | "sigmoid";
      };
      const copy = tf.layers.dense({
        name: `m${k + 1}_${layer.name}`,
        units,
        activation,
        weights: layer.getWeights(),
      });
      h = copy.apply(h) as tf.SymbolicTensor;
    }
    return h;
  });
  const mean = tf.layers.average({ name: "mean" }).apply(branches) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: mean, name: "threat_ensemble" });
}
