import { deepStrictEqual, ok } from "node:assert/strict";
import { createRng } from "../rng.ts";
import { lbfgsLogreg } from "./_sparse_lbfgs.ts";
import {
  compactColumns,
  type Csr,
  csrFromRows,
  csrScaleColumns,
  fitSparseLogreg,
  inverseDocFrequency,
} from "./sparse_logreg.ts";

/**
 * The L-BFGS as it was written first (one pass per vector operation, over all
 * columns): the reference the fused, compacted fit must equal bit for bit.
 */
function referenceFit(x: Csr, labels: ArrayLike<number>, l2: number, maxIter = 200) {
  const n = x.indptr.length - 1, d = x.cols, dim = d + 1, tol = 1e-7, memory = 10;
  const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  const lossGrad = (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let s = w[d];
      for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) s += w[x.indices[k]] * x.values[k];
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
  let f = lossGrad(w, g), iterations = 0;
  for (let iter = 0; iter < maxIter; iter++, iterations++) {
    for (let j = 0; j < dim; j++) dir[j] = -g[j];
    for (let m = S.length - 1; m >= 0; m--) {
      alpha[m] = rho[m] * dot(S[m], dir);
      for (let j = 0; j < dim; j++) dir[j] -= alpha[m] * Y[m][j];
    }
    const last = S.length - 1;
    const gamma = S.length ? dot(S[last], Y[last]) / dot(Y[last], Y[last]) : 1;
    for (let j = 0; j < dim; j++) dir[j] *= gamma;
    for (let m = 0; m < S.length; m++) {
      const beta = rho[m] * dot(Y[m], dir);
      for (let j = 0; j < dim; j++) dir[j] += (alpha[m] - beta) * S[m][j];
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
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
  return { weights: Float32Array.from(w.subarray(0, d)), bias: w[d], iterations };
}

/** Random sparse rows over `cols` columns, only the even columns below `cols / 2` used. */
function randomProblem(seed: number, rows: number, cols: number) {
  const rng = createRng(seed);
  const data = Array.from({ length: rows }, () => {
    const seen = new Set<number>();
    const k = 1 + rng.int(6);
    while (seen.size < k) seen.add(2 * rng.int(cols / 4));
    const index = Int32Array.from(seen); // not sorted: rows list columns in any order
    const value = Float32Array.from(index, () => rng.next() < 0.1 ? 0 : rng.next() * 2 - 0.5);
    return { index, value };
  });
  const labels = Uint8Array.from(data, (r) => (r.index[0] % 8 < 4) !== (rng.next() < 0.15) ? 1 : 0);
  return { x: csrFromRows(data, cols), labels };
}

/** Same bits (so -0 and 0 differ). */
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float64Array.from(a).buffer));

Deno.test("sparse lbfgs: compacted, fused fit equals the one-pass-per-operation dense fit bit for bit", () => {
  const iterations: number[] = [];
  for (const [seed, l2] of [[1, 0], [2, 1e-3], [3, 3e-8], [4, 0.05]] as const) {
    const { x, labels } = randomProblem(seed, 150, 256);
    const ref = referenceFit(x, labels, l2);
    iterations.push(ref.iterations);
    const fit = fitSparseLogreg(x, labels, { l2 });
    deepStrictEqual(bits(fit.weights), bits(ref.weights), `seed ${seed} l2 ${l2}`);
    deepStrictEqual(bits([fit.bias]), bits([ref.bias]));
    const absent = (j: number) => j % 2 === 1 || j >= x.cols / 2;
    ok(fit.weights.every((v, j) => !absent(j) || Object.is(v, 0)), "absent columns: +0");
    // The dense core over all columns gives the same too.
    const dense = lbfgsLogreg(x, labels, { l2 });
    deepStrictEqual(bits(Float32Array.from(dense.subarray(0, x.cols))), bits(ref.weights));
  }
  ok(Math.max(...iterations) > 10 && Math.min(...iterations) < 10, `${iterations}`); // history wraps
});

Deno.test("sparse lbfgs: with IDF-scaled columns and few iterations, still bit for bit", () => {
  const { x, labels } = randomProblem(9, 200, 128);
  const scaled = csrScaleColumns(x, inverseDocFrequency(x));
  for (const maxIter of [1, 3, 200]) {
    const ref = referenceFit(scaled, labels, 1e-4, maxIter);
    const fit = fitSparseLogreg(scaled, labels, { l2: 1e-4, maxIter });
    deepStrictEqual(bits(fit.weights), bits(ref.weights), `maxIter ${maxIter}`);
    deepStrictEqual(bits([fit.bias]), bits([ref.bias]));
  }
});

Deno.test("sparse lbfgs: compactColumns keeps the entries' order, ascending active columns", () => {
  const { x } = randomProblem(5, 30, 40);
  const c = compactColumns(x);
  ok(c.active.every((j, a) => a === 0 || c.active[a - 1] < j));
  deepStrictEqual(Array.from(c.x.indices, (a) => c.active[a]), Array.from(x.indices));
  deepStrictEqual(c.x.indptr, x.indptr);
  deepStrictEqual(Array.from(c.x.values), Array.from(x.values));
});
