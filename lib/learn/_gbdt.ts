/**
 * Gradient-boosted trees with logistic loss on binned features, grown
 * leaf-wise like LightGBM and scikit-learn's HistGradientBoostingClassifier:
 * per node a histogram of gradient/hessian sums and row counts per (feature,
 * bin) (`_tree_hist.ts`); only the smaller child's histogram is built, the
 * larger one's is its parent's minus it; the leaf with the largest gain
 * splits next until `maxLeafNodes`. Leaf value `-lr * G / (H + l2)`.
 * Categorical features (`categorical[f] = 1`, bins = category codes) split
 * on a category subset (`_tree_split.ts`). Per tree, an optional seeded row
 * sample (`subsample`) and feature sample (`colsample`). Same inputs and
 * seed, same trees, bit for bit.
 *
 * @module
 */
import { addLeaf, addSplit, emptyTree, leafOfBinned, partitionRows, ROOT } from "./_tree_nodes.ts";
import type { Slot, TreeArrays } from "./_tree_nodes.ts";
import { binCounts, buildHistogram, type HistogramLayout } from "./_tree_hist.ts";
import { logisticGradients, meanLoss, openHistogramPool } from "./_hist_pool.ts";
import { bestCategoricalSplit, bestNumericSplit, type Split } from "./_tree_split.ts";
import { createRng } from "../rng.ts";

/** Hyperparameters of the booster. */
export interface GbdtParams {
  /** Shrinkage of each tree's output. */
  learningRate: number;
  /** Leaves per tree at most. */
  maxLeafNodes: number;
  /** Depth limit (0: none). */
  maxDepth: number;
  /** Rows per leaf at least. */
  minSamplesLeaf: number;
  /** L2 penalty on leaf values. */
  l2: number;
  /** Share of the rows each tree is grown on, in (0, 1] (1: all; default 1). */
  subsample?: number;
  /** Share of the features each tree may split on, in (0, 1] (default 1). */
  colsample?: number;
}

/** Options of {@linkcode boost}. */
export interface BoostOptions {
  /** Column-major bins (`binned[f * rows + i]`). */
  binned: Uint8Array;
  /** Rows. */
  rows: number;
  /** Bins per feature (a feature with 1 bin is never split on). */
  nBins: Int32Array;
  /** 1 per categorical feature (its bins are category codes), else 0; absent: none. */
  categorical?: Uint8Array;
  /** 0/1 per row. */
  labels: Uint8Array;
  /** The booster's hyperparameters. */
  params: GbdtParams;
  /** Seeds the row and feature samples. */
  seed?: number;
  /** Trees to build at most. */
  iterations: number;
  /**
   * Called after each tree with its 1-based number, the raw scores and, with
   * `trainLoss`, the training log loss (else NaN); `false` stops boosting.
   */
  onTree?: (iteration: number, tree: TreeArrays, raw: Float64Array, loss: number) => boolean;
  /**
   * Take the training log loss after each tree in the pass that computes the
   * next tree's gradients (the same number as `_fast_report.ts`'s
   * `trainLogLoss` of the raw scores, one sigmoid per row less).
   */
  trainLoss?: boolean;
  /**
   * Threads building histograms (default {@linkcode defaultThreads}: the
   * cores, at most 8). More than one needs `binned` in a SharedArrayBuffer
   * and at least `parallelMinRows` rows (default
   * {@linkcode PARALLEL_MIN_ROWS}); the trees do not depend on it.
   */
  threads?: number;
  /** A fit of fewer rows than this starts no workers. */
  parallelMinRows?: number;
  /** A node of fewer rows than this builds on the calling thread (default `PARALLEL_MIN_NODE_ROWS`, 4,000). */
  parallelMinNodeRows?: number;
}

/** Below this many rows, starting workers costs more than they save. */
export const PARALLEL_MIN_ROWS = 50_000;

/** Most histogram threads by default. */
const MAX_DEFAULT_THREADS = 8;

/** Most histogram memory (all slots) for which workers are started. */
const MAX_SHARED_HIST_BYTES = 512 * 2 ** 20;

/**
 * The default histogram thread count: the cores available
 * (`navigator.hardwareConcurrency`), at most 8. The workers only build the
 * histograms of nodes of at least `PARALLEL_MIN_NODE_ROWS` rows, in fits of
 * at least {@linkcode PARALLEL_MIN_ROWS} rows (smaller ones gain nothing from
 * the handoff); the model is byte-identical whatever the count.
 *
 * @example
 * ```ts
 * import { defaultThreads } from "./_gbdt.ts";
 * defaultThreads() >= 1; // true
 * ```
 */
export function defaultThreads(): number {
  const cores = Math.floor(globalThis.navigator?.hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, cores || 1));
}

interface Node {
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  slot: Slot;
  hist: Float64Array;
  split: Split | null;
}

/**
 * The log-odds of the positive share, the boosting's starting raw score.
 *
 * @example
 * ```ts
 * import { baseScore } from "./_gbdt.ts";
 * baseScore(Uint8Array.of(1, 0, 0, 1)); // 0
 * ```
 */
export function baseScore(labels: Uint8Array): number {
  let pos = 0;
  for (const l of labels) pos += l;
  const p = Math.min(1 - 1e-12, Math.max(1e-12, pos / Math.max(1, labels.length)));
  return Math.log(p / (1 - p));
}

/**
 * Boost up to `iterations` trees; returns the start score and the trees.
 *
 * @example
 * ```ts ignore
 * import { boost } from "./_gbdt.ts";
 * const { base, trees } = boost({ binned, rows, nBins, labels, params, iterations: 100 });
 * ```
 */
export function boost(o: BoostOptions): { base: number; trees: TreeArrays[] } {
  const { binned, rows, nBins, params: p } = o;
  const cols = nBins.length;
  const offsets = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++) offsets[f + 1] = offsets[f] + nBins[f];
  const histSize = offsets[cols] * 3;
  const threads = o.threads ?? defaultThreads();
  const slots = p.maxLeafNodes + 1;
  const opened = threads > 1 && binned.buffer instanceof SharedArrayBuffer &&
      rows >= (o.parallelMinRows ?? PARALLEL_MIN_ROWS) &&
      slots * histSize * 8 <= MAX_SHARED_HIST_BYTES
    ? openHistogramPool({
      threads,
      binned,
      rows,
      offsets,
      slots,
      histSize,
      labels: o.labels,
      minNodeRows: o.parallelMinNodeRows,
    })
    : null;
  try {
    return grow(o, offsets, histSize, opened);
  } finally {
    opened?.pool.close();
  }
}

function grow(
  o: BoostOptions,
  fullOffsets: Int32Array,
  histSize: number,
  opened: ReturnType<typeof openHistogramPool>,
): { base: number; trees: TreeArrays[] } {
  const { binned, rows, nBins, labels, params: p } = o;
  const cols = nBins.length;
  const subsample = p.subsample ?? 1, colsample = p.colsample ?? 1;
  const free: Float64Array[] = opened
    ? Array.from({ length: p.maxLeafNodes + 1 }, (_, k) => opened.pool.slot(k)).reverse()
    : [];
  const takeHist = () => free.pop() ?? new Float64Array(histSize);
  const build = opened ? opened.pool.build : buildHistogram;
  const base = baseScore(labels);
  const raw = (opened?.state.raw ?? new Float64Array(rows)).fill(base);
  const g = opened?.state.g ?? new Float64Array(rows);
  const h = opened?.state.h ?? new Float64Array(rows);
  const idx = opened?.state.idx ?? new Uint32Array(rows);
  const tmp = new Uint32Array(rows);
  const ordered = opened?.state.ordered ?? new Float64Array(2 * rows);
  const inSample = new Uint8Array(subsample < 1 ? rows : 0);
  const leftBins = new Uint8Array(256);
  const rng = createRng(o.seed ?? 0);
  const trees: TreeArrays[] = [];
  const splittable: number[] = [];
  for (let f = 0; f < cols; f++) if (nBins[f] > 1) splittable.push(f);
  const rules = { minSamplesLeaf: p.minSamplesLeaf, l2: p.l2 };
  let features = Int32Array.from(splittable);
  // Without workers (whose slots use the full layout), a tree's histograms
  // hold its sampled features only, packed (`packOffsets`): the same sums in a
  // smaller, denser block of memory.
  const offsets = fullOffsets.slice();
  const layout: HistogramLayout = { binned, rows, offsets, features };
  // Every tree's root is all the rows when there is no row sample: its bin
  // counts are the same each time, counted once here and copied (when the
  // layout stays put: with workers or without a feature sample).
  const rootCounts = subsample === 1 && (opened || colsample === 1)
    ? opened?.state.counts ?? new Float64Array(histSize / 3)
    : undefined;
  if (rootCounts) binCounts({ ...layout, features: Int32Array.from(splittable) }, rootCounts);

  const findSplit = (n: Node): Split | null => {
    const count = n.end - n.start;
    if (count < 2 * p.minSamplesLeaf || (p.maxDepth > 0 && n.depth >= p.maxDepth)) return null;
    const node = { g: n.g, h: n.h, count };
    let best: Split | null = null;
    for (const f of features) {
      const args = { hist: n.hist, off: offsets[f], nBins: nBins[f], feature: f, node, rules };
      const s = o.categorical?.[f] ? bestCategoricalSplit(args) : bestNumericSplit(args);
      if (s && (!best || s.gain > best.gain)) best = s;
    }
    return best;
  };

  // Gradients (and the log loss) of the raw scores, for the next tree: with
  // workers their row chunks are shared out (each row's numbers on their own,
  // the loss terms summed in row order, so the same numbers either way).
  const lossTerms = !opened && o.trainLoss ? new Float64Array(rows) : undefined;
  const gradients = opened ? opened.pool.gradients : (withLoss: boolean): number => {
    logisticGradients({ raw, labels, g, h, loss: withLoss ? lossTerms : undefined }, 0, rows);
    return withLoss && lossTerms ? meanLoss(lossTerms) : NaN;
  };
  gradients(false);
  for (let it = 1; it <= o.iterations; it++) {
    let n0 = rows;
    if (subsample < 1) {
      n0 = 0;
      inSample.fill(0);
      for (let i = 0; i < rows; i++) if (rng.next() < subsample) (idx[n0++] = i), (inSample[i] = 1);
    } else {
      for (let i = 0; i < rows; i++) idx[i] = i;
    }
    if (colsample < 1) {
      const k = Math.max(1, Math.round(colsample * splittable.length));
      const order = splittable.slice();
      for (let j = 0; j < k; j++) {
        const r = j + rng.int(order.length - j);
        [order[j], order[r]] = [order[r], order[j]];
      }
      features = Int32Array.from(order.slice(0, k).sort((a, b) => a - b));
      layout.features = features;
      if (!opened) packOffsets(offsets, nBins, features);
    }
    const tree = emptyTree();
    const root: Node = {
      start: 0,
      end: n0,
      depth: 0,
      g: 0,
      h: 0,
      slot: ROOT,
      hist: takeHist(),
      split: null,
    };
    for (let k = 0; k < n0; k++) (root.g += g[idx[k]]), (root.h += h[idx[k]]);
    build(layout, {
      hist: root.hist,
      idx,
      start: 0,
      end: n0,
      g,
      h,
      ordered,
      all: n0 === rows,
      counts: rootCounts,
    });
    root.split = findSplit(root);
    const open: Node[] = [root];
    while (open.length < p.maxLeafNodes) {
      let at = -1;
      for (let k = 0; k < open.length; k++) {
        const s = open[k].split;
        if (s && (at < 0 || s.gain > open[at].split!.gain)) at = k;
      }
      if (at < 0) break;
      const n = open[at];
      const s = n.split!;
      const k = addSplit(tree, n.slot, s.feature, s.bin, s.cats);
      if (s.cats) {
        leftBins.fill(0);
        for (const c of s.cats) leftBins[c] = 1;
      }
      const mid = partitionRows({
        idx,
        start: n.start,
        end: n.end,
        column: binned.subarray(s.feature * rows, (s.feature + 1) * rows),
        bin: s.bin,
        tmp,
        leftBins: s.cats ? leftBins : undefined,
      });
      const left: Node = {
        start: n.start,
        end: mid,
        depth: n.depth + 1,
        g: s.gl,
        h: s.hl,
        slot: 2 * k,
        hist: n.hist,
        split: null,
      };
      const right: Node = {
        ...left,
        start: mid,
        end: n.end,
        g: n.g - s.gl,
        h: n.h - s.hl,
        slot: 2 * k + 1,
      };
      // Build the smaller child; the larger one's histogram is the parent's minus it.
      const [small, large] = mid - n.start <= n.end - mid ? [left, right] : [right, left];
      small.hist = takeHist();
      build(layout, {
        hist: small.hist,
        idx,
        start: small.start,
        end: small.end,
        g,
        h,
        ordered,
        all: false,
      });
      const lh = large.hist, sh = small.hist;
      for (const f of features) {
        for (let j = offsets[f] * 3, e = offsets[f + 1] * 3; j < e; j++) lh[j] -= sh[j];
      }
      left.split = findSplit(left);
      right.split = findSplit(right);
      open.splice(at, 1, left, right);
    }
    for (const n of open) {
      const value = (-p.learningRate * n.g) / (n.h + p.l2);
      addLeaf(tree, n.slot, value);
      for (let k = n.start; k < n.end; k++) raw[idx[k]] += value;
      free.push(n.hist);
    }
    if (subsample < 1) {
      for (let i = 0; i < rows; i++) {
        if (!inSample[i]) raw[i] += tree.value[leafOfBinned(tree, binned, rows, i)];
      }
    }
    trees.push(tree);
    const loss = gradients(o.trainLoss === true);
    if (o.onTree && !o.onTree(it, tree, raw, loss)) break;
  }
  return { base, trees };
}

/**
 * Lay the histogram out for `features` only (ascending): each gets its
 * `nBins` in order from 0, every other feature an empty range, so
 * `offsets[f] .. offsets[f + 1]` still bounds feature `f`'s bins.
 *
 * @example
 * ```ts
 * import { packOffsets } from "./_gbdt.ts";
 * const offsets = new Int32Array(4);
 * packOffsets(offsets, Int32Array.of(3, 4, 5), Int32Array.of(0, 2));
 * Array.from(offsets); // [0, 3, 3, 8]
 * ```
 */
export function packOffsets(offsets: Int32Array, nBins: Int32Array, features: Int32Array): void {
  let at = 0, q = 0;
  for (let f = 0; f < nBins.length; f++) {
    offsets[f] = at;
    if (q < features.length && features[q] === f) (at += nBins[f]), q++;
  }
  offsets[nBins.length] = at;
}
