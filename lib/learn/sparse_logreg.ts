/**
 * Binary logistic regression on sparse rows (CSR), fitted by full-batch
 * L-BFGS with an Armijo backtracking line search: deterministic (no
 * sampling), L2-penalised (`l2 · ½‖w‖²`, bias not penalised), the loss the
 * mean log-loss. Made for hashed n-gram features (lib/url/ngram_vector.ts):
 * hundreds of thousands of columns, a few hundred non-zeros per row.
 *
 * @module
 */

/** Rows in compressed sparse row form. */
export interface Csr {
  /** Number of columns. */
  cols: number;
  /** Row i's entries are `indptr[i] .. indptr[i + 1]`. */
  indptr: Int32Array;
  /** Column of each entry. */
  indices: Int32Array;
  /** Value of each entry. */
  values: Float32Array;
}

/** A fitted model. */
export interface SparseLogreg {
  /** One weight per column. */
  weights: Float32Array;
  /** Intercept. */
  bias: number;
}

/** Fit options. */
export interface SparseLogregOptions {
  /** L2 strength on the mean loss (sklearn's C is 1 / (l2 · rows)). */
  l2: number;
  /** L-BFGS iterations at most (default 200). */
  maxIter?: number;
  /** Stop when the relative loss change falls below this (default 1e-7). */
  tol?: number;
  /** History size (default 10). */
  memory?: number;
}

/**
 * Build a CSR matrix from sparse rows.
 *
 * @example
 * ```ts
 * import { csrFromRows } from "./sparse_logreg.ts";
 * const x = csrFromRows([{ index: Int32Array.of(1), value: Float32Array.of(2) }], 4);
 * [x.indptr[1], x.indices[0], x.values[0]]; // [1, 1, 2]
 * ```
 */
export function csrFromRows(
  rows: readonly { index: Int32Array; value: Float32Array }[],
  cols: number,
): Csr {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => indptr[i + 1] = indptr[i] + r.index.length);
  const indices = new Int32Array(indptr[rows.length]);
  const values = new Float32Array(indptr[rows.length]);
  rows.forEach((r, i) => {
    indices.set(r.index, indptr[i]);
    values.set(r.value, indptr[i]);
  });
  return { cols, indptr, indices, values };
}

/** The rows `take` of `x`, in that order. */
export function csrTake(x: Csr, take: ArrayLike<number>): Csr {
  const indptr = new Int32Array(take.length + 1);
  for (let k = 0; k < take.length; k++) {
    const i = take[k];
    indptr[k + 1] = indptr[k] + x.indptr[i + 1] - x.indptr[i];
  }
  const indices = new Int32Array(indptr[take.length]);
  const values = new Float32Array(indptr[take.length]);
  for (let k = 0; k < take.length; k++) {
    const i = take[k];
    indices.set(x.indices.subarray(x.indptr[i], x.indptr[i + 1]), indptr[k]);
    values.set(x.values.subarray(x.indptr[i], x.indptr[i + 1]), indptr[k]);
  }
  return { cols: x.cols, indptr, indices, values };
}

/**
 * A copy of `x` with column `j` multiplied by `scale[j]` (e.g. IDF weights).
 *
 * @example
 * ```ts
 * import { csrFromRows, csrScaleColumns } from "./sparse_logreg.ts";
 * const x = csrFromRows([{ index: Int32Array.of(1), value: Float32Array.of(2) }], 2);
 * csrScaleColumns(x, Float32Array.of(1, 3)).values[0]; // 6
 * ```
 */
export function csrScaleColumns(x: Csr, scale: ArrayLike<number>): Csr {
  const values = new Float32Array(x.values.length);
  for (let k = 0; k < values.length; k++) values[k] = x.values[k] * scale[x.indices[k]];
  return { ...x, values };
}

/**
 * Smooth inverse document frequency of every column of `x`:
 * `ln((1 + n) / (1 + df)) + 1` (scikit-learn's `smooth_idf`), `df` the
 * number of rows where the column is non-zero.
 *
 * @example
 * ```ts
 * import { csrFromRows, inverseDocFrequency } from "./sparse_logreg.ts";
 * const row = { index: Int32Array.of(0), value: Float32Array.of(1) };
 * const x = csrFromRows([row, { index: new Int32Array(0), value: new Float32Array(0) }], 2);
 * inverseDocFrequency(x)[0]; // ln(3/2) + 1
 * ```
 */
export function inverseDocFrequency(x: Csr): Float32Array {
  const n = x.indptr.length - 1;
  const df = new Int32Array(x.cols);
  for (let k = 0; k < x.indptr[n]; k++) if (x.values[k] !== 0) df[x.indices[k]]++;
  return Float32Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
}

/** The decision value (logit) of one sparse row. */
export function sparseLogit(
  m: SparseLogreg,
  index: ArrayLike<number>,
  value: ArrayLike<number>,
): number {
  let z = m.bias;
  for (let k = 0; k < index.length; k++) z += m.weights[index[k]] * value[k];
  return z;
}

/** Logits of every row of `x`. */
export function sparseLogits(m: SparseLogreg, x: Csr): Float64Array {
  const out = new Float64Array(x.indptr.length - 1);
  for (let i = 0; i < out.length; i++) {
    let z = m.bias;
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) z += m.weights[x.indices[k]] * x.values[k];
    out[i] = z;
  }
  return out;
}

/** log(1 + e^z), stable. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * Fit by L-BFGS. `w` holds the weights then the bias (length cols + 1).
 *
 * @example
 * ```ts
 * import { csrFromRows, fitSparseLogreg } from "./sparse_logreg.ts";
 * // Intercept only: the bias converges to logit(3/4) = ln 3.
 * const empty = { index: new Int32Array(0), value: new Float32Array(0) };
 * const x = csrFromRows([empty, empty, empty, empty], 1);
 * const m = fitSparseLogreg(x, Uint8Array.of(1, 1, 1, 0), { l2: 0 });
 * Math.abs(m.bias - Math.log(3)) < 1e-4; // true
 * ```
 */
export function fitSparseLogreg(
  x: Csr,
  labels: ArrayLike<number>,
  options: SparseLogregOptions,
): SparseLogreg {
  const n = x.indptr.length - 1, d = x.cols, dim = d + 1;
  const { l2, maxIter = 200, tol = 1e-7, memory = 10 } = options;
  const z = new Float64Array(n);
  /** Mean loss + penalty at `w`, its gradient into `g`. */
  const lossGrad = (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let s = w[d];
      for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) s += w[x.indices[k]] * x.values[k];
      z[i] = s;
      loss += softplus(s) - (labels[i] ? s : 0);
      const r = (1 / (1 + Math.exp(-s)) - (labels[i] ? 1 : 0)) / n;
      for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) g[x.indices[k]] += r * x.values[k];
      g[d] += r;
    }
    loss /= n;
    let pen = 0;
    for (let j = 0; j < d; j++) {
      pen += w[j] * w[j];
      g[j] += l2 * w[j];
    }
    return loss + 0.5 * l2 * pen;
  };
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[j] * b[j];
    return s;
  };
  let w = new Float64Array(dim), g = new Float64Array(dim);
  let wNew = new Float64Array(dim), gNew = new Float64Array(dim);
  const dir = new Float64Array(dim);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const alpha = new Float64Array(memory);
  let f = lossGrad(w, g);
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion: dir = -H·g.
    for (let j = 0; j < dim; j++) dir[j] = -g[j];
    for (let m = S.length - 1; m >= 0; m--) {
      alpha[m] = rho[m] * dot(S[m], dir);
      const y = Y[m];
      for (let j = 0; j < dim; j++) dir[j] -= alpha[m] * y[j];
    }
    const gamma = S.length
      ? dot(S[S.length - 1], Y[S.length - 1]) / dot(Y[S.length - 1], Y[S.length - 1])
      : 1;
    for (let j = 0; j < dim; j++) dir[j] *= gamma;
    for (let m = 0; m < S.length; m++) {
      const beta = rho[m] * dot(Y[m], dir);
      const s = S[m];
      for (let j = 0; j < dim; j++) dir[j] += (alpha[m] - beta) * s[j];
    }
    let slope = dot(g, dir);
    if (slope >= 0) { // not a descent direction: restart from steepest descent
      for (let j = 0; j < dim; j++) dir[j] = -g[j];
      slope = dot(g, dir);
      S.length = Y.length = rho.length = 0;
    }
    if (slope > -1e-20) break;
    let step = 1, fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < dim; j++) wNew[j] = w[j] + step * dir[j];
      fNew = lossGrad(wNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break;
    const s = S.length === memory ? S.shift()! : new Float64Array(dim);
    const y = Y.length === memory ? Y.shift()! : new Float64Array(dim);
    if (rho.length === memory) rho.shift();
    for (let j = 0; j < dim; j++) {
      s[j] = wNew[j] - w[j];
      y[j] = gNew[j] - g[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    const done = Math.abs(f - fNew) <= tol * Math.max(1, Math.abs(f));
    f = fNew;
    if (done) break;
  }
  return { weights: Float32Array.from(w.subarray(0, d)), bias: w[d] };
}
