/**
 * Binary logistic regression on sparse rows (CSR), fitted by full-batch
 * L-BFGS with an Armijo backtracking line search: deterministic (no
 * sampling), L2-penalised (`l2 · ½‖w‖²`, bias not penalised), the loss the
 * mean log-loss. Made for hashed n-gram features (lib/url/ngram_vector.ts):
 * hundreds of thousands of columns, a few hundred non-zeros per row.
 *
 * @module
 */
import { lbfgsLogreg } from "./_sparse_lbfgs.ts";

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
  const out = new Float32Array(x.cols);
  const unseen = Math.log((1 + n) / (1 + 0)) + 1; // most of a hash space: one logarithm for all
  for (let j = 0; j < out.length; j++) {
    out[j] = df[j] === 0 ? unseen : Math.log((1 + n) / (1 + df[j])) + 1;
  }
  return out;
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

/**
 * The columns that occur in `x`'s rows, ascending, and `x` with its column
 * indices renumbered to their rank in that list (entries in the same order).
 *
 * @example
 * ```ts
 * import { compactColumns, csrFromRows } from "./sparse_logreg.ts";
 * const x = csrFromRows([{ index: Int32Array.of(7, 2), value: Float32Array.of(1, 2) }], 9);
 * const c = compactColumns(x);
 * [Array.from(c.active), Array.from(c.x.indices), c.x.cols]; // [[2, 7], [1, 0], 2]
 * ```
 */
export function compactColumns(x: Csr): { active: Int32Array; x: Csr } {
  const rank = new Int32Array(x.cols);
  const nnz = x.indptr[x.indptr.length - 1];
  for (let k = 0; k < nnz; k++) rank[x.indices[k]] = 1;
  let cols = 0;
  for (let j = 0; j < x.cols; j++) if (rank[j]) rank[j] = ++cols;
  const active = new Int32Array(cols);
  for (let j = 0; j < x.cols; j++) if (rank[j]) active[rank[j] - 1] = j;
  const indices = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) indices[k] = rank[x.indices[k]] - 1;
  return { active, x: { cols, indptr: x.indptr, indices, values: x.values.subarray(0, nnz) } };
}

/**
 * Fit by L-BFGS (lib/learn/_sparse_lbfgs.ts) on the columns that occur in
 * `x`'s rows only: a column no row has keeps weight 0 (its gradient is
 * `l2 · 0`), and the active columns keep their ascending order, so the fit is
 * bit-identical to one over all `x.cols` columns, at a cost that follows the
 * active columns rather than the hash space.
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
  const c = compactColumns(x);
  const w = lbfgsLogreg(c.x, labels, options);
  const weights = new Float32Array(x.cols);
  for (let a = 0; a < c.active.length; a++) weights[c.active[a]] = w[a];
  return { weights, bias: w[c.active.length] };
}
