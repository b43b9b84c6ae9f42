/**
 * Split finding on one node's gradient histogram (lib/learn/_gbdt.ts): the best
 * threshold of a numeric feature (bins in order), and the best category
 * subset of a categorical one (LightGBM's and scikit-learn's method: the
 * categories sorted by `G / (H + smooth)`, then scanned as an ordered
 * feature, which finds the optimal two-way partition for this loss up to the
 * smoothing). Histograms hold three doubles per bin: gradient sum, hessian
 * sum, row count.
 *
 * @module
 */

/** The regularisation a split obeys. */
export interface SplitRules {
  /** Rows per child at least. */
  minSamplesLeaf: number;
  /** L2 penalty on leaf values. */
  l2: number;
}

/** A candidate split of a node. */
export interface Split {
  /** Loss reduction. */
  gain: number;
  /** Feature. */
  feature: number;
  /** Numeric: bins `<= bin` go left; categorical: -1. */
  bin: number;
  /** Categorical: the bins (category codes) going left, ascending; else null. */
  cats: number[] | null;
  /** Left child's gradient sum. */
  gl: number;
  /** Left child's hessian sum. */
  hl: number;
  /** Left child's row count. */
  cl: number;
}

/** Node totals a split is measured against. */
export interface NodeTotals {
  /** Gradient sum. */
  g: number;
  /** Hessian sum. */
  h: number;
  /** Rows. */
  count: number;
}

const MIN_HESSIAN = 1e-3;
/** Added to a category's hessian when ordering categories (scikit-learn's MIN_CAT_SUPPORT). */
const CAT_SMOOTH = 10;

/**
 * The best threshold split of a numeric feature whose histogram starts at `off` (in bins).
 *
 * @example
 * ```ts
 * import { bestNumericSplit } from "./_tree_split.ts";
 * const hist = Float64Array.of(-2, 1, 2, 2, 1, 2); // bin 0: G=-2 H=1 n=2; bin 1: G=2 H=1 n=2
 * bestNumericSplit({ hist, off: 0, nBins: 2, feature: 0, node: { g: 0, h: 2, count: 4 },
 *   rules: { minSamplesLeaf: 1, l2: 0 } })?.bin; // 0
 * ```
 */
export function bestNumericSplit(o: {
  hist: Float64Array;
  off: number;
  nBins: number;
  feature: number;
  node: NodeTotals;
  rules: SplitRules;
}): Split | null {
  const { hist, node, rules } = o;
  const l2 = rules.l2, minLeaf = rules.minSamplesLeaf;
  const parent = (node.g * node.g) / (node.h + l2);
  let gl = 0, hl = 0, cl = 0;
  let bestGain = 0, bestBin = -1, bgl = 0, bhl = 0, bcl = 0;
  for (let b = 0, j = o.off * 3; b < o.nBins - 1; b++, j += 3) {
    gl += hist[j];
    hl += hist[j + 1];
    cl += hist[j + 2];
    if (cl < minLeaf) continue;
    if (node.count - cl < minLeaf) break;
    const gr = node.g - gl, hr = node.h - hl;
    if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
    const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
    if (gain > bestGain) (bestGain = gain), (bestBin = b), (bgl = gl), (bhl = hl), (bcl = cl);
  }
  if (bestBin < 0) return null;
  return {
    gain: bestGain,
    feature: o.feature,
    bin: bestBin,
    cats: null,
    gl: bgl,
    hl: bhl,
    cl: bcl,
  };
}

/**
 * The best category subset of a categorical feature: present categories
 * sorted by `G / (H + 10)` (ties by code), then every prefix tried as the
 * left side. The left set is returned ascending.
 *
 * @example
 * ```ts
 * import { bestCategoricalSplit } from "./_tree_split.ts";
 * // categories 0 and 2 push down, 1 pushes up
 * const hist = Float64Array.of(-5, 2, 10, 5, 2, 10, -5, 2, 10);
 * bestCategoricalSplit({ hist, off: 0, nBins: 3, feature: 0, node: { g: -5, h: 6, count: 30 },
 *   rules: { minSamplesLeaf: 1, l2: 0 } })?.cats; // [0, 2]
 * ```
 */
export function bestCategoricalSplit(o: {
  hist: Float64Array;
  off: number;
  nBins: number;
  feature: number;
  node: NodeTotals;
  rules: SplitRules;
}): Split | null {
  const { hist, node, rules } = o;
  const l2 = rules.l2, minLeaf = rules.minSamplesLeaf;
  const present: number[] = [];
  const key = new Float64Array(o.nBins);
  for (let b = 0; b < o.nBins; b++) {
    const j = (o.off + b) * 3;
    if (hist[j + 2] > 0) {
      present.push(b);
      key[b] = hist[j] / (hist[j + 1] + CAT_SMOOTH);
    }
  }
  if (present.length < 2) return null;
  present.sort((a, b) => key[a] - key[b] || a - b);
  const parent = (node.g * node.g) / (node.h + l2);
  let gl = 0, hl = 0, cl = 0;
  let bestGain = 0, bestAt = -1, bgl = 0, bhl = 0, bcl = 0;
  for (let k = 0; k < present.length - 1; k++) {
    const j = (o.off + present[k]) * 3;
    gl += hist[j];
    hl += hist[j + 1];
    cl += hist[j + 2];
    if (cl < minLeaf) continue;
    if (node.count - cl < minLeaf) break;
    const gr = node.g - gl, hr = node.h - hl;
    if (hl < MIN_HESSIAN || hr < MIN_HESSIAN) continue;
    const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
    if (gain > bestGain) (bestGain = gain), (bestAt = k), (bgl = gl), (bhl = hl), (bcl = cl);
  }
  if (bestAt < 0) return null;
  const cats = present.slice(0, bestAt + 1).sort((a, b) => a - b);
  return { gain: bestGain, feature: o.feature, bin: -1, cats, gl: bgl, hl: bhl, cl: bcl };
}
