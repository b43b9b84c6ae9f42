/**
 * The n-gram logistic regression of the URL model: hashed character n-grams
 * (lib/url/ngram_vector.ts) into a sparse L-BFGS logistic regression
 * (lib/learn/sparse_logreg.ts). It is stacked under the gradient-boosted
 * trees: its out-of-fold logit on the training rows (K seeded folds, so the
 * trees never see a score the LR fitted on the same row) is one more column
 * of the tree model's input, and at check time the logit of the LR fitted on
 * all training rows is.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createRng, shuffle } from "../rng.ts";
import {
  type Csr,
  csrFromRows,
  csrScaleColumns,
  csrTake,
  fitSparseLogreg,
  inverseDocFrequency,
  sparseLogits,
  type SparseLogreg,
} from "../learn/sparse_logreg.ts";
import type { CheckedUrl } from "./check_input.ts";
import type { SparseVector } from "./ngram_vector.ts";
import { NGRAM_PARTS, SPARSE_BITS, urlNgramVector, urlPartGrams } from "./ngram_vector.ts";

/** Options of the n-gram LR. */
export interface NgramLrOptions {
  /** L2 strength on the mean log-loss. */
  l2: number;
  /** L-BFGS iterations at most (default 200). */
  maxIter?: number;
  /** Relative loss change L-BFGS stops at (default 1e-7). */
  tol?: number;
  /**
   * Weight each column by its smooth IDF on the fitted rows (default
   * false). The LR is fitted on `x ∘ idf` and the IDF folded into the
   * returned weights (`w ∘ idf`), so the model scores raw (TF) vectors.
   */
  idf?: boolean;
  /**
   * Also weight each column by the magnitude of its naive-Bayes log-count
   * ratio on the fitted rows (NB-SVM, Wang & Manning 2012; default false):
   * `|ln((1 + p_j) / ‖1 + p‖₁) - ln((1 + q_j) / ‖1 + q‖₁)|`, `p`/`q` the
   * column sums of the phishing / legitimate rows. Folded into the weights
   * like the IDF, so the model still scores raw vectors.
   */
  nb?: boolean;
}

/**
 * The CSR matrix of the n-gram vectors of `checked`.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { ngramMatrix } from "./ngram_model.ts";
 * ngramMatrix([checkUrl("http://a.com/")]).indptr.length; // 2
 * ```
 */
export function ngramMatrix(checked: readonly CheckedUrl[]): Csr {
  return csrFromRows(checked.map((c) => urlNgramVector(c)), 1 << SPARSE_BITS);
}

/**
 * One CSR matrix per URL part ({@linkcode NGRAM_PARTS} order) for the
 * per-part LRs: each part's n-grams normalised on their own, counted part by
 * part (`urlPartGrams`, lib/url/_part_grams.ts: the entries and values of
 * lib/url/_gram_table.ts `computeParts`, tested equal), the values the checker
 * scores.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { ngramPartMatrices } from "./ngram_model.ts";
 * ngramPartMatrices([checkUrl("http://a.com/")]).length; // 4
 * ```
 */
export function ngramPartMatrices(checked: readonly CheckedUrl[]): Csr[] {
  const rows = NGRAM_PARTS.map(() => [] as SparseVector[]);
  for (const c of checked) {
    const t = urlPartGrams(c);
    for (let p = 0; p < NGRAM_PARTS.length; p++) {
      const a = t.partStart[p], b = t.partStart[p + 1];
      rows[p].push({ index: t.bucket.slice(a, b), value: t.value.slice(a, b) });
    }
  }
  return rows.map((r) => csrFromRows(r, 1 << SPARSE_BITS));
}

/**
 * Fit the n-gram LR on `x`. With `idf` the IDF comes from these rows only
 * and is folded into the weights: the result scores unweighted rows.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { fitNgramLr, ngramMatrix } from "./ngram_model.ts";
 * const x = ngramMatrix([checkUrl("http://a.com/"), checkUrl("http://b.tk/login")]);
 * fitNgramLr(x, Uint8Array.of(0, 1), { l2: 1e-3, idf: true }).weights.length; // 262144
 * ```
 */
export function fitNgramLr(x: Csr, labels: ArrayLike<number>, o: NgramLrOptions): SparseLogreg {
  const maxIter = o.maxIter ?? 200;
  if (!o.idf && !o.nb) return fitSparseLogreg(x, labels, { l2: o.l2, maxIter, tol: o.tol });
  const scale = o.idf ? inverseDocFrequency(x) : new Float32Array(x.cols).fill(1);
  if (o.nb) {
    const r = logCountRatio(x, labels);
    for (let j = 0; j < scale.length; j++) scale[j] *= Math.abs(r[j]);
  }
  const m = fitSparseLogreg(csrScaleColumns(x, scale), labels, { l2: o.l2, maxIter, tol: o.tol });
  for (let j = 0; j < m.weights.length; j++) m.weights[j] *= scale[j];
  return m;
}

/**
 * Naive-Bayes log-count ratio of each column of `x` (add-one smoothed):
 * `ln((1 + p_j) / ‖1 + p‖₁) - ln((1 + q_j) / ‖1 + q‖₁)`, `p`/`q` the
 * column sums of the rows labelled 1 / 0. Positive: the column is more
 * frequent in class 1.
 *
 * @example
 * ```ts
 * import { csrFromRows } from "../learn/sparse_logreg.ts";
 * import { logCountRatio } from "./ngram_model.ts";
 * const row = (j: number) => ({ index: Int32Array.of(j), value: Float32Array.of(1) });
 * const x = csrFromRows([row(0), row(1)], 2);
 * logCountRatio(x, Uint8Array.of(1, 0))[0] > 0; // true
 * ```
 */
export function logCountRatio(x: Csr, labels: ArrayLike<number>): Float64Array {
  const p = new Float64Array(x.cols).fill(1), q = new Float64Array(x.cols).fill(1);
  for (let i = 0; i + 1 < x.indptr.length; i++) {
    const sum = labels[i] ? p : q;
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) sum[x.indices[k]] += x.values[k];
  }
  let sp = 0, sq = 0;
  for (let j = 0; j < x.cols; j++) (sp += p[j], sq += q[j]);
  const r = new Float64Array(x.cols);
  for (let j = 0; j < x.cols; j++) r[j] = Math.log(p[j] / sp) - Math.log(q[j] / sq);
  return r;
}

/**
 * Fold of each row: `folds` seeded folds, stratified by label (each class
 * shuffled, then dealt round-robin).
 *
 * @example
 * ```ts
 * import { stratifiedFolds } from "./ngram_model.ts";
 * stratifiedFolds(Uint8Array.of(0, 0, 1, 1), 2, 7).toSorted(); // Int32Array [0, 0, 1, 1]
 * ```
 */
export function stratifiedFolds(
  labels: ArrayLike<number>,
  folds: number,
  seed: number,
): Int32Array {
  const n = labels.length;
  const fold = new Int32Array(n);
  const rng = createRng(seed);
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if ((labels[i] ? 1 : 0) === cls) idx.push(i);
    shuffle(idx, rng).forEach((i, k) => fold[i] = k % folds);
  }
  return fold;
}

/**
 * Out-of-fold logits: each row scored by an LR fitted on the other
 * `folds - 1` folds (seeded, stratified by label). The stacking input of
 * the trees on the rows the LR trained on.
 *
 * @example
 * ```ts ignore
 * import { outOfFoldLogits } from "./ngram_model.ts";
 * const z = outOfFoldLogits(x, labels, { l2: 1e-4, folds: 5, seed: 7 });
 * ```
 */
export function outOfFoldLogits(
  x: Csr,
  labels: ArrayLike<number>,
  o: NgramLrOptions & { folds: number; seed: number },
): Float64Array {
  const fold = stratifiedFolds(labels, o.folds, o.seed);
  const out = new Float64Array(labels.length);
  for (let f = 0; f < o.folds; f++) {
    placeHeldOut(out, fold, f, heldOutLogits(x, labels, fold, f, o));
  }
  return out;
}

/**
 * One fold of {@linkcode outOfFoldLogits}: the LR fitted on the rows whose
 * fold is not `f`, its logits of the rows in fold `f` (ascending row order;
 * {@linkcode placeHeldOut} puts them in place).
 *
 * @example
 * ```ts ignore
 * const z = heldOutLogits(x, labels, stratifiedFolds(labels, 5, 7), 0, { l2: 1e-4 });
 * ```
 */
export function heldOutLogits(
  x: Csr,
  labels: ArrayLike<number>,
  fold: Int32Array,
  f: number,
  o: NgramLrOptions,
): Float64Array {
  const fit: number[] = [], held: number[] = [];
  for (let i = 0; i < fold.length; i++) (fold[i] === f ? held : fit).push(i);
  const m = fitNgramLr(csrTake(x, fit), fit.map((i) => labels[i]), o);
  return sparseLogits(m, csrTake(x, held));
}

/**
 * Write fold `f`'s held-out logits `z` ({@linkcode heldOutLogits}) into
 * their rows of `out`.
 *
 * @example
 * ```ts
 * import { placeHeldOut } from "./ngram_model.ts";
 * const out = new Float64Array(3);
 * placeHeldOut(out, Int32Array.of(1, 0, 1), 1, Float64Array.of(5, 6));
 * Array.from(out); // [5, 0, 6]
 * ```
 */
export function placeHeldOut(out: Float64Array, fold: Int32Array, f: number, z: Float64Array) {
  for (let i = 0, k = 0; i < fold.length; i++) if (fold[i] === f) out[i] = z[k++];
}

/**
 * Serialize a fitted n-gram LR as compact JSON: the non-zero weights only
 * (indices ascending), base64 of little-endian Int32/Float32 arrays.
 * Byte-identical for the same model.
 */
export function ngramLrJson(m: SparseLogreg): string {
  return JSON.stringify({ format: "threatline-ngram-lr/1", bits: SPARSE_BITS, ...lrFields(m) }) +
    "\n";
}

/**
 * Serialize the per-part LRs ({@linkcode NGRAM_PARTS} order) as
 * `threatline-ngram-lr-parts/1`: per part, its fields as in
 * {@linkcode ngramLrJson}. Byte-identical for the same models.
 *
 * @example
 * ```ts
 * import { ngramPartLrsJson, parseNgramLrFile } from "./ngram_model.ts";
 * const lr = { weights: new Float32Array(1 << 18), bias: 0.5 };
 * (parseNgramLrFile(ngramPartLrsJson([lr, lr, lr, lr])) as unknown[]).length; // 4
 * ```
 */
export function ngramPartLrsJson(ms: readonly SparseLogreg[]): string {
  return JSON.stringify({
    format: "threatline-ngram-lr-parts/1",
    bits: SPARSE_BITS,
    parts: ms.map((m, p) => ({ part: NGRAM_PARTS[p], ...lrFields(m) })),
  }) + "\n";
}

function lrFields(m: SparseLogreg): { bias: number; index: string; value: string } {
  const idx: number[] = [];
  for (let j = 0; j < m.weights.length; j++) if (m.weights[j] !== 0) idx.push(j);
  const index = Int32Array.from(idx), value = Float32Array.from(idx, (j) => m.weights[j]);
  const b64 = (a: Int32Array | Float32Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
  return { bias: m.bias, index: b64(index), value: b64(value) };
}

/** Parse {@linkcode ngramLrJson} output. */
export function parseNgramLr(text: string): SparseLogreg {
  const j = JSON.parse(text);
  if (j.format !== "threatline-ngram-lr/1" || j.bits !== SPARSE_BITS) {
    throw new Error(`not a threatline n-gram LR (format ${j.format}, bits ${j.bits})`);
  }
  return lrOf(j);
}

/**
 * Parse either n-gram LR file: the single LR ({@linkcode ngramLrJson}) or
 * the per-part LRs ({@linkcode ngramPartLrsJson}, an array in
 * {@linkcode NGRAM_PARTS} order).
 *
 * @example
 * ```ts ignore
 * const lr = parseNgramLrFile(await Deno.readTextFile("artifacts/url/model/ngram_lr.json"));
 * ```
 */
export function parseNgramLrFile(text: string): SparseLogreg | SparseLogreg[] {
  const j = JSON.parse(text);
  if (j.format !== "threatline-ngram-lr-parts/1") return parseNgramLr(text);
  const ok = j.bits === SPARSE_BITS && Array.isArray(j.parts) &&
    j.parts.length === NGRAM_PARTS.length &&
    j.parts.every((q: { part: string }, p: number) => q.part === NGRAM_PARTS[p]);
  if (!ok) throw new Error(`not threatline per-part n-gram LRs (bits ${j.bits})`);
  return j.parts.map(lrOf);
}

function lrOf(j: { bias: number; index: string; value: string }): SparseLogreg {
  const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "base64")).buffer;
  const index = new Int32Array(bytes(j.index)), value = new Float32Array(bytes(j.value));
  const weights = new Float32Array(1 << SPARSE_BITS);
  index.forEach((i, k) => weights[i] = value[k]);
  return { weights, bias: j.bias };
}
