/**
 * What the histogram pool (`_hist_pool.ts`) and its workers (`_hist_worker.ts`)
 * share: the control words, the buffers a worker gets once, and the loop that
 * takes a job's features one at a time. Kept apart so the worker does not
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
};

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
  /** Every row's count per bin (Float64), for a job of all rows with `CTRL.counts` set. */
  counts: SharedArrayBuffer;
  /** Histogram slots (Float64, `histSize` each). */
  arena: SharedArrayBuffer;
  /** Doubles per histogram. */
  histSize: number;
  /** Control words (Int32). */
  ctrl: SharedArrayBuffer;
}
