/**
 * `deno task bench url-model --variants [--parts]`: the URL model's choices
 * made by 5-fold cross-validation on the pipeline's TRAIN split only
 * (`artifacts/url/ingest/train.csv`; the holdout is never read).
 *
 * 1. The n-gram LR alone (lib/url/ngram_model.ts): TF vs TF·IDF and the L2
 *    strength; pooled out-of-fold ROC-AUC and accuracy at 0.5.
 * 2. The stacked model, as the pipeline builds it: in each outer fold the
 *    LR logit of the fold's training rows is out-of-fold within them
 *    (5 inner folds), the held-out rows get the LR fitted on all of them;
 *    a gbdt per config of the search grid is early-stopped on a stratified
 *    20 % validation split of the training rows (seed 7, as `train`), and
 *    "grid …" rows pick, per fold, the config with the best validation
 *    ROC-AUC, as the search does (no refit). For the best LR setting also
 *    with more feature groups (tokens, entropy) and with the training rows'
 *    logits out-of-fold in 10 folds instead of 5. Accuracy at 0.5 and at the
 *    accuracy-best threshold of the validation split (a calibration check:
 *    if it beats 0.5 out of fold, the probabilities are off).
 *    `--parts`: also one LR per URL part (URL, registered domain, subdomain,
 *    path + query), their four logits as four stacked columns.
 *
 * @module
 */
import type { Logger } from "../lib/log.ts";
import type { Matrix } from "../lib/learn/matrix.ts";
import { takeRows } from "../lib/learn/models.ts";
import { compileTrees, fitTreeCandidate } from "../lib/learn/trees.ts";
import { type Csr, csrFromRows, csrTake, sparseLogits } from "../lib/learn/sparse_logreg.ts";
import { rocAuc } from "../lib/reports/metrics.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import type { CheckedUrl } from "../lib/url/check_input.ts";
import type { FeatureGroup } from "../lib/url/features.ts";
import {
  fitNgramLr,
  ngramMatrix,
  outOfFoldLogits,
  stratifiedFolds,
} from "../lib/url/ngram_model.ts";
import { hashParts, ngramParts, SPARSE_BITS } from "../lib/url/ngram_vector.ts";
import { BENCH_GBDT, handMatrix, withColumn } from "./_url_stack.ts";

const FOLDS = 5, SEED = 7;
/** LR settings of part 1. */
const LR_GRID = [
  { idf: false, l2: 3e-7 },
  { idf: false, l2: 1e-7 },
  { idf: true, l2: 1e-8 },
  { idf: true, l2: 3e-8 },
  { idf: true, l2: 1e-7 },
  { idf: true, l2: 3e-7 },
  { idf: true, l2: 1e-6 },
];
/** The gbdt grid of part 2 (url.params.yaml `train.search.gbdt`). */
const GBDT_GRID = [0.05, 0.1].flatMap((learningRate) =>
  [5, 20].map((minSamplesLeaf) => ({ ...BENCH_GBDT, learningRate, minSamplesLeaf }))
);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

interface LrSetting {
  idf: boolean;
  l2: number;
  /** One LR per URL part (four columns) instead of one. */
  parts?: boolean;
  /** Folds of the out-of-fold logits of the gbdt's training rows (default 5). */
  oofFolds?: number;
}

const lrName = (s: LrSetting) =>
  `${s.parts ? "per-part " : ""}${s.idf ? "TF·IDF" : "TF"} l2 ${s.l2}` +
  (s.oofFolds ? `, out-of-fold in ${s.oofFolds}` : "");

function accAt(labels: ArrayLike<number>, p: ArrayLike<number>, t: number): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += (p[i] >= t ? 1 : 0) === labels[i] ? 1 : 0;
  return ok / labels.length;
}

/** The threshold (a midpoint between scores) with the best accuracy on (labels, p). */
function bestAccThreshold(labels: ArrayLike<number>, p: ArrayLike<number>): number {
  const order = Array.from(p, (_, i) => i).sort((a, b) => p[a] - p[b]);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  // Threshold below everything: all positive.
  let correct = pos, best = { t: -Infinity, correct };
  for (let k = 0; k < order.length; k++) {
    correct += labels[order[k]] ? -1 : 1;
    const next = k + 1 < order.length ? p[order[k + 1]] : Infinity;
    if (next > p[order[k]] && correct > best.correct) {
      best = { t: (p[order[k]] + Math.min(next, 1)) / 2, correct };
    }
  }
  return best.t;
}

/** The four per-part matrices (each part's n-grams alone, L2-normalised on their own). */
function partMatrices(checked: CheckedUrl[]): Csr[] {
  const texts = checked.map(ngramParts);
  return [0, 1, 2, 3].map((p) =>
    csrFromRows(
      texts.map((t) => hashParts(t.map((s, q) => (q === p ? s : "")), SPARSE_BITS)),
      1 << SPARSE_BITS,
    )
  );
}

/** Stacking columns for `fit` (out-of-fold within it) and `held` (LR on all of `fit`). */
function stackColumns(
  xs: Csr[],
  labels: Uint8Array,
  s: LrSetting,
  fit: number[],
  held: number[],
): { fit: Float64Array[]; held: Float64Array[] } {
  const yf = Uint8Array.from(fit, (i) => labels[i]);
  const out = { fit: [] as Float64Array[], held: [] as Float64Array[] };
  for (const x of xs) {
    const xf = csrTake(x, fit);
    out.fit.push(outOfFoldLogits(xf, yf, { ...s, folds: s.oofFolds ?? FOLDS, seed: SEED }));
    out.held.push(sparseLogits(fitNgramLr(xf, yf, s), csrTake(x, held)));
  }
  return out;
}

interface CvRow {
  name: string;
  auc: number;
  acc: number;
  accValT: number;
  meanT: number;
}

function printRows(title: string, rows: CvRow[]) {
  console.log(`\n${title}\n`);
  console.log("| variant | CV ROC-AUC | CV accuracy at 0.5 | at val-best threshold (mean t) |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.auc.toFixed(4)} | ${r.acc.toFixed(4)} | ` +
        (Number.isNaN(r.accValT) ? "– |" : `${r.accValT.toFixed(4)} (${r.meanT.toFixed(3)}) |`),
    );
  }
}

/** Run the comparison on the train split (`checked`, `labels`); prints Markdown tables. */
export function variantsBench(
  o: {
    checked: CheckedUrl[];
    labels: Uint8Array;
    groups: FeatureGroup[];
    parts?: boolean;
    log: Logger;
  },
): void {
  const { checked, labels } = o;
  const n = labels.length;
  const fold = stratifiedFolds(labels, FOLDS, SEED);
  const foldRows = (f: number) => {
    const fit: number[] = [], held: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? held : fit).push(i);
    return { fit, held };
  };
  const x = ngramMatrix(checked);
  // 1. The LR alone.
  const lrRows: (CvRow & { s: LrSetting })[] = [];
  for (const s of LR_GRID) {
    const z = outOfFoldLogits(x, labels, { ...s, folds: FOLDS, seed: SEED });
    const p = Array.from(z, sigmoid);
    lrRows.push({
      s,
      name: lrName(s),
      auc: rocAuc(labels, p),
      acc: accAt(labels, p, 0.5),
      accValT: NaN,
      meanT: NaN,
    });
  }
  printRows(`n-gram LR alone, ${FOLDS}-fold CV on the train split (${n} rows)`, lrRows);
  const bestIdf = lrRows.filter((r) => r.s.idf).reduce((a, b) => (b.auc > a.auc ? b : a)).s;
  // 2. Stacked.
  const kept: FeatureGroup[] = o.groups.filter((g) => g !== "ngram_lr");
  const plus = (g: FeatureGroup[]) => [...kept, ...g.filter((x) => !kept.includes(x))];
  const variants: { s: LrSetting; groups: FeatureGroup[]; label: string }[] = [
    { s: LR_GRID[0], groups: kept, label: "" },
    { s: bestIdf, groups: kept, label: "" },
    { s: bestIdf, groups: plus(["tokens"]), label: " + tokens" },
    { s: bestIdf, groups: plus(["entropy"]), label: " + entropy" },
    { s: { ...bestIdf, oofFolds: 10 }, groups: kept, label: "" },
  ];
  if (o.parts) variants.push({ s: { ...bestIdf, parts: true }, groups: kept, label: "" });
  const xParts = o.parts ? partMatrices(checked) : [];
  const rows: CvRow[] = [];
  const cache = new Map<string, { fit: Float64Array[]; held: Float64Array[] }[]>();
  for (const v of variants) {
    o.log.info("variants: stacked", { lr: lrName(v.s), groups: v.groups.join(",") });
    const key = lrName(v.s);
    if (!cache.has(key)) {
      const xs = v.s.parts ? xParts : [x];
      cache.set(
        key,
        [...Array(FOLDS).keys()].map((f) => {
          const { fit, held } = foldRows(f);
          return stackColumns(xs, labels, v.s, fit, held);
        }),
      );
    }
    const cols = cache.get(key)!;
    const hand = handMatrix(checked, labels, v.groups);
    // Per config: pooled held-out scores and per-fold validation AUC; then the grid picks.
    const held = GBDT_GRID.map(() => new Float64Array(n));
    const heldT = GBDT_GRID.map(() => new Float64Array(n));
    const valAuc = GBDT_GRID.map(() => new Float64Array(FOLDS));
    for (let f = 0; f < FOLDS; f++) {
      const { fit, held: h } = foldRows(f);
      let mFit = takeRows(hand, fit), mHeld = takeRows(hand, h);
      cols[f].fit.forEach((c, j) => {
        mFit = withColumn(mFit, `lr${j}`, c);
        mHeld = withColumn(mHeld, `lr${j}`, cols[f].held[j]);
      });
      const inner = stratifiedSplit(mFit.labels, { testSize: 0.2, seed: SEED });
      const tr = takeRows(mFit, inner.train), va: Matrix = takeRows(mFit, inner.test);
      GBDT_GRID.forEach((config, c) => {
        const { model } = fitTreeCandidate({
          config,
          train: tr,
          val: va,
          seed: SEED,
          metric: "roc_auc",
        });
        const score = compileTrees(model);
        const pv = score(va.data, va.rows), ph = score(mHeld.data, mHeld.rows);
        valAuc[c][f] = rocAuc(va.labels, pv);
        const t = bestAccThreshold(va.labels, pv);
        h.forEach((i, k) => {
          held[c][i] = ph[k];
          heldT[c][i] = t;
        });
      });
    }
    const report = (name: string, pick: (f: number) => number) => {
      const p = new Float64Array(n), t = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = pick(fold[i]);
        p[i] = held[c][i];
        t[i] = heldT[c][i];
      }
      let ok = 0;
      for (let i = 0; i < n; i++) ok += (p[i] >= t[i] ? 1 : 0) === labels[i] ? 1 : 0;
      rows.push({
        name: `${lrName(v.s)}${v.label}, ${name}`,
        auc: rocAuc(labels, p),
        acc: accAt(labels, p, 0.5),
        accValT: ok / n,
        meanT: t.reduce((a, b) => a + b, 0) / n,
      });
    };
    const pickFrom = (cs: number[]) => (f: number) =>
      cs.reduce((a, b) => (valAuc[b][f] > valAuc[a][f] ? b : a));
    GBDT_GRID.forEach((g, c) =>
      report(`gbdt lr ${g.learningRate} leaf ${g.minSamplesLeaf}`, () => c)
    );
    report("grid lr [0.1]", pickFrom([2, 3]));
    report("grid lr [0.05, 0.1]", pickFrom([0, 1, 2, 3]));
  }
  printRows(`gbdt stacked on the n-gram LR, ${FOLDS}-fold CV on the train split`, rows);
}
