/**
 * The L-BFGS core of lib/learn/sparse_logreg.ts: binary logistic regression
 * on CSR rows over exactly `x.cols` columns (weights then the bias), full
 * batch, Armijo backtracking, L2 on the weights (not the bias). Every vector
 * sum runs over the columns in ascending order, so fitting on the columns
 * that occur in the rows only (`fitSparseLogreg` compacts them, keeping their
 * order) gives the same sums, bit for bit, as fitting on all of them: an
 * absent column's weight starts at 0 and its gradient `l2 · w` stays 0.
 *
 * @module
 */

/** CSR rows (the shape of `Csr` in sparse_logreg.ts). */
export interface CsrRows {
  /** Number of columns. */
  cols: number;
  /** Row i's entries are `indptr[i] .. indptr[i + 1]`. */
  indptr: Int32Array;
  /** Column of each entry. */
  indices: Int32Array;
  /** Value of each entry. */
  values: Float32Array;
}

/** Options of {@linkcode lbfgsLogreg} (as `SparseLogregOptions`). */
export interface LbfgsOptions {
  /** L2 strength on the mean loss. */
  l2: number;
  /** Iterations at most (default 200). */
  maxIter?: number;
  /** Relative loss change to stop at (default 1e-7). */
  tol?: number;
  /** History size (default 10). */
  memory?: number;
}

/** log(1 + e^z), stable. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * Fit by L-BFGS over all `x.cols` columns; returns the weights then the bias
 * (length `x.cols + 1`).
 *
 * @example
 * ```ts
 * import { lbfgsLogreg } from "./_sparse_lbfgs.ts";
 * const x = { cols: 0, indptr: new Int32Array(5), indices: new Int32Array(0), values: new Float32Array(0) };
 * Math.abs(lbfgsLogreg(x, [1, 1, 1, 0], { l2: 0 })[0] - Math.log(3)) < 1e-4; // true
 * ```
 */
export function lbfgsLogreg(
  x: CsrRows,
  labels: ArrayLike<number>,
  options: LbfgsOptions,
): Float64Array {
  const n = x.indptr.length - 1, d = x.cols, dim = d + 1;
  const { l2, maxIter = 200, tol = 1e-7, memory = 10 } = options;
  const { indptr, indices, values } = x;
  /** Mean loss + penalty at `w`, its gradient into `g` (zeroed by the caller). */
  const lossGrad = (w: Float64Array, g: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let s = w[d];
      for (let k = indptr[i]; k < indptr[i + 1]; k++) s += w[indices[k]] * values[k];
      loss += softplus(s) - (labels[i] ? s : 0);
      const r = (1 / (1 + Math.exp(-s)) - (labels[i] ? 1 : 0)) / n;
      for (let k = indptr[i]; k < indptr[i + 1]; k++) g[indices[k]] += r * values[k];
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
  // History: S, Y, rho = 1 / (s·y), and s·y, y·y (the scaling γ of the newest pair).
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const SY: number[] = [], YY: number[] = [];
  const alpha = new Float64Array(memory);
  let f = lossGrad(w, g);
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion: dir = -H·g. Each pass also takes the dot product the
    // next step needs, over the same elements in the same order as its own pass.
    const M = S.length;
    let acc = 0;
    if (M === 0) {
      for (let j = 0; j < dim; j++) {
        const v = -g[j];
        dir[j] = v;
        acc += g[j] * v;
      }
    } else {
      const s0 = S[M - 1];
      for (let j = 0; j < dim; j++) {
        const v = -g[j];
        dir[j] = v;
        acc += s0[j] * v;
      }
      for (let m = M - 1; m > 0; m--) {
        const a = alpha[m] = rho[m] * acc, y = Y[m], next = S[m - 1];
        acc = 0;
        for (let j = 0; j < dim; j++) {
          const v = dir[j] - a * y[j];
          dir[j] = v;
          acc += next[j] * v;
        }
      }
      const a0 = alpha[0] = rho[0] * acc, y0 = Y[0], gamma = SY[M - 1] / YY[M - 1];
      acc = 0;
      for (let j = 0; j < dim; j++) {
        const v = (dir[j] - a0 * y0[j]) * gamma;
        dir[j] = v;
        acc += y0[j] * v;
      }
      for (let m = 0; m < M; m++) {
        const c = alpha[m] - rho[m] * acc, s = S[m], next = m + 1 < M ? Y[m + 1] : g;
        acc = 0;
        for (let j = 0; j < dim; j++) {
          const v = dir[j] + c * s[j];
          dir[j] = v;
          acc += next[j] * v;
        }
      }
    }
    let slope = acc;
    if (slope >= 0) { // not a descent direction: restart from steepest descent
      for (let j = 0; j < dim; j++) dir[j] = -g[j];
      slope = dot(g, dir);
      S.length =
        Y.length =
        rho.length =
        SY.length =
        YY.length =
          0;
    }
    if (slope > -1e-20) break;
    let step = 1, fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < dim; j++) {
        wNew[j] = w[j] + step * dir[j];
        gNew[j] = 0;
      }
      fNew = lossGrad(wNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break;
    const s = S.length === memory ? S.shift()! : new Float64Array(dim);
    const y = Y.length === memory ? Y.shift()! : new Float64Array(dim);
    if (rho.length === memory) rho.shift(), SY.shift(), YY.shift();
    let sy = 0, yy = 0;
    for (let j = 0; j < dim; j++) {
      const a = wNew[j] - w[j], b = gNew[j] - g[j];
      s[j] = a;
      y[j] = b;
      sy += a * b;
      yy += b * b;
    }
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      SY.push(sy);
      YY.push(yy);
    }
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    const done = Math.abs(f - fNew) <= tol * Math.max(1, Math.abs(f));
    f = fNew;
    if (done) break;
  }
  return w;
}
