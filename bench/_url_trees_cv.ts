/**
 * `deno task bench url-model --trees`: gbdt settings of the URL model's
 * search grid compared by 5-fold stratified CV on the pipeline's featurized
 * TRAIN split (`artifacts/url/transform/train.mat`: the columns `url_train`
 * fits, the n-gram LR logits already out-of-fold; the holdout is never
 * read). In each fold the gbdt is early-stopped on a stratified 20 %
 * validation split of the fold's training rows (seed 7, as `train`); the
 * held-out fold is scored. Pooled out-of-fold ROC-AUC and accuracy at 0.5,
 * mean trees, for two fold seeds (a choice should win on both; `--seeds`:
 * others, with their mean).
 *
 * @module
 */
import type { Matrix } from "../lib/learn/matrix.ts";
import { takeRows } from "../lib/learn/models.ts";
import { compileTrees, fitTreeCandidate, type GbdtConfig } from "../lib/learn/trees.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { rocAuc } from "../lib/reports/metrics.ts";
import { stratifiedFolds } from "../lib/url/ngram_model.ts";
import { BENCH_GBDT } from "./_url_stack.ts";

/** The settings compared, by `--set` (default `colsample`). */
export const TREE_SETS: Record<string, [string, Partial<GbdtConfig>][]> = {
  // The grid before, then per-tree feature subsampling (2026-12-05, README "URL model").
  colsample: [
    ["min_samples_leaf 20", {}],
    ["min_samples_leaf 5", { minSamplesLeaf: 5 }],
    ["min_samples_leaf 20, colsample 0.5", { colsample: 0.5 }],
    ["min_samples_leaf 20, colsample 0.3", { colsample: 0.3 }],
    ["min_samples_leaf 5, colsample 0.3", { colsample: 0.3, minSamplesLeaf: 5 }],
    ["min_samples_leaf 20, colsample 0.2", { colsample: 0.2 }],
  ],
  // Around the grid of 2026-12-05 08Z (colsample 0.3, min_samples_leaf 5 / 20, l2 0): leaf L2, leaf sizes,
  // bigger trees at a lower rate, other column shares with small leaves (issue 12's 0.96).
  tuning: [
    ["min_samples_leaf 5, colsample 0.3, l2 0", { colsample: 0.3, minSamplesLeaf: 5 }],
    ["min_samples_leaf 20, colsample 0.3, l2 0", { colsample: 0.3 }],
    ["min_samples_leaf 5, colsample 0.3, l2 1", { colsample: 0.3, minSamplesLeaf: 5, l2: 1 }],
    ["min_samples_leaf 5, colsample 0.3, l2 3", { colsample: 0.3, minSamplesLeaf: 5, l2: 3 }],
    ["min_samples_leaf 20, colsample 0.3, l2 1", { colsample: 0.3, l2: 1 }],
    ["min_samples_leaf 20, colsample 0.3, l2 3", { colsample: 0.3, l2: 3 }],
    ["min_samples_leaf 10, colsample 0.3", { colsample: 0.3, minSamplesLeaf: 10 }],
    ["min_samples_leaf 40, colsample 0.3", { colsample: 0.3, minSamplesLeaf: 40 }],
    ["min_samples_leaf 5, colsample 0.2", { colsample: 0.2, minSamplesLeaf: 5 }],
    ["min_samples_leaf 5, colsample 0.4", { colsample: 0.4, minSamplesLeaf: 5 }],
    ["min_samples_leaf 5, colsample 0.5", { colsample: 0.5, minSamplesLeaf: 5 }],
    [
      "63 leaves, lr 0.05, min_samples_leaf 5, colsample 0.3",
      { colsample: 0.3, minSamplesLeaf: 5, maxLeafNodes: 63, learningRate: 0.05 },
    ],
  ],
  // The shipped grid (leaf L2 3, min_samples_leaf 5 / 20): for other featurizations (`--mat`).
  grid: [
    ["min_samples_leaf 5, colsample 0.3, l2 3", { colsample: 0.3, minSamplesLeaf: 5, l2: 3 }],
    ["min_samples_leaf 20, colsample 0.3, l2 3", { colsample: 0.3, l2: 3 }],
  ],
  // Around the shipped leaf-5 config (2026-12-05 14Z, issue 12's 0.96): smaller leaves, coarser
  // bins, a longer patience, row subsampling.
  more: [
    ["min_samples_leaf 5, colsample 0.3, l2 3", { colsample: 0.3, minSamplesLeaf: 5, l2: 3 }],
    ["min_samples_leaf 2, colsample 0.3, l2 3", { colsample: 0.3, minSamplesLeaf: 2, l2: 3 }],
    ["min_samples_leaf 5, colsample 0.3, l2 3, 63 bins", {
      colsample: 0.3,
      minSamplesLeaf: 5,
      l2: 3,
      maxBins: 63,
    }],
    ["min_samples_leaf 5, colsample 0.3, l2 3, patience 100", {
      colsample: 0.3,
      minSamplesLeaf: 5,
      l2: 3,
      nIterNoChange: 100,
    }],
    ["min_samples_leaf 5, colsample 0.3, l2 3, subsample 0.8", {
      colsample: 0.3,
      minSamplesLeaf: 5,
      l2: 3,
      subsample: 0.8,
    }],
  ],
  // The config the search picks (leaf 5): the quick check of another featurization (`--mat`).
  picked: [
    ["min_samples_leaf 5, colsample 0.3, l2 3", { colsample: 0.3, minSamplesLeaf: 5, l2: 3 }],
  ],
  // The grid's two configs with leaf L2 0 and 3: for other featurizations (`--mat`).
  features: [
    ["min_samples_leaf 5, colsample 0.3, l2 0", { colsample: 0.3, minSamplesLeaf: 5 }],
    ["min_samples_leaf 20, colsample 0.3, l2 0", { colsample: 0.3 }],
    ["min_samples_leaf 5, colsample 0.3, l2 3", { colsample: 0.3, minSamplesLeaf: 5, l2: 3 }],
    ["min_samples_leaf 20, colsample 0.3, l2 3", { colsample: 0.3, l2: 3 }],
  ],
};

interface CvResult {
  auc: number;
  acc: number;
  trees: number;
}

function crossValidate(m: Matrix, config: GbdtConfig, foldSeed: number): CvResult {
  const y = m.labels!;
  const fold = stratifiedFolds(y, 5, foldSeed);
  const p = new Float64Array(m.rows);
  let trees = 0;
  for (let f = 0; f < 5; f++) {
    const fit: number[] = [], held: number[] = [];
    for (let i = 0; i < m.rows; i++) (fold[i] === f ? held : fit).push(i);
    const fm = takeRows(m, fit);
    const s = stratifiedSplit(fm.labels!, { testSize: 0.2, seed: 7 });
    const { model } = fitTreeCandidate({
      config,
      train: takeRows(fm, s.train),
      val: takeRows(fm, s.test),
      seed: 7,
      metric: "roc_auc",
    });
    trees += model.trees.length;
    const hm = takeRows(m, held);
    compileTrees(model)(hm.data, hm.rows).forEach((v, k) => p[held[k]] = v);
  }
  let ok = 0;
  p.forEach((v, i) => ok += (v >= 0.5 ? 1 : 0) === y[i] ? 1 : 0);
  return { auc: rocAuc(y, p), acc: ok / m.rows, trees: trees / 5 };
}

/** `m` without the columns whose names start with one of `prefixes`. */
export function dropColumns(m: Matrix, prefixes: readonly string[]): Matrix {
  const keep = m.columns.flatMap((c, j) => prefixes.some((p) => c.startsWith(p)) ? [] : [j]);
  const data = new Float32Array(m.rows * keep.length);
  for (let i = 0; i < m.rows; i++) {
    for (let k = 0; k < keep.length; k++) data[i * keep.length + k] = m.data[i * m.cols + keep[k]];
  }
  const pick = <T>(a: T[] | undefined) => a && keep.map((j) => a[j]);
  return {
    ...m,
    cols: keep.length,
    columns: pick(m.columns)!,
    data,
    categorical: pick(m.categorical),
    categories: pick(m.categories),
  };
}

/** Print the comparison (Markdown) for `m`, the featurized train split. */
export function treesBench(
  m: Matrix,
  o: { set?: string; foldSeeds?: readonly number[] } = {},
): void {
  const foldSeeds = o.foldSeeds ?? [11, 23];
  const variants = TREE_SETS[o.set ?? "colsample"];
  if (!variants) {
    throw new RangeError(`--set: one of ${Object.keys(TREE_SETS).join(", ")}, not '${o.set}'`);
  }
  console.log(`\ngbdt settings, 5-fold CV on the featurized train split (${m.rows} rows)\n`);
  const head = foldSeeds.map((s) => `fold seed ${s}: ROC-AUC / accuracy / trees`);
  const mean = foldSeeds.length > 2 ? " mean |" : "";
  console.log(`| gbdt (lr 0.1, 31 leaves, early-stopped) | ${head.join(" | ")} |${mean}`);
  console.log(`|---|${foldSeeds.map(() => "---:").join("|")}|${mean ? "---:|" : ""}`);
  const cell = (r: CvResult) => `${r.auc.toFixed(4)} / ${r.acc.toFixed(4)} / ${r.trees.toFixed(0)}`;
  for (const [name, over] of variants) {
    const rs = foldSeeds.map((seed) => crossValidate(m, { ...BENCH_GBDT, ...over }, seed));
    const avg = (k: keyof CvResult) => rs.reduce((a, r) => a + r[k], 0) / rs.length;
    const tail = mean
      ? ` ${cell({ auc: avg("auc"), acc: avg("acc"), trees: avg("trees") })} |`
      : "";
    console.log(`| ${name} | ${rs.map(cell).join(" | ")} |${tail}`);
  }
}
