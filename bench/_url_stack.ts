/**
 * `deno task bench url-model --stack`: the n-gram LR (lib/url/ngram_model.ts)
 * alone, the gbdt on the handcrafted features alone, the gbdt stacked on the
 * LR's out-of-fold logit, and a blend (with url.params.yaml `featurize.ngram_lr.per_part`
 * also the gbdt stacked on one LR per URL part, as shipped) — on a split's train part (fit),
 * validation part (every choice: LR l2, blend weight, 1 % FPR threshold) and
 * test part (reported, never chooses anything). Also the share of
 * `bench/data/legit_long_urls.txt` flagged at each model's validation 1 % FPR
 * threshold (evaluation only).
 *
 * @module
 */
import type { Matrix } from "../lib/learn/matrix.ts";
import { takeRows } from "../lib/learn/models.ts";
import { compileTrees, fitTreeCandidate, type GbdtConfig } from "../lib/learn/trees.ts";
import { csrTake, sparseLogits } from "../lib/learn/sparse_logreg.ts";
import { rocAuc, thresholdForFpr } from "../lib/reports/metrics.ts";
import { type CheckedUrl, checkUrl } from "../lib/url/check_input.ts";
import { type FeatureGroup, featureNames, urlFeatureVector } from "../lib/url/features.ts";
import {
  fitNgramLr,
  ngramMatrix,
  ngramPartMatrices,
  outOfFoldLogits,
} from "../lib/url/ngram_model.ts";
import { NGRAM_PARTS } from "../lib/url/ngram_vector.ts";
import type { Csr } from "../lib/learn/sparse_logreg.ts";

/** L2 strengths tried for the LR (chosen on validation ROC-AUC). */
const L2_GRID = [1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 3e-6];
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** `m` with one more column. */
export function withColumn(m: Matrix, name: string, col: ArrayLike<number>): Matrix {
  const cols = m.cols + 1, data = new Float32Array(m.rows * cols);
  for (let i = 0; i < m.rows; i++) {
    data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), i * cols);
    data[i * cols + m.cols] = col[i];
  }
  return { ...m, cols, columns: [...m.columns, name], data };
}

/** The handcrafted feature matrix of `checked` (groups `groups`). */
export function handMatrix(
  checked: CheckedUrl[],
  labels: Uint8Array,
  groups: FeatureGroup[],
): Matrix {
  const columns = featureNames(groups);
  const data = new Float32Array(checked.length * columns.length);
  const row = new Float64Array(columns.length);
  checked.forEach((c, i) => {
    urlFeatureVector(c, groups, row, 0);
    data.set(row, i * columns.length);
  });
  return { rows: checked.length, cols: columns.length, columns, data, labels };
}

/** The gbdt both URL benchmarks fit (early-stopped on validation). */
export const BENCH_GBDT: GbdtConfig = {
  family: "gbdt",
  learningRate: 0.1,
  maxIter: 800,
  maxLeafNodes: 31,
  minSamplesLeaf: 20,
  l2: 0,
  maxDepth: 0,
  nIterNoChange: 40,
  maxBins: 255,
};

function gbdt(train: Matrix, val: Matrix, config: GbdtConfig = BENCH_GBDT) {
  const { model } = fitTreeCandidate({
    config,
    train,
    val,
    seed: 7,
    metric: "roc_auc",
  });
  return compileTrees(model);
}

const acc = (labels: Uint8Array, p: ArrayLike<number>, t = 0.5) => {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += (p[i] >= t ? 1 : 0) === labels[i] ? 1 : 0;
  return ok / labels.length;
};

/** What one split gives. */
export interface StackRow {
  model: string;
  valAuc: number;
  testAcc: number;
  testAuc: number;
  testFprAtThreshold: number;
  legitFlagged: number;
}

/** Run the comparison on one split (indices into `checked`). */
export function stackComparison(o: {
  checked: CheckedUrl[];
  labels: Uint8Array;
  groups: FeatureGroup[];
  fit: number[];
  val: number[];
  test: number[];
  legit: CheckedUrl[];
  /** TF·IDF instead of TF (url.params.yaml `featurize.ngram_lr.idf`). */
  idf: boolean;
  /**
   * Also the gbdt stacked on one LR per URL part (url.params.yaml
   * `featurize.ngram_lr.per_part`, the shipped model's design): four
   * logit columns, each out-of-fold on the fit rows.
   */
  parts?: boolean;
  /** The per-part row's gbdt (default {@linkcode BENCH_GBDT}): the shipped grid's settings. */
  partsGbdt?: GbdtConfig;
}): { rows: StackRow[]; l2: number; idf: boolean; blend: number } {
  const all = [...o.checked, ...o.legit];
  const allLabels = Uint8Array.from([...o.labels, ...o.legit.map(() => 0)]);
  const legitIdx = o.legit.map((_, i) => o.checked.length + i);
  const x = ngramMatrix(all);
  const lab = (idx: number[]) => Uint8Array.from(idx, (i) => allLabels[i]);
  const xf = csrTake(x, o.fit), yf = lab(o.fit), yv = lab(o.val), yt = lab(o.test);
  let best = { l2: L2_GRID[0], auc: -1 };
  for (const l2 of L2_GRID) {
    const m = fitNgramLr(xf, yf, { l2, idf: o.idf });
    const auc = rocAuc(yv, Array.from(sparseLogits(m, csrTake(x, o.val)), sigmoid));
    if (auc > best.auc) best = { l2, auc };
  }
  /** The LR's logit on every row: out-of-fold on the fit rows, the LR fitted on them elsewhere. */
  const stackColumn = (xs: Csr) => {
    const xsf = csrTake(xs, o.fit);
    const col = sparseLogits(fitNgramLr(xsf, yf, { l2: best.l2, idf: o.idf }), xs);
    const oof = outOfFoldLogits(xsf, yf, { l2: best.l2, idf: o.idf, folds: 5, seed: 7 });
    o.fit.forEach((i, k) => col[i] = oof[k]);
    return col;
  };
  const lr = fitNgramLr(xf, yf, { l2: best.l2, idf: o.idf });
  const zAll = sparseLogits(lr, x);
  const lrCol = stackColumn(x);
  const hand = handMatrix(all, allLabels, o.groups.filter((g) => g !== "ngram_lr"));
  const stacked = withColumn(hand, "ngram_lr_logit", lrCol);
  const score = (idx: number[], f: (m: Matrix) => Float32Array, m: Matrix) => f(takeRows(m, idx));
  const base = gbdt(takeRows(hand, o.fit), takeRows(hand, o.val));
  const stack = gbdt(takeRows(stacked, o.fit), takeRows(stacked, o.val));
  const models: [string, (idx: number[]) => ArrayLike<number>][] = [
    ["gbdt (handcrafted)", (idx) => score(idx, (m) => base(m.data, m.rows), hand)],
    ["n-gram LR", (idx) => Float64Array.from(idx, (i) => sigmoid(zAll[i]))],
    ["gbdt stacked on n-gram LR", (idx) => score(idx, (m) => stack(m.data, m.rows), stacked)],
  ];
  // Blend of gbdt and LR probabilities, weight chosen on validation.
  let blend = { w: 0, auc: -1 };
  const pb = models[0][1](o.val), pl = models[1][1](o.val);
  for (let w = 0; w <= 1.0001; w += 0.1) {
    const auc = rocAuc(yv, Float64Array.from(pb, (p, i) => (1 - w) * p + w * pl[i]));
    if (auc > blend.auc) blend = { w, auc };
  }
  models.push([`blend (LR weight ${blend.w.toFixed(1)})`, (idx) => {
    const a = models[0][1](idx), b = models[1][1](idx);
    return Float64Array.from(a, (p, i) => (1 - blend.w) * p + blend.w * b[i]);
  }]);
  if (o.parts) {
    const perPart = ngramPartMatrices(all).reduce(
      (m, xp, p) => withColumn(m, `ngram_lr_${NGRAM_PARTS[p]}`, stackColumn(xp)),
      hand,
    );
    const partStack = gbdt(takeRows(perPart, o.fit), takeRows(perPart, o.val), o.partsGbdt);
    models.push([
      "gbdt stacked on per-part n-gram LRs",
      (idx) => score(idx, (m) => partStack(m.data, m.rows), perPart),
    ]);
  }
  const rows = models.map(([model, f]) => {
    const pv = f(o.val), pt = f(o.test), pLegit = f(legitIdx);
    const t = thresholdForFpr(yv, pv, 0.01).threshold;
    let fp = 0, neg = 0, flagged = 0;
    yt.forEach((y, i) => {
      if (!y) (neg++, fp += pt[i] >= t ? 1 : 0);
    });
    for (let i = 0; i < pLegit.length; i++) flagged += pLegit[i] >= t ? 1 : 0;
    return {
      model,
      valAuc: rocAuc(yv, pv),
      testAcc: acc(yt, pt),
      testAuc: rocAuc(yt, pt),
      testFprAtThreshold: fp / neg,
      legitFlagged: flagged,
    };
  });
  return { rows, l2: best.l2, idf: o.idf, blend: blend.w };
}

/** Read the legitimate long URLs list (evaluation only). */
export async function readLegit(path = "bench/data/legit_long_urls.txt"): Promise<CheckedUrl[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim() !== "").map((l) =>
    checkUrl(l.trim())
  );
}

/** Print a comparison as a Markdown table. */
export function printStack(title: string, r: ReturnType<typeof stackComparison>, legitN: number) {
  const tf = r.idf ? "TF·IDF" : "TF";
  console.log(`\n${title} (n-gram LR on ${tf}, l2 ${r.l2} chosen on validation)\n`);
  console.log(
    "| model | val ROC-AUC | test accuracy | test ROC-AUC | test FPR at val 1 % threshold | legit long URLs flagged |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const x of r.rows) {
    console.log(
      `| ${x.model} | ${x.valAuc.toFixed(4)} | ${x.testAcc.toFixed(4)} | ${
        x.testAuc.toFixed(4)
      } | ` +
        `${x.testFprAtThreshold.toFixed(4)} | ${x.legitFlagged} of ${legitN} |`,
    );
  }
}
