import { deepStrictEqual, ok } from "node:assert/strict";
import { checkUrl } from "./check_input.ts";
import {
  fitNgramLr,
  logCountRatio,
  ngramLrJson,
  ngramMatrix,
  ngramPartLrsJson,
  ngramPartMatrices,
  outOfFoldLogits,
  parseNgramLr,
  parseNgramLrFile,
  stratifiedFolds,
} from "./ngram_model.ts";
import { hashParts, NGRAM_PARTS, ngramParts, urlGrams } from "./ngram_vector.ts";
import { NGRAM_LR_PART_COLUMNS, urlFeatureVector } from "./features.ts";
import { reasonRanker } from "./reasons.ts";
import { ngramFragments, ngramReasonText } from "./ngram_reasons.ts";
import {
  csrScaleColumns,
  csrTake,
  fitSparseLogreg,
  inverseDocFrequency,
  sparseLogits,
  type SparseLogreg,
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

Deno.test("ngram model: nb scales by |log-count ratio| × idf, folded into the weights", () => {
  const x = ngramMatrix(checked);
  const lr = fitNgramLr(x, labels, { l2: 1e-3, idf: true, nb: true });
  const idf = inverseDocFrequency(x), r = logCountRatio(x, labels);
  const scale = Float32Array.from(idf, (v, j) => v * Math.abs(r[j]));
  const onScaled = fitSparseLogreg(csrScaleColumns(x, scale), labels, { l2: 1e-3, maxIter: 200 });
  const z = sparseLogits(lr, x), zs = sparseLogits(onScaled, csrScaleColumns(x, scale));
  ok(z.every((v, i) => Math.abs(v - zs[i]) < 1e-4), "folded weights score raw rows");
  ok(labels.every((y, i) => (z[i] > 0) === (y === 1)));
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

Deno.test("ngram model per part: each part's vector as hashing it alone, fit and JSON round trip", () => {
  const xs = ngramPartMatrices(checked);
  deepStrictEqual(xs.length, NGRAM_PARTS.length);
  checked.slice(0, 4).forEach((c, i) => {
    const parts = ngramParts(c);
    xs.forEach((x, p) => {
      const alone = hashParts(parts.map((s, q) => (q === p ? s : "")));
      const row = csrTake(x, [i]);
      const got = new Map(Array.from(row.indices, (j, k) => [j, row.values[k]]));
      deepStrictEqual(got, new Map(Array.from(alone.index, (j, k) => [j, alone.value[k]])));
    });
  });
  const lrs = xs.map((x) => fitNgramLr(x, labels, { l2: 1e-3, idf: true }));
  const back = parseNgramLrFile(ngramPartLrsJson(lrs)) as SparseLogreg[];
  deepStrictEqual(back.length, 4);
  xs.forEach((x, p) => deepStrictEqual(sparseLogits(back[p], x), sparseLogits(lrs[p], x)));
  deepStrictEqual(ngramPartLrsJson(back), ngramPartLrsJson(lrs));
  // The old single-LR file still reads as one LR.
  ok("weights" in parseNgramLrFile(ngramLrJson(lrs[0])));
  // The feature vector's per-part logits are the CSR logits of the same rows.
  const out = new Float64Array(4);
  checked.slice(0, 6).forEach((c, i) => {
    urlFeatureVector(c, ["ngram_lr"], out, 0, back);
    xs.forEach((x, p) => {
      ok(Math.abs(out[p] - sparseLogits(back[p], csrTake(x, [i]))[0]) < 1e-9);
    });
  });
  // Each part's reason names a fragment of that part only.
  const dom = ngramFragments(back[1], checked[1], true, 2, 1);
  ok(dom.length > 0 && dom.every((f) => f.part === "domain"), JSON.stringify(dom));
  ok(ngramReasonText(back[3], checked[1], true, 3).includes("in the path"));
  ok(ngramReasonText(back[2], checked[1], true, 2).startsWith("no subdomain"));
  // The ranker renders each part's column by that part's fragments.
  const rank = reasonRanker([...NGRAM_LR_PART_COLUMNS], { ngramLr: back });
  const r = rank({
    checked: checked[1],
    phishing: true,
    values: [0, 0, 0, 0],
    contributions: [0, 0.5, 0, 0.3],
    top: 2,
  });
  deepStrictEqual(r.map((x) => x.feature), ["ngram_lr_domain", "ngram_lr_path"]);
  ok(r[0].text.includes("in the registered domain") && !r[0].text.includes("in the path"));
  ok(r[1].text.includes("in the path") && !r[1].text.includes("registered domain"), r[1].text);
});

Deno.test("ngramPartMatrices: the entries and float32 values of the URL-wide table's computeParts", () => {
  const more = [
    ...checked,
    checkUrl("http://a.b.c.example.co.uk:8080/x/y?q=1#f"),
    checkUrl("x.io"),
  ];
  const xs = ngramPartMatrices(more);
  more.forEach((c, i) => {
    const t = urlGrams(c);
    t.computeParts();
    xs.forEach((x, p) => {
      const a = t.partStart[p], b = t.partStart[p + 1];
      const row = csrTake(x, [i]);
      deepStrictEqual(
        row.indices,
        Int32Array.from({ length: b - a }, (_, k) => t.index[t.partEntry[a + k]]),
      );
      deepStrictEqual(row.values, t.partVal.slice(a, b));
    });
  });
});
