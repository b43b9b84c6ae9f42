/**
 * What the histogram pool (`_hist_pool.ts`) and its workers (`_hist_worker.ts`)
 * share: the control words, the buffers a worker gets once, and the loop that
 * takes a job's features one at a time (or, for the gradients of the next
 * tree, its row chunks: {@linkcode takeGradientChunks}). Kept apart so the worker does not
 * import the module that starts it.
 *
 * @module
 */
import { fillFeatures, type HistogramJob, type HistogramLayout } from "./_tree_hist.ts";

/** Control words shared with the workers. */
export const CTRL = {
  seq: 0,
  done: 1,
  start: 2,
  end: 3,
  all: 4,
  slot: 5,
  nFeatures: 6,
  stop: 7,
  next: 8,
  completed: 9,
  counts: 10,
  /** 0: a histogram job; 1: a gradients job. */
  kind: 11,
  /** Row chunks of a gradients job. */
  nChunks: 12,
  /** 1: a gradients job also writes each row's loss term. */
  withLoss: 13,
};

/** Probabilities are clipped to [eps, 1 - eps] in the log loss, as in metrics.ts's `logLoss`. */
export const LOSS_EPS = 1e-7;

/** The arrays of a gradients job. */
export interface GradientArrays {
  /** Raw scores. */
  raw: Float64Array;
  /** 0/1 per row. */
  labels: Uint8Array;
  /** Gradient per row (out). */
  g: Float64Array;
  /** Hessian per row (out). */
  h: Float64Array;
  /** Each row's log-loss term (out; `log p` of its label), when given. */
  loss?: Float64Array;
}

/**
 * The logistic loss's gradients and hessians of rows `[a, b)` (each row on
 * its own, so any split of the rows gives the same numbers), and with
 * `loss` each row's term `log(p of its label)`, summed by the caller in row
 * order.
 *
 * @example
 * ```ts
 * import { logisticGradients } from "./_hist_shared.ts";
 * const g = new Float64Array(1), h = new Float64Array(1);
 * logisticGradients({ raw: Float64Array.of(0), labels: Uint8Array.of(1), g, h }, 0, 1);
 * // g = [-0.5], h = [0.25]
 * ```
 */
export function logisticGradients(s: GradientArrays, a: number, b: number): void {
  const { raw, labels, g, h, loss } = s;
  if (!loss) {
    for (let i = a; i < b; i++) {
      const q = 1 / (1 + Math.exp(-raw[i]));
      g[i] = q - labels[i];
      h[i] = q * (1 - q);
    }
    return;
  }
  for (let i = a; i < b; i++) {
    const q = 1 / (1 + Math.exp(-raw[i]));
    g[i] = q - labels[i];
    h[i] = q * (1 - q);
    const pr = Math.min(1 - LOSS_EPS, Math.max(LOSS_EPS, q));
    loss[i] = labels[i] === 1 ? Math.log(pr) : Math.log(1 - pr);
  }
}

/**
 * Take and compute row chunks of the gradients job tagged `tag` until none
 * is left (chunk `c` is rows `[c * size, (c + 1) * size)`, `size` the rows
 * over `CTRL.nChunks` rounded up).
 *
 * @example
 * ```ts ignore
 * takeGradientChunks(ctrl, tag, arrays);
 * ```
 */
export function takeGradientChunks(ctrl: Int32Array, tag: number, s: GradientArrays): void {
  const chunks = Atomics.load(ctrl, CTRL.nChunks), rows = s.raw.length;
  const size = Math.ceil(rows / chunks);
  const arrays = Atomics.load(ctrl, CTRL.withLoss) === 1 ? s : { ...s, loss: undefined };
  for (;;) {
    const cur = Atomics.load(ctrl, CTRL.next);
    const c = cur & 4095;
    if (cur >>> 12 !== (tag & TAG_MASK) || c >= chunks) return;
    if (Atomics.compareExchange(ctrl, CTRL.next, cur, cur + 1) !== cur) continue;
    logisticGradients(arrays, c * size, Math.min(rows, (c + 1) * size));
    if (Atomics.add(ctrl, CTRL.completed, 1) + 1 === chunks) Atomics.notify(ctrl, CTRL.completed);
  }
}

/** Features per job at most (the counter word keeps the feature group in its low 12 bits). */
export const MAX_POOL_FEATURES = 4095;
/** Mask of the job tag in the counter word. */
export const TAG_MASK = 0x7ffff;

/** Features a thread takes at a time (`fillFeatures` fills four per pass over the rows). */
export const POOL_GROUP = 4;

/**
 * Take and fill groups of {@linkcode POOL_GROUP} features of the job tagged
 * `tag` until none is left; returns how many features.
 *
 * @example
 * ```ts ignore
 * takeFeatures(ctrl, tag, layout, job);
 * ```
 */
export function takeFeatures(
  ctrl: Int32Array,
  tag: number,
  layout: HistogramLayout,
  job: HistogramJob,
): number {
  const F = Atomics.load(ctrl, CTRL.nFeatures);
  let taken = 0;
  for (;;) {
    const cur = Atomics.load(ctrl, CTRL.next);
    const q = (cur & 4095) * POOL_GROUP;
    if (cur >>> 12 !== (tag & TAG_MASK) || q >= F) return taken;
    if (Atomics.compareExchange(ctrl, CTRL.next, cur, cur + 1) !== cur) continue;
    const end = Math.min(F, q + POOL_GROUP);
    fillFeatures(layout, job, q, end);
    taken += end - q;
    const before = Atomics.add(ctrl, CTRL.completed, end - q);
    if (before + end - q === F) Atomics.notify(ctrl, CTRL.completed);
  }
}

/** What the workers get once. */
export interface PoolBuffers {
  /** Byte matrix. */
  binned: SharedArrayBuffer;
  /** Rows. */
  rows: number;
  /** Feature offsets (Int32, in bins). */
  offsets: SharedArrayBuffer;
  /** The features to fill (Int32, `CTRL.nFeatures` of them). */
  features: SharedArrayBuffer;
  /** Gradients, hessians, the gathered pairs (Float64). */
  g: SharedArrayBuffer;
  /** Hessians. */
  h: SharedArrayBuffer;
  /** Gathered gradient/hessian pairs. */
  ordered: SharedArrayBuffer;
  /** Row order (Uint32). */
  idx: SharedArrayBuffer;
  /** Raw scores (Float64). */
  raw: SharedArrayBuffer;
  /** Labels (Uint8). */
  labels: SharedArrayBuffer;
  /** Each row's loss term (Float64). */
  loss: SharedArrayBuffer;
  /** Every row's count per bin (Float64), for a job of all rows with `CTRL.counts` set. */
  counts: SharedArrayBuffer;
  /** Histogram slots (Float64, `histSize` each). */
  arena: SharedArrayBuffer;
  /** Doubles per histogram. */
  histSize: number;
  /** Control words (Int32). */
  ctrl: SharedArrayBuffer;
}
