/**
 * Tree-ensemble model families, written here in TypeScript because no
 * well-kept npm library provides them (ml-random-forest/ml-cart search splits
 * in O(n²); ml-xgboost had one release, in 2017):
 *
 * - `gbdt`: gradient-boosted trees with logistic loss on binned features,
 *   grown leaf-wise (LightGBM's and scikit-learn's HistGradientBoostingClassifier
 *   design: `_gbdt.ts`; gradient histograms `_tree_hist.ts` with the
 *   subtraction trick, optionally built by worker threads over
 *   SharedArrayBuffers on 50k+ rows `_hist_pool.ts`; native categorical splits `_tree_split.ts` for
 *   the matrix's categorical columns; optional row/feature sampling), the
 *   iteration count early-stopped on the validation split;
 * - `extra_trees`: extremely randomized trees without bootstrap, averaged
 *   (`_extra_trees.ts`), the tree count optionally early-stopped on the
 *   validation log loss (`nIterNoChange`).
 *
 * Features are binned once per fit (`_bins.ts`: exact bins for features with
 * few values, quantile bins otherwise; at most 256). A fitted model is plain
 * JSON data ({@linkcode TreeModel}: bin edges and each tree as arrays, see
 * `_tree_nodes.ts`), which {@linkcode compileTrees} turns into a scorer over
 * flat typed arrays that compares raw feature values with the split's bin
 * edge (no binning, no allocation per row). Everything is deterministic given
 * the seed.
 *
 * Speed, `deno run -A bench/trees_predict.ts` on the released `gbdt` (139
 * trees of 31 leaves, 4.2 nodes walked per tree on average), 2026-11-24,
 * 2-core x86-64 shared with other jobs, Deno 2.9: one call on 10,000 rows
 * 390k rows/s (best; median 388k), one row per call p50 3.1 µs, p99 6.5 µs.
 * The walk is bound by unpredictable branches: node records packed in one
 * array, float32 thresholds, branch-free child choice and walking four rows
 * at once were measured and gained nothing (within ±10%).
 *
 * @module
 */
import { type Logger, nullLogger } from "../log.ts";
import { binMatrix, fitBinEdges, MAX_BINS } from "./_bins.ts";
import { type ExtraTreeParams, growExtraTree } from "./_extra_trees.ts";
import { baseScore, boost, defaultThreads, type GbdtParams, PARALLEL_MIN_ROWS } from "./_gbdt.ts";
import { compileTree } from "./_tree_codegen.ts";
import type { TreeArrays } from "./_tree_nodes.ts";
import type { Matrix } from "./matrix.ts";
import {
  type EpochRecord,
  epochRecord,
  isBetter,
  type SelectionMetric,
} from "../reports/metrics.ts";
import { createRng } from "../rng.ts";
import { type TreeModel, TREES_FORMAT } from "./_tree_json.ts";
import { addTreeOutputs, fastScoreReport, trainLogLoss } from "./_fast_report.ts";
import { expandCodes, usesCodes } from "./expand_codes.ts";

export type { TreeArrays } from "./_tree_nodes.ts";
export { parseTreeModel, type TreeFamily, type TreeModel, TREES_FORMAT } from "./_tree_json.ts";

/** Gradient-boosted trees (logistic loss). */
export interface GbdtConfig extends GbdtParams {
  /** Family. */
  family: "gbdt";
  /** Trees at most (early stopping on validation picks how many are kept). */
  maxIter: number;
  /** Stop after this many trees without a better validation metric. */
  nIterNoChange: number;
  /** Bins per feature at most (2–256). */
  maxBins: number;
}

/** Extremely randomized trees (averaged). */
export interface ExtraTreesConfig extends Omit<ExtraTreeParams, "maxFeatures"> {
  /** Family. */
  family: "extra_trees";
  /** Trees. */
  nEstimators: number;
  /** Share of the features tried per node, in (0, 1]. */
  maxFeatures: number;
  /** Bins per feature at most (2–256). */
  maxBins: number;
  /**
   * Stop adding trees after this many without a better validation log loss
   * of the average, keeping the trees up to the best (0 or absent: all `nEstimators`).
   */
  nIterNoChange?: number;
}

/** The hyperparameters of a tree family. */
export type TreeConfig = GbdtConfig | ExtraTreesConfig;

/**
 * A short human label of a tree config.
 *
 * @example
 * ```ts
 * import { describeTreeConfig } from "./trees.ts";
 * describeTreeConfig({ family: "extra_trees", nEstimators: 300, maxFeatures: 0.2, minSamplesLeaf: 1, maxDepth: 0, maxBins: 255 });
 * // "extra_trees n=300 max_features=0.2 min_leaf=1"
 * ```
 */
export function describeTreeConfig(c: TreeConfig): string {
  const depth = c.maxDepth > 0 ? ` depth=${c.maxDepth}` : "";
  if (c.family === "gbdt") {
    const sub = (c.subsample ?? 1) < 1 ? ` subsample=${c.subsample}` : "";
    const col = (c.colsample ?? 1) < 1 ? ` colsample=${c.colsample}` : "";
    return `gbdt lr=${c.learningRate} leaves=${c.maxLeafNodes}${depth} min_leaf=${c.minSamplesLeaf} l2=${c.l2}${sub}${col}`;
  }
  const stop = (c.nIterNoChange ?? 0) > 0 ? ` no_change=${c.nIterNoChange}` : "";
  return `extra_trees n=${c.nEstimators} max_features=${c.maxFeatures} min_leaf=${c.minSamplesLeaf}${depth}${stop}`;
}

/**
 * Whether a value is a {@linkcode TreeModel} (by its format tag).
 *
 * @example
 * ```ts
 * import { isTreeModel } from "./trees.ts";
 * isTreeModel({ format: "threat-trees/1" }); // true
 * ```
 */
export function isTreeModel(value: unknown): value is TreeModel {
  return typeof value === "object" && value !== null &&
    (value as { format?: unknown }).format === TREES_FORMAT;
}

/** Options of {@linkcode fitTreeCandidate}. */
export interface TreeFitOptions {
  /** What to fit. */
  config: TreeConfig;
  /** Training rows (the bins are fitted on these). */
  train: Matrix;
  /** Validation rows: per-iteration metrics, and `gbdt`'s early stopping. */
  val: Matrix;
  /** Seeds `extra_trees`' draws (`gbdt` draws nothing). */
  seed: number;
  /** The selection metric (`gbdt`'s tree count is early-stopped on validation log loss, whatever it is). */
  metric: SelectionMetric;
  /** Progress (debug per iteration). */
  log?: Logger;
  /** Label in the log. */
  label?: string;
  /** `gbdt`: histogram threads (default: the cores, at most 8, see `_gbdt.ts` defaultThreads); the model does not depend on it. */
  threads?: number;
}

/** A fitted tree candidate, shaped like a trained network candidate (lib/learn/fit.ts). */
export interface TreeCandidate {
  /** The model, cut to the best iteration. */
  model: TreeModel;
  /** Per iteration (tree count): training log loss and validation metrics. */
  history: EpochRecord[];
  /** Trees kept (the best iteration; `extra_trees` without `nIterNoChange`: all). */
  bestEpoch: number;
  /** Validation probabilities of the kept model. */
  valScores: Float32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** After each tree (`model` holds the trees so far): `false` stops. `trainLoss`: the training log loss so far. */
type OnTree = (iteration: number, tree: TreeArrays, trainLoss: number, model: TreeModel) => boolean;

/** Bin the rows and grow up to `iterations` trees (`onTree` may stop earlier). */
function grow(
  config: TreeConfig,
  data: Matrix,
  seed: number,
  iterations: number,
  onTree?: OnTree,
  threadCount?: number,
): TreeModel {
  if (!(config.maxBins >= 2 && config.maxBins <= MAX_BINS)) {
    throw new RangeError(`maxBins must be in [2, ${MAX_BINS}], got ${config.maxBins}`);
  }
  const { rows, cols, labels } = data;
  const { edges, categorical } = fitFeatureBins(data, config);
  const threads = config.family === "gbdt" ? threadCount ?? defaultThreads() : 1;
  const binned = binMatrix(data.data, rows, edges, threads > 1 && rows >= PARALLEL_MIN_ROWS);
  const nBins = Int32Array.from(edges, (e) => e.length + 1);
  const model: TreeModel = {
    format: TREES_FORMAT,
    family: config.family,
    features: cols,
    base: 0,
    bin_edges: edges.map((e) => Array.from(e)),
    trees: [],
  };
  const catFeatures: number[] = [];
  categorical.forEach((c, f) => c && catFeatures.push(f));
  if (catFeatures.length > 0) model.categorical = catFeatures;
  if (config.family === "gbdt") {
    model.base = baseScore(labels); // before the first onTree, which reads it
    boost({
      binned,
      rows,
      nBins,
      categorical,
      labels,
      params: config,
      seed,
      iterations,
      threads,
      trainLoss: onTree !== undefined,
      onTree: (it, tree, _raw, loss) => {
        model.trees.push(tree);
        return onTree ? onTree(it, tree, loss, model) : true;
      },
    });
    return model;
  }
  const rng = createRng(seed);
  const params = {
    ...config,
    maxFeatures: Math.max(1, Math.min(cols, Math.round(config.maxFeatures * cols))),
  };
  const idx = new Uint32Array(rows), tmp = new Uint32Array(rows);
  const sums = new Float64Array(rows), means = new Float64Array(rows);
  for (let t = 1; t <= iterations; t++) {
    const tree = growExtraTree({
      binned,
      rows,
      cols,
      labels,
      params,
      rng: createRng(rng.uint32()),
      idx,
      tmp,
      sums,
    });
    model.trees.push(tree);
    if (onTree) {
      for (let i = 0; i < rows; i++) means[i] = sums[i] / t;
      if (!onTree(t, tree, trainLogLoss(labels, means, false), model)) break;
    }
  }
  return model;
}

/**
 * Bin edges per feature; a categorical column of K codes (K <= 255) gets the
 * edges 0.5 .. K-0.5, so code c is bin c and an unseen code (K) bin K. A
 * column with more codes, or any column for extra_trees, is binned as numbers.
 */
function fitFeatureBins(
  data: Matrix,
  config: TreeConfig,
): { edges: Float64Array[]; categorical: Uint8Array } {
  const { rows, cols } = data;
  const edges = fitBinEdges({
    data: data.data,
    rows,
    cols,
    maxBins: config.maxBins,
    columns: data.columns,
  });
  const categorical = new Uint8Array(cols);
  if (config.family !== "gbdt" || !data.categorical) return { edges, categorical };
  data.categorical.forEach((k, f) => {
    if (k > 0 && k < MAX_BINS) {
      categorical[f] = 1;
      edges[f] = Float64Array.from({ length: k }, (_, c) => c + 0.5);
    }
  });
  return { edges, categorical };
}

/**
 * Fit a tree candidate on `train`, recording validation metrics after every
 * tree; `gbdt` stops `nIterNoChange` trees after the best validation log
 * loss and keeps the trees up to it.
 *
 * @example
 * ```ts ignore
 * import { fitTreeCandidate } from "./trees.ts";
 * const { model, bestEpoch, valScores } = fitTreeCandidate({ config, train, val, seed: 7, metric: "log_loss" });
 * ```
 */
export function fitTreeCandidate(o: TreeFitOptions): TreeCandidate {
  const log = o.log ?? nullLogger;
  const { config } = o;
  // extra_trees sees category codes as their one-hot columns (expand_codes.ts).
  const [train, val] = usesCodes(config.family) ? [o.train, o.val] : [
    expandCodes(o.train),
    expandCodes(o.val),
  ];
  const gbdt = config.family === "gbdt";
  const history: EpochRecord[] = [];
  let edges: Float64Array[] = [];
  let binnedVal: Uint8Array = new Uint8Array(0);
  const valSums = new Float64Array(val.rows);
  const valScores = new Float32Array(val.rows);
  let best = { iteration: 0, value: NaN, scores: new Float32Array(0) };
  const model = grow(
    config,
    train,
    o.seed,
    gbdt ? config.maxIter : config.nEstimators,
    (it, tree, trainLoss, grown) => {
      if (it === 1) {
        edges = grown.bin_edges.map((e) => Float64Array.from(e));
        binnedVal = binMatrix(val.data, val.rows, edges);
        valSums.fill(grown.base);
      }
      addTreeOutputs({ tree, binned: binnedVal, rows: val.rows, sums: valSums });
      for (let i = 0; i < val.rows; i++) {
        valScores[i] = gbdt ? sigmoid(valSums[i]) : valSums[i] / it;
      }
      const r = fastScoreReport(val.labels, valScores);
      const rec = epochRecord(it, trainLoss, r);
      history.push(rec);
      // Both stop on validation log loss, as scikit-learn's HGB does: ranking
      // metrics saturate near 1 and keep "improving" by single pairs.
      // extra_trees without `nIterNoChange` keeps every tree.
      const patience = gbdt ? config.nIterNoChange : config.nIterNoChange ?? 0;
      const stopOn = patience > 0 ? "log_loss" : o.metric;
      const value = r[stopOn];
      const improved = best.iteration === 0 || isBetter(stopOn, value, best.value);
      log.debug("iteration", { candidate: o.label, iteration: it, loss: rec.loss, val: value });
      if (improved || patience === 0) best = { iteration: it, value, scores: valScores.slice() };
      return patience === 0 || it - best.iteration < patience;
    },
    o.threads,
  );
  model.trees.length = best.iteration;
  return { model, history, bestEpoch: best.iteration, valScores: best.scores };
}

/** Options of {@linkcode refitTrees}. */
export interface TreeRefitOptions {
  /** What to fit. */
  config: TreeConfig;
  /** All rows (training and validation together); the bins are refitted on them. */
  train: Matrix;
  /** Seeds `extra_trees`' draws. */
  seed: number;
  /** Exactly this many trees (the early-stopped candidate's; `extra_trees` without `nIterNoChange`: its `nEstimators`). */
  iterations: number;
  /**
   * `gbdt`: a refit begun before its tree count is known (search.ts) grows until
   * `target[0]` (`Atomics`; 0 unknown, -1 give up) is reached, at most `iterations`;
   * the caller keeps the first `target[0]` trees: those of a refit of that count.
   */
  target?: Int32Array;
}

/**
 * Fit a chosen tree config on all rows, with no validation left to stop on.
 *
 * @example
 * ```ts ignore
 * import { refitTrees } from "./trees.ts";
 * const model = refitTrees({ config, train: all, seed: 7, iterations: 140 });
 * ```
 */
export function refitTrees(o: TreeRefitOptions): TreeModel {
  const c = o.config;
  const n = c.family === "gbdt" || (c.nIterNoChange ?? 0) > 0 ? o.iterations : c.nEstimators;
  const train = usesCodes(c.family) ? o.train : expandCodes(o.train), t = o.target;
  if (!t || c.family !== "gbdt") return grow(o.config, train, o.seed, n);
  return grow(o.config, train, o.seed, n, (it) => {
    const k = Atomics.load(t, 0);
    return k === 0 || it < k;
  });
}

/**
 * Compile a tree model into a scorer: `(features, rows) => probabilities`
 * over row-major float32 rows of `model.features` values. Each tree is
 * compiled to a small JavaScript function (`_tree_codegen.ts`) comparing raw
 * values with its split edges; NaN goes right.
 *
 * @example
 * ```ts ignore
 * import { compileTrees } from "./trees.ts";
 * const predict = compileTrees(model);
 * const p = predict(features, rows); // Float32Array of `rows`
 * ```
 */
export function compileTrees(
  model: TreeModel,
): (features: Float32Array, rows: number) => Float32Array {
  const fns = model.trees.map((t) => compileTree(t, model.bin_edges));
  const T = fns.length;
  const cols = model.features, base = model.base;
  const gbdt = model.family === "gbdt";
  return (x, rows) => {
    if (x.length !== rows * cols) {
      throw new RangeError(`expected ${rows}x${cols} = ${rows * cols} values, got ${x.length}`);
    }
    // Tree by tree over all rows (one call site per tree stays monomorphic);
    // each row still adds its leaves in tree order, so results do not depend
    // on `rows`.
    const sums = new Float64Array(rows).fill(base);
    for (let t = 0; t < T; t++) {
      const tree = fns[t];
      for (let r = 0, off = 0; r < rows; r++, off += cols) sums[r] += tree(x, off);
    }
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = gbdt ? 1 / (1 + Math.exp(-sums[r])) : sums[r] / T;
    return out;
  };
}
