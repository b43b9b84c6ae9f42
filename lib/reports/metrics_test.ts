import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  averagePrecision,
  confusion,
  downsampleCurve,
  isBetter,
  logLoss,
  prCurve,
  rankCounts,
  rates,
  rocAuc,
  rocCurve,
  scoreReport,
  thresholdForFpr,
} from "./metrics.ts";

// Constants below come from scikit-learn 1.9.1 on the same arrays (derived once, offline):
// roc_auc_score, average_precision_score, log_loss, roc_curve(drop_intermediate=False),
// precision_recall_curve, confusion_matrix/precision/recall/f1 at 0.5.
const Y = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0];
const S = [0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.5, 0.4, 0.3, 0.3, 0.3, 0.2, 0.1, 0.05, 0.5];

function close(actual: number, expected: number, tol = 1e-12): void {
  ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected}`);
}

Deno.test("rocAuc with ties matches scikit-learn", () => {
  close(rocAuc(Y, S), 0.6428571428571428);
  close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  close(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5); // all tied: chance
  close(rocAuc([0, 1], [0.1, 0.9]), 1);
  ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3])));
});

Deno.test("averagePrecision matches scikit-learn", () => {
  close(averagePrecision(Y, S), 0.6309000523286237);
  close(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 5 / 6);
  ok(Number.isNaN(averagePrecision([0, 0], [0.2, 0.3])));
});

Deno.test("logLoss matches scikit-learn", () => {
  close(logLoss(Y, S), 0.7146846084220264, 1e-9);
});

Deno.test("confusion and rates at 0.5 match scikit-learn", () => {
  const c = confusion(Y, S, 0.5);
  deepStrictEqual(c, { tn: 4, fp: 5, fn: 3, tp: 4 });
  const r = rates(c);
  close(r.accuracy, 0.5);
  close(r.precision, 0.4444444444444444);
  close(r.recall, 0.5714285714285714);
  close(r.f1, 0.5);
  close(r.fpr, 5 / 9);
  deepStrictEqual(rates({ tp: 0, fp: 0, tn: 3, fn: 2 }).precision, 0); // 0/0 -> 0
});

Deno.test("rocCurve matches scikit-learn's points", () => {
  const expected = [
    [0.0, 0.0],
    [0.0, 0.14285714285714285],
    [0.1111111111111111, 0.2857142857142857],
    [0.1111111111111111, 0.42857142857142855],
    [0.3333333333333333, 0.5714285714285714],
    [0.5555555555555556, 0.5714285714285714],
    [0.5555555555555556, 0.7142857142857143],
    [0.7777777777777778, 0.8571428571428571],
    [0.8888888888888888, 0.8571428571428571],
    [0.8888888888888888, 1.0],
    [1.0, 1.0],
  ];
  const roc = rocCurve(Y, S);
  deepStrictEqual(roc.length, expected.length);
  roc.forEach((p, i) => {
    close(p.fpr, expected[i][0]);
    close(p.tpr, expected[i][1]);
  });
  deepStrictEqual(roc.map((p) => p.threshold), [
    null,
    0.9,
    0.8,
    0.7,
    0.6,
    0.5,
    0.4,
    0.3,
    0.2,
    0.1,
    0.05,
  ]);
});

Deno.test("prCurve matches scikit-learn's points", () => {
  const expected = [
    [1.0, 0.4375],
    [1.0, 0.4666666666666667],
    [0.8571428571428571, 0.42857142857142855],
    [0.8571428571428571, 0.46153846153846156],
    [0.7142857142857143, 0.5],
    [0.5714285714285714, 0.4444444444444444],
    [0.5714285714285714, 0.5714285714285714],
    [0.42857142857142855, 0.75],
    [0.2857142857142857, 0.6666666666666666],
    [0.14285714285714285, 1.0],
    [0.0, 1.0],
  ];
  const pr = prCurve(Y, S);
  deepStrictEqual(pr.length, expected.length);
  pr.forEach((p, i) => {
    close(p.recall, expected[i][0]);
    close(p.precision, expected[i][1]);
  });
  deepStrictEqual(pr[0].threshold, 0.05);
  deepStrictEqual(pr[pr.length - 1].threshold, null);
});

Deno.test("rankCounts groups tied scores", () => {
  deepStrictEqual(rankCounts([1, 0, 1, 0], [0.5, 0.5, 0.2, 0.9]), {
    thresholds: [0.9, 0.5, 0.2],
    tps: [0, 1, 2],
    fps: [1, 2, 2],
    positives: 2,
    negatives: 2,
  });
  throws(() => rankCounts([1], [NaN]), RangeError);
  throws(() => rankCounts([1, 0], [0.5]), RangeError);
});

Deno.test("thresholdForFpr keeps the FPR within budget and maximises recall", () => {
  // Nine negatives scored 0.8 0.6 0.6 0.5 0.5 0.3 0.3 0.2 0.05: a budget of 1/9 allows one.
  const t = thresholdForFpr(Y, S, 1 / 9);
  deepStrictEqual(t.threshold, 0.7);
  close(t.fpr, 1 / 9);
  close(t.tpr, 3 / 7);
  deepStrictEqual(confusion(Y, S, t.threshold).fp, 1);
  // A budget of 0 with the top score negative: flag nothing.
  deepStrictEqual(thresholdForFpr([0, 1], [0.9, 0.8], 0), {
    threshold: Number.MAX_VALUE,
    fpr: 0,
    tpr: 0,
  });
  // Budget 1: everything.
  deepStrictEqual(thresholdForFpr(Y, S, 1).threshold, 0.05);
  throws(() => thresholdForFpr(Y, S, 1.5), RangeError);
});

Deno.test("downsampleCurve keeps ends and at most maxPoints, in order", () => {
  const pts = Array.from({ length: 1000 }, (_, i) => ({ x: i / 999, y: Math.sqrt(i / 999) }));
  const d = downsampleCurve(pts, 50, (p) => [p.x, p.y]);
  ok(d.length <= 50 && d.length >= 40, `got ${d.length}`);
  deepStrictEqual(d[0], pts[0]);
  deepStrictEqual(d[d.length - 1], pts[999]);
  for (let i = 1; i < d.length; i++) ok(d[i].x > d[i - 1].x);
  deepStrictEqual(downsampleCurve(pts.slice(0, 3), 5, (p) => [p.x, p.y]).length, 3);
});

Deno.test("scoreReport is flat and consistent", () => {
  const r = scoreReport(Y, S);
  deepStrictEqual([r.tp, r.fp, r.tn, r.fn, r.n], [4, 5, 4, 3, 16]);
  close(r.roc_auc, 0.6428571428571428);
  close(r.pr_auc, 0.6309000523286237);
});

Deno.test("isBetter: direction per metric, NaN never wins", () => {
  deepStrictEqual(isBetter("log_loss", 0.1, 0.2), true);
  deepStrictEqual(isBetter("roc_auc", 0.1, 0.2), false);
  deepStrictEqual(isBetter("accuracy", 0.5, 0.5), false);
  deepStrictEqual(isBetter("f1", NaN, 0.2), false);
  deepStrictEqual(isBetter("pr_auc", 0.2, NaN), true);
});
