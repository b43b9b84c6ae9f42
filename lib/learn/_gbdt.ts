/**
 * Gradient-boosted trees with logistic loss on binned features, grown
 * leaf-wise like scikit-learn's HistGradientBoostingClassifier: per node a
 * histogram of gradient/hessian sums per (feature, bin); the larger child's
 * histogram is its parent's minus the smaller child's; the leaf with the
 * largest gain splits next until `maxLeafNodes`. Leaf value
 * `-lr * G / (H + l2)`. Fully deterministic (no sampling).
 *
 * @module
 */
import { addLeaf, addSplit, emptyTree, partitionRows, ROOT, type Slot } from "./_tree_nodes.ts";
import type { TreeArrays } from "./_tree_nodes.ts";

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
}

/** Options of {@linkcode boost}. */
export interface BoostOptions {
  /** Column-major bins (`binned[f * rows + i]`). */
  binned: Uint8Array;
  /** Rows. */
  rows: number;
  /** Bins per feature (a feature with 1 bin is never split on). */
  nBins: Int32Array;
  /** 0/1 per row. */
  labels: Uint8Array;
  /** The booster's hyperparameters. */
  params: GbdtParams;
  /** Trees to build at most. */
  iterations: number;
  /** Called after each tree with its 1-based number; `false` stops boosting. */
  onTree?: (iteration: number, tree: TreeArrays, raw: Float64Array) => boolean;
}

const MIN_HESSIAN = 1e-3;

interface Split {
  gain: number;
  feature: number;
  bin: number;
  gl: number;
  hl: number;
  cl: number;
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
  const { binned, rows, nBins, labels, params: p } = o;
  const cols = nBins.length;
  const offsets = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++) offsets[f + 1] = offsets[f] + nBins[f];
  const histSize = offsets[cols] * 3;
  const pool: Float64Array[] = [];
  const takeHist = () => pool.pop() ?? new Float64Array(histSize);
  const base = baseScore(labels);
  const raw = new Float64Array(rows).fill(base);
  const g = new Float64Array(rows), h = new Float64Array(rows);
  const idx = new Uint32Array(rows), tmp = new Uint32Array(rows);
  const trees: TreeArrays[] = [];

  const buildHist = (hist: Float64Array, start: number, end: number) => {
    hist.fill(0);
    for (let f = 0; f < cols; f++) {
      const col = f * rows, off = offsets[f];
      for (let k = start; k < end; k++) {
        const i = idx[k];
        const j = (off + binned[col + i]) * 3;
        hist[j] += g[i];
        hist[j + 1] += h[i];
        hist[j + 2]++;
      }
    }
  };

  const findSplit = (n: Node): Split | null => {
    const count = n.end - n.start;
    if (count < 2 * p.minSamplesLeaf || (p.maxDepth > 0 && n.depth >= p.maxDepth)) return null;
    const parentScore = (n.g * n.g) / (n.h + p.l2);
    let best: Split | null = null;
    for (let f = 0; f < cols; f++) {
      let gl = 0, hl = 0, cl = 0;
      const off = offsets[f];
      for (let b = 0; b < nBins[f] - 1; b++) {
        const j = (off + b) * 3;
        gl += n.hist[j];
        hl += n.hist[j + 1];
        cl += n.hist[j + 2];
        if (cl < p.minSamplesLeaf) continue;
        if (count - cl < p.minSamplesLeaf) break;
        const gr = n.g - gl, hr = n.h - hl;
        if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
        const gain = (gl * gl) / (hl + p.l2) + (gr * gr) / (hr + p.l2) - parentScore;
        if (gain > 0 && (!best || gain > best.gain)) {
          best = { gain, feature: f, bin: b, gl, hl, cl };
        }
      }
    }
    return best;
  };

  for (let it = 1; it <= o.iterations; it++) {
    for (let i = 0; i < rows; i++) {
      const q = 1 / (1 + Math.exp(-raw[i]));
      g[i] = q - labels[i];
      h[i] = q * (1 - q);
      idx[i] = i;
    }
    const tree = emptyTree();
    const root: Node = {
      start: 0,
      end: rows,
      depth: 0,
      g: 0,
      h: 0,
      slot: ROOT,
      hist: takeHist(),
      split: null,
    };
    for (let i = 0; i < rows; i++) (root.g += g[i]), (root.h += h[i]);
    buildHist(root.hist, 0, rows);
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
      const k = addSplit(tree, n.slot, s.feature, s.bin);
      const mid = partitionRows({
        idx,
        start: n.start,
        end: n.end,
        column: binned.subarray(s.feature * rows, (s.feature + 1) * rows),
        bin: s.bin,
        tmp,
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
      // Scan the smaller child; the larger one's histogram is the parent's minus it.
      const [small, large] = mid - n.start <= n.end - mid ? [left, right] : [right, left];
      small.hist = takeHist();
      buildHist(small.hist, small.start, small.end);
      for (let j = 0; j < histSize; j++) large.hist[j] -= small.hist[j];
      left.split = findSplit(left);
      right.split = findSplit(right);
      open.splice(at, 1, left, right);
    }
    for (const n of open) {
      const value = (-p.learningRate * n.g) / (n.h + p.l2);
      addLeaf(tree, n.slot, value);
      for (let k = n.start; k < n.end; k++) raw[idx[k]] += value;
      pool.push(n.hist);
    }
    trees.push(tree);
    if (o.onTree && !o.onTree(it, tree, raw)) break;
  }
  return { base, trees };
}
