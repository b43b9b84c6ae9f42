/**
 * The model families and, for the TensorFlow.js ones, the networks:
 * logistic regression (no hidden layer) and a multi-layer perceptron, both
 * ending in one sigmoid unit that gives the probability of "threat"; scoring;
 * and merging several trained networks of one config into one. Every
 * initializer is seeded, and dropout draws a fresh seed from a seeded
 * generator at every step (lib/learn/fit.ts trains). The tree families (`gbdt`,
 * `extra_trees`) live in lib/learn/trees.ts.
 *
 * The model that is saved is an inference copy without dropout layers (they
 * have no weights), so the released `model.json` holds only Dense layers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Matrix } from "./matrix.ts";
import { createRng, type Rng } from "../rng.ts";
import { describeTreeConfig, isTreeModel, type TreeConfig, type TreeModel } from "./trees.ts";

import type { NetFamily } from "./families.ts";
export { FAMILIES, type Family, type NetFamily } from "./families.ts";

/** One point of a network family's hyperparameter space: everything that defines a network. */
export interface ModelConfig {
  /** Model family. */
  family: NetFamily;
  /** Hidden layer widths (empty for `logreg`). */
  hidden: number[];
  /** Dropout rate after each hidden layer, in [0, 1). */
  dropout: number;
  /** L2 penalty on every kernel. */
  l2: number;
  /** Adam learning rate. */
  learningRate: number;
}

/** A candidate of any family: a network config or a tree config. */
export type CandidateConfig = ModelConfig | TreeConfig;

/** A trained model of any family: a TensorFlow.js network or a tree ensemble (plain data). */
export type TrainedModel = tf.LayersModel | TreeModel;

/**
 * Whether a config is a TensorFlow.js network's (`logreg`, `mlp`).
 *
 * @example
 * ```ts
 * import { isNetConfig } from "./models.ts";
 * isNetConfig({ family: "logreg", hidden: [], dropout: 0, l2: 0, learningRate: 0.01 }); // true
 * ```
 */
export function isNetConfig(c: CandidateConfig): c is ModelConfig {
  return c.family === "logreg" || c.family === "mlp";
}

/**
 * Free a trained model's tensors (tree models hold none).
 *
 * @example
 * ```ts ignore
 * import { disposeModel } from "./models.ts";
 * disposeModel(model);
 * ```
 */
export function disposeModel(m: TrainedModel): void {
  if (!isTreeModel(m)) m.dispose();
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
export function describeConfig(c: CandidateConfig): string {
  if (!isNetConfig(c)) return describeTreeConfig(c);
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
    ...(m.categorical ? { categorical: m.categorical } : {}),
    ...(m.categories ? { categories: m.categories } : {}),
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

/**
 * One plain stack of Dense layers equal to the average of the members' logits
 * (members share one config): the first hidden layers side by side, later
 * hidden layers block-diagonal, and an output unit weighting each branch by
 * 1/n. `sigmoid(mean logit)` is a standard way to average networks, and the
 * result stays an ordinary `mlp` (hidden widths x n) that any Dense-stack
 * reader scores. One member is returned as it is; the members stay the caller's.
 *
 * @example
 * ```ts ignore
 * import { averageLogits } from "./models.ts";
 * const ensemble = averageLogits([a, b, c], config); // mlp[192,96] for three mlp[64,32]
 * ```
 */
export function averageLogits(members: tf.LayersModel[], config: ModelConfig): tf.LayersModel {
  if (members.length === 0) throw new RangeError("an ensemble needs members");
  if (members.length === 1) return members[0];
  const n = members.length;
  const inputDim = members[0].inputs[0].shape[1] as number;
  const hidden = config.family === "mlp" ? config.hidden : [];
  const wide = buildModel({ ...config, hidden: hidden.map((h) => h * n), dropout: 0 }, inputDim, {
    seed: 0,
  });
  // Per member, per layer: [kernel, bias] values; kernels are [in, out] row-major.
  const parts = members.map((m) => m.layers.map((l) => l.getWeights().map((w) => w.dataSync())));
  const weights: tf.Tensor[] = [];
  const widths = [inputDim, ...hidden, 1];
  for (let layer = 0; layer < widths.length - 1; layer++) {
    const [rows, cols] = [widths[layer], widths[layer + 1]];
    const isOutput = layer === widths.length - 2;
    const wideRows = layer === 0 ? rows : rows * n;
    const wideCols = isOutput ? 1 : cols * n;
    const kernel = new Float32Array(wideRows * wideCols);
    const bias = new Float32Array(wideCols);
    parts.forEach((p, k) => {
      const [w, b] = p[layer];
      const r0 = layer === 0 ? 0 : k * rows;
      const c0 = isOutput ? 0 : k * cols;
      const scale = isOutput ? 1 / n : 1;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          kernel[(r0 + r) * wideCols + c0 + c] += w[r * cols + c] * scale;
        }
      }
      for (let c = 0; c < cols; c++) bias[c0 + c] += b[c] * scale;
    });
    weights.push(tf.tensor2d(kernel, [wideRows, wideCols]), tf.tensor1d(bias));
  }
  wide.setWeights(weights);
  weights.forEach((w) => w.dispose());
  return wide;
}
