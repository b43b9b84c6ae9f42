import { deepStrictEqual, ok } from "node:assert/strict";
import {
  csrFromRows,
  csrScaleColumns,
  csrTake,
  fitSparseLogreg,
  inverseDocFrequency,
  sparseLogits,
} from "./sparse_logreg.ts";

const row = (index: number[], value: number[]) => ({
  index: Int32Array.from(index),
  value: Float32Array.from(value),
});

Deno.test("sparse logreg: intercept only converges to the log-odds", () => {
  const x = csrFromRows(Array.from({ length: 10 }, () => row([], [])), 3);
  const labels = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  const m = fitSparseLogreg(x, labels, { l2: 0 });
  ok(Math.abs(m.bias - Math.log(7 / 3)) < 1e-5, `bias ${m.bias}`);
});

Deno.test("sparse logreg: one binary feature matches the closed-form MLE", () => {
  // x=1: 8 positives of 10; x=0: 2 of 10. MLE: bias = logit(0.2), w = logit(0.8) - logit(0.2).
  const rows = [], labels: number[] = [];
  for (let i = 0; i < 10; i++) (rows.push(row([2], [1])), labels.push(i < 8 ? 1 : 0));
  for (let i = 0; i < 10; i++) (rows.push(row([], [])), labels.push(i < 2 ? 1 : 0));
  const m = fitSparseLogreg(csrFromRows(rows, 4), labels, { l2: 0, tol: 1e-12 });
  const logit = (p: number) => Math.log(p / (1 - p));
  ok(Math.abs(m.bias - logit(0.2)) < 1e-3, `bias ${m.bias}`);
  ok(Math.abs(m.weights[2] - (logit(0.8) - logit(0.2))) < 1e-3, `w ${m.weights[2]}`);
  deepStrictEqual([m.weights[0], m.weights[1], m.weights[3]], [0, 0, 0]); // untouched columns
});

Deno.test("sparse logreg: L2 shrinks, fit is deterministic, csrTake keeps rows", () => {
  const rows = [row([0, 1], [1, 0.5]), row([1], [1]), row([0], [2]), row([2], [1])];
  const labels = [1, 0, 1, 0];
  const x = csrFromRows(rows, 3);
  const a = fitSparseLogreg(x, labels, { l2: 0.1 });
  const b = fitSparseLogreg(x, labels, { l2: 0.1 });
  deepStrictEqual(a, b);
  const strong = fitSparseLogreg(x, labels, { l2: 1 });
  ok(Math.abs(strong.weights[0]) < Math.abs(a.weights[0]));
  const z = sparseLogits(a, x);
  ok(z[0] > 0 && z[2] > 0 && z[1] < 0 && z[3] < 0);
  deepStrictEqual(Array.from(sparseLogits(a, csrTake(x, [2, 0]))), [z[2], z[0]]);
});

Deno.test("sparse logreg: smooth IDF and column scaling", () => {
  const x = csrFromRows([row([0, 1], [1, 2]), row([0], [3]), row([], []), row([2], [0])], 3);
  const idf = inverseDocFrequency(x);
  // df = [2, 1, 0] (a stored zero does not count), n = 4: ln(5 / (1 + df)) + 1.
  deepStrictEqual(Array.from(idf), [5 / 3, 5 / 2, 5].map((r) => Math.fround(Math.log(r) + 1)));
  const y = csrScaleColumns(x, idf);
  deepStrictEqual(Array.from(y.values), [1 * idf[0], 2 * idf[1], 3 * idf[0], 0].map(Math.fround));
  deepStrictEqual(y.indices, x.indices);
  deepStrictEqual(Array.from(x.values), [1, 2, 3, 0]); // the input is not changed
});
