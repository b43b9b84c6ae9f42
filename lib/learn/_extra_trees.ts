/**
 * Extremely randomized trees (Geurts et al. 2006, scikit-learn's
 * ExtraTreesClassifier without bootstrap) on binned features: at each node,
 * up to `maxFeatures` features not constant in the node are drawn in random
 * order, each gets a split bin drawn uniformly between the node's lowest and
 * highest bin, and the split with the lowest Gini impurity is kept. Leaves
 * hold the positive share of their rows; the forest averages them.
 *
 * @module
 */
import { addLeaf, addSplit, emptyTree, partitionRows, ROOT, type Slot } from "./_tree_nodes.ts";
import type { TreeArrays } from "./_tree_nodes.ts";
import type { Rng } from "../rng.ts";

/** Hyperparameters of one extremely randomized tree. */
export interface ExtraTreeParams {
  /** Features tried per node (≥ 1). */
  maxFeatures: number;
  /** Rows per leaf at least. */
  minSamplesLeaf: number;
  /** Depth limit (0: none). */
  maxDepth: number;
}

/** Options of {@linkcode growExtraTree}. */
export interface ExtraTreeOptions {
  /** Column-major bins (`binned[f * rows + i]`). */
  binned: Uint8Array;
  /** Rows. */
  rows: number;
  /** Features. */
  cols: number;
  /** 0/1 per row. */
  labels: Uint8Array;
  /** Hyperparameters. */
  params: ExtraTreeParams;
  /** Draws features and split bins. */
  rng: Rng;
  /** Row order scratch (`rows` long). */
  idx: Uint32Array;
  /** Partition scratch (`rows` long). */
  tmp: Uint32Array;
  /** Each leaf's rows get its value added here (training-set scores). */
  sums?: Float64Array;
}

/** Nodes of at least this many rows count rows per bin (one pass) instead of two passes. */
const COUNTS_MIN_ROWS = 1024;
const binRows = new Uint32Array(256), binPos = new Uint32Array(256);

interface Pending {
  start: number;
  end: number;
  depth: number;
  slot: Slot;
}

/**
 * Grow one tree on all rows.
 *
 * @example
 * ```ts ignore
 * import { growExtraTree } from "./_extra_trees.ts";
 * const tree = growExtraTree({ binned, rows, cols, labels, params, rng, idx, tmp });
 * ```
 */
export function growExtraTree(o: ExtraTreeOptions): TreeArrays {
  const { binned, rows, cols, labels, params: p, idx, tmp } = o;
  const tree = emptyTree();
  const order = Int32Array.from({ length: cols }, (_, f) => f);
  for (let i = 0; i < rows; i++) idx[i] = i;
  const stack: Pending[] = [{ start: 0, end: rows, depth: 0, slot: ROOT }];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const count = n.end - n.start;
    let pos = 0;
    for (let k = n.start; k < n.end; k++) pos += labels[idx[k]];
    const split = pos === 0 || pos === count || count < 2 * p.minSamplesLeaf ||
        (p.maxDepth > 0 && n.depth >= p.maxDepth)
      ? null
      : drawSplit(o, n, pos, order);
    if (!split) {
      const value = pos / count;
      addLeaf(tree, n.slot, value);
      if (o.sums) { for (let k = n.start; k < n.end; k++) o.sums[idx[k]] += value; }
      continue;
    }
    const k = addSplit(tree, n.slot, split.feature, split.bin);
    const mid = partitionRows({
      idx,
      start: n.start,
      end: n.end,
      column: binned.subarray(split.feature * rows, (split.feature + 1) * rows),
      bin: split.bin,
      tmp,
    });
    // Right pushed first: the left subtree is built first (depth-first, left to right).
    stack.push({ start: mid, end: n.end, depth: n.depth + 1, slot: 2 * k + 1 });
    stack.push({ start: n.start, end: mid, depth: n.depth + 1, slot: 2 * k });
  }
  return tree;
}

/** The best of up to maxFeatures random splits of a node, or null (nothing splittable). */
function drawSplit(
  o: ExtraTreeOptions,
  n: Pending,
  pos: number,
  order: Int32Array,
): { feature: number; bin: number } | null {
  const { binned, rows, cols, labels, params: p, rng, idx } = o;
  const count = n.end - n.start;
  let best: { feature: number; bin: number; score: number } | null = null;
  let tried = 0;
  for (let visited = 0; visited < cols && tried < p.maxFeatures; visited++) {
    // Partial Fisher-Yates: the next feature in a random order.
    const j = visited + rng.int(cols - visited);
    const f = order[j];
    order[j] = order[visited];
    order[visited] = f;
    const col = f * rows;
    let lo = 255, hi = 0, nl = 0, pl = 0, bin: number;
    if (count >= COUNTS_MIN_ROWS) {
      // One pass: rows and positives per bin; the range and the left side follow from them.
      binRows.fill(0);
      binPos.fill(0);
      for (let k = n.start; k < n.end; k++) {
        const i = idx[k], b = binned[col + i];
        binRows[b]++;
        binPos[b] += labels[i];
      }
      for (lo = 0; binRows[lo] === 0;) lo++;
      for (hi = 255; binRows[hi] === 0;) hi--;
      if (lo === hi) continue; // constant here: does not count as tried
      tried++;
      bin = lo + rng.int(hi - lo);
      for (let b = lo; b <= bin; b++) (nl += binRows[b]), (pl += binPos[b]);
    } else {
      for (let k = n.start; k < n.end; k++) {
        const b = binned[col + idx[k]];
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
      if (lo === hi) continue; // constant here: does not count as tried
      tried++;
      bin = lo + rng.int(hi - lo);
      for (let k = n.start; k < n.end; k++) {
        const i = idx[k];
        if (binned[col + i] <= bin) {
          nl++;
          pl += labels[i];
        }
      }
    }
    const nr = count - nl, pr = pos - pl;
    if (nl < p.minSamplesLeaf || nr < p.minSamplesLeaf) continue;
    // Lower weighted Gini impurity = higher sum over children of (pos² + neg²) / n.
    const score = (pl * pl + (nl - pl) * (nl - pl)) / nl + (pr * pr + (nr - pr) * (nr - pr)) / nr;
    if (!best || score > best.score) best = { feature: f, bin, score };
  }
  return best;
}
