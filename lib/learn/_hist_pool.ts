/**
 * Histogram building on several threads for the booster (lib/learn/_gbdt.ts):
 * `threads - 1` workers (`_hist_worker.ts`) and the calling thread take a
 * node's features one at a time from a shared counter, over
 * SharedArrayBuffers (the byte matrix, gradients, row order, the
 * histograms), synchronised with `Atomics` so boosting stays synchronous.
 * Taking features from a counter (not fixed blocks) means a worker that the
 * OS has not scheduled yet costs nothing: the others take its features, and
 * the caller waits only for features actually taken. The counter word holds
 * the job's tag and the next feature, so a late worker can never take a
 * feature of a newer job with an older job's parameters. A feature's sums
 * are always taken by one thread over the node's rows in order, so the
 * histograms, and the model, are bit-identical whatever the thread count.
 * A node of fewer than {@linkcode PARALLEL_MIN_NODE_ROWS} rows is built on
 * the calling thread alone: waking the workers and waiting for the last
 * feature costs more than a small node's sums (the same sums in the same
 * order, so the model does not change).
 *
 * @module
 */
import {
  buildHistogram,
  gatherGradients,
  type HistogramJob,
  type HistogramLayout,
} from "./_tree_hist.ts";

export {
  CTRL,
  logisticGradients,
  MAX_POOL_FEATURES,
  type PoolBuffers,
  takeFeatures,
} from "./_hist_shared.ts";
import {
  CTRL,
  MAX_POOL_FEATURES,
  type PoolBuffers,
  TAG_MASK,
  takeFeatures,
  takeGradientChunks,
} from "./_hist_shared.ts";

/** Row chunks of a gradients job (a late worker leaves its chunks to the others). */
const GRADIENT_CHUNKS = 32;

/**
 * The mean log loss of per-row terms `log p` (summed in row order, so the
 * same number whoever computed the terms).
 *
 * @example
 * ```ts
 * import { meanLoss } from "./_hist_pool.ts";
 * meanLoss(Float64Array.of(Math.log(0.5), Math.log(0.5))); // 0.693…
 * ```
 */
export function meanLoss(terms: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < terms.length; i++) sum -= terms[i];
  return terms.length === 0 ? NaN : sum / terms.length;
}

/**
 * Nodes of fewer rows than this build their histogram on the calling thread.
 * 4,000 (was 20,000): on 720,000 x 80 rows most smaller children of a
 * 31-leaf tree have under 20,000 rows, and handing them to the workers too
 * took the learner alone (HGB's settings, 100 trees, two threads) from
 * 41.4, 39.7, 34.1 s to 28.1, 30.8, 31.5 s (alternated, 2026-12-05, load
 * 1.5-2.6; bench/README.md "train, fourth pass").
 */
export const PARALLEL_MIN_NODE_ROWS = 4_000;

/** A started pool: build histograms, then close. */
export interface HistogramPool {
  /** Histogram slot `k` (a view of the shared arena). */
  slot(k: number): Float64Array;
  /** Fill `job.hist` (a slot) for `layout.features`. */
  build(layout: HistogramLayout, job: HistogramJob): void;
  /**
   * The next tree's gradients and hessians of `state.raw` into `state.g`,
   * `state.h`, row chunks shared out like features; with `withLoss` the mean
   * training log loss (the row terms summed in row order), else NaN.
   */
  gradients(withLoss: boolean): number;
  /** Stop the workers. */
  close(): void;
}

/** Shared typed arrays for the booster's state, allocated by {@linkcode sharedArrays}. */
export interface SharedState {
  /** Gradients. */
  g: Float64Array;
  /** Hessians. */
  h: Float64Array;
  /** Gathered pairs. */
  ordered: Float64Array;
  /** Row order. */
  idx: Uint32Array;
  /** Features to fill. */
  features: Int32Array;
  /** Every row's count per bin (`HistogramJob.counts` of a job of all rows). */
  counts: Float64Array;
  /** Raw scores (the booster's). */
  raw: Float64Array;
}

/**
 * Start `threads - 1` workers over a byte matrix that lives in a
 * SharedArrayBuffer; `null` when a worker does not come up within 10 s (the
 * caller then builds on its own thread).
 *
 * @example
 * ```ts ignore
 * const pool = openHistogramPool({ threads: 2, binned, rows, offsets, cols, slots: 32, histSize });
 * ```
 */
export function openHistogramPool(o: {
  threads: number;
  binned: Uint8Array;
  rows: number;
  offsets: Int32Array;
  slots: number;
  histSize: number;
  /** 0/1 per row (copied into shared memory for the gradients jobs). */
  labels: Uint8Array;
  /** Nodes of fewer rows build on the calling thread (default {@linkcode PARALLEL_MIN_NODE_ROWS}). */
  minNodeRows?: number;
}): { pool: HistogramPool; state: SharedState } | null {
  if (!(o.binned.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError("the byte matrix must live in a SharedArrayBuffer");
  }
  const cols = o.offsets.length - 1;
  if (cols > MAX_POOL_FEATURES) return null;
  const sab = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
  const offsets = new Int32Array(sab(o.offsets.byteLength));
  offsets.set(o.offsets);
  const state: SharedState = {
    g: new Float64Array(sab(o.rows * 8)),
    h: new Float64Array(sab(o.rows * 8)),
    ordered: new Float64Array(sab(o.rows * 16)),
    idx: new Uint32Array(sab(o.rows * 4)),
    features: new Int32Array(sab(cols * 4)),
    counts: new Float64Array(sab(o.histSize / 3 * 8)),
    raw: new Float64Array(sab(o.rows * 8)),
  };
  const labels = new Uint8Array(sab(o.rows));
  labels.set(o.labels);
  const loss = new Float64Array(sab(o.rows * 8));
  const arena = sab(o.slots * o.histSize * 8);
  const ctrl = new Int32Array(sab(64));
  const workers: Worker[] = [];
  const W = o.threads - 1;
  for (let k = 0; k < W; k++) {
    const w = new Worker(new URL("./_hist_worker.ts", import.meta.url).href, { type: "module" });
    const buffers: PoolBuffers = {
      binned: o.binned.buffer as SharedArrayBuffer,
      rows: o.rows,
      offsets: offsets.buffer as SharedArrayBuffer,
      features: state.features.buffer as SharedArrayBuffer,
      g: state.g.buffer as SharedArrayBuffer,
      h: state.h.buffer as SharedArrayBuffer,
      ordered: state.ordered.buffer as SharedArrayBuffer,
      idx: state.idx.buffer as SharedArrayBuffer,
      counts: state.counts.buffer as SharedArrayBuffer,
      raw: state.raw.buffer as SharedArrayBuffer,
      labels: labels.buffer as SharedArrayBuffer,
      loss: loss.buffer as SharedArrayBuffer,
      arena,
      histSize: o.histSize,
      ctrl: ctrl.buffer as SharedArrayBuffer,
    };
    w.postMessage(buffers);
    workers.push(w);
  }
  const close = () => {
    Atomics.store(ctrl, CTRL.stop, 1);
    Atomics.add(ctrl, CTRL.seq, 1);
    Atomics.notify(ctrl, CTRL.seq);
    for (const w of workers) w.terminate();
  };
  // Each worker adds 1 to `done` once it is listening.
  const deadline = performance.now() + 10_000;
  for (let d = Atomics.load(ctrl, CTRL.done); d < W; d = Atomics.load(ctrl, CTRL.done)) {
    if (performance.now() > deadline) {
      close();
      return null;
    }
    Atomics.wait(ctrl, CTRL.done, d, 100);
  }
  const slots = Array.from(
    { length: o.slots },
    (_, k) => new Float64Array(arena, k * o.histSize * 8, o.histSize),
  );
  const minNodeRows = o.minNodeRows ?? PARALLEL_MIN_NODE_ROWS;
  const pool: HistogramPool = {
    slot: (k) => slots[k],
    build(layout, job) {
      if (job.end - job.start < minNodeRows) return buildHistogram(layout, job);
      gatherGradients(job);
      const F = layout.features.length;
      Atomics.store(ctrl, CTRL.kind, 0);
      state.features.set(layout.features);
      const tag = (Atomics.load(ctrl, CTRL.seq) + 1) & TAG_MASK;
      Atomics.store(ctrl, CTRL.start, job.start);
      Atomics.store(ctrl, CTRL.end, job.end);
      Atomics.store(ctrl, CTRL.all, job.all ? 1 : 0);
      if (job.counts && job.counts !== state.counts) {
        throw new TypeError("a pool job's counts must be the pool's state.counts");
      }
      Atomics.store(ctrl, CTRL.counts, job.all && job.counts ? 1 : 0);
      Atomics.store(ctrl, CTRL.slot, job.hist.byteOffset / (o.histSize * 8));
      Atomics.store(ctrl, CTRL.nFeatures, F);
      Atomics.store(ctrl, CTRL.completed, 0);
      Atomics.store(ctrl, CTRL.next, tag << 12);
      Atomics.add(ctrl, CTRL.seq, 1);
      Atomics.notify(ctrl, CTRL.seq);
      takeFeatures(ctrl, tag, { ...layout, features: state.features }, job);
      for (
        let c = Atomics.load(ctrl, CTRL.completed);
        c < F;
        c = Atomics.load(ctrl, CTRL.completed)
      ) {
        Atomics.wait(ctrl, CTRL.completed, c);
      }
    },
    gradients(withLoss) {
      const arrays = { raw: state.raw, labels, g: state.g, h: state.h, loss };
      const tag = (Atomics.load(ctrl, CTRL.seq) + 1) & TAG_MASK;
      Atomics.store(ctrl, CTRL.kind, 1);
      Atomics.store(ctrl, CTRL.nChunks, GRADIENT_CHUNKS);
      Atomics.store(ctrl, CTRL.withLoss, withLoss ? 1 : 0);
      Atomics.store(ctrl, CTRL.completed, 0);
      Atomics.store(ctrl, CTRL.next, tag << 12);
      Atomics.add(ctrl, CTRL.seq, 1);
      Atomics.notify(ctrl, CTRL.seq);
      takeGradientChunks(ctrl, tag, arrays);
      for (
        let c = Atomics.load(ctrl, CTRL.completed);
        c < GRADIENT_CHUNKS;
        c = Atomics.load(ctrl, CTRL.completed)
      ) {
        Atomics.wait(ctrl, CTRL.completed, c);
      }
      return withLoss ? meanLoss(loss) : NaN;
    },
    close,
  };
  return { pool, state };
}
