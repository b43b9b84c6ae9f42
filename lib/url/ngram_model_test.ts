import { deepStrictEqual, ok } from "node:assert/strict";
import { checkUrl } from "./check_input.ts";
import {
  fitNgramLr,
  ngramLrJson,
  ngramMatrix,
  outOfFoldLogits,
  parseNgramLr,
  stratifiedFolds,
} from "./ngram_model.ts";
import { ngramFragments, ngramReasonText } from "./ngram_reasons.ts";
import {
  csrScaleColumns,
  fitSparseLogreg,
  inverseDocFrequency,
  sparseLogits,
} from "../learn/sparse_logreg.ts";

const urls: [string, number][] = [];
for (let i = 0; i < 15; i++) {
  urls.push([`https://docs${i}.example.org/guide/page${i}`, 0]);
  urls.push([`http://paypa1-secure${i}.tk/webscr/login`, 1]);
}
const checked = urls.map(([u]) => checkUrl(u)), labels = urls.map(([, y]) => y);

Deno.test("ngram model: fits a toy problem, JSON round trip keeps the scores exactly", () => {
  const x = ngramMatrix(checked);
  const lr = fitNgramLr(x, labels, { l2: 1e-3 });
  const z = sparseLogits(lr, x);
  ok(labels.every((y, i) => (z[i] > 0) === (y === 1)));
  const back = parseNgramLr(ngramLrJson(lr));
  deepStrictEqual(Array.from(sparseLogits(back, x)), Array.from(z));
  deepStrictEqual(ngramLrJson(back), ngramLrJson(lr));
  const oof = outOfFoldLogits(x, labels, { l2: 1e-3, folds: 3, seed: 5 });
  deepStrictEqual(oof, outOfFoldLogits(x, labels, { l2: 1e-3, folds: 3, seed: 5 }));
  ok(labels.every((y, i) => (oof[i] > 0) === (y === 1)));
});

Deno.test("ngram reasons: the fragments that drove the logit, in words", () => {
  const lr = fitNgramLr(ngramMatrix(checked), labels, { l2: 1e-3 });
  const bad = checkUrl("http://paypa1-secure77.tk/webscr/login");
  const f = ngramFragments(lr, bad, true, 2);
  ok(f.length > 0 && f.every((x) => x.weight > 0));
  ok(f.every((x) => bad.raw.toLowerCase().includes(x.gram)), JSON.stringify(f));
  ok(/^the fragments? '.+' in the .+ looks? like phishing$/.test(ngramReasonText(lr, bad, true)));
  const good = ngramReasonText(lr, checkUrl("https://docs3.example.org/guide/x"), false);
  ok(good.endsWith("legitimate"), good);
});

Deno.test("ngram model: idf is fitted on the rows and folded into the weights", () => {
  const x = ngramMatrix(checked);
  const lr = fitNgramLr(x, labels, { l2: 1e-3, idf: true });
  // The same as an LR fitted on x ∘ idf, scoring raw rows.
  const idf = inverseDocFrequency(x);
  const onIdf = fitSparseLogreg(csrScaleColumns(x, idf), labels, { l2: 1e-3, maxIter: 200 });
  const z = sparseLogits(lr, x), zIdf = sparseLogits(onIdf, csrScaleColumns(x, idf));
  ok(z.every((v, i) => Math.abs(v - zIdf[i]) < 1e-4), "folded weights score raw rows");
  ok(labels.every((y, i) => (z[i] > 0) === (y === 1)));
  const plain = fitNgramLr(x, labels, { l2: 1e-3 });
  ok(lr.weights.some((w, j) => w !== plain.weights[j]), "idf changes the fit");
  const oof = outOfFoldLogits(x, labels, { l2: 1e-3, folds: 3, seed: 5, idf: true });
  deepStrictEqual(oof, outOfFoldLogits(x, labels, { l2: 1e-3, folds: 3, seed: 5, idf: true }));
});

Deno.test("stratifiedFolds: seeded, every fold gets both classes evenly", () => {
  const y = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const f = stratifiedFolds(y, 5, 3);
  deepStrictEqual(f, stratifiedFolds(y, 5, 3));
  for (let k = 0; k < 5; k++) {
    const inFold = y.filter((_, i) => f[i] === k);
    deepStrictEqual([inFold.length, inFold.filter((v) => v === 1).length], [8, 2]);
  }
});
