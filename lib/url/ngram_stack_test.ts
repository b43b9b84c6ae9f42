import { deepStrictEqual, ok } from "node:assert/strict";
import { checkUrl } from "./check_input.ts";
import { fitNgramLr, ngramPartMatrices, outOfFoldLogits } from "./ngram_model.ts";
import { fitStackedNgramLrs } from "./ngram_stack.ts";

const urls: [string, number][] = [];
for (let i = 0; i < 12; i++) {
  urls.push([`https://docs${i}.example.org/guide/page${i}?q=${i}`, 0]);
  urls.push([`http://paypa1-secure${i}.login-${i % 3}.tk/webscr/login.php`, 1]);
}
const checked = urls.map(([u]) => checkUrl(u)), labels = urls.map(([, y]) => y);
const o = { l2: 1e-4, idf: true, folds: 3, seed: 5 };

Deno.test("ngram stack: the same logits and models on 1, 2 and 3 threads as fold by fold", async () => {
  const xs = ngramPartMatrices(checked);
  const oof = xs.map((x) => outOfFoldLogits(x, labels, o));
  const lrs = xs.map((x) => fitNgramLr(x, labels, o));
  for (const threads of [1, 2, 3]) {
    const s = await fitStackedNgramLrs(xs, labels, o, threads);
    deepStrictEqual(s.oof, oof, `threads ${threads}`);
    deepStrictEqual(s.lrs, lrs, `threads ${threads}`);
  }
  ok(oof[0].every((z, i) => (z > 0) === (labels[i] === 1)));
});

Deno.test("ngram stack: the L-BFGS tolerance reaches every fit, on workers too", async () => {
  const xs = ngramPartMatrices(checked);
  const loose = { ...o, tol: 1e-2 };
  const s = await fitStackedNgramLrs(xs, labels, loose, 2);
  deepStrictEqual(s.lrs, xs.map((x) => fitNgramLr(x, labels, loose)));
  deepStrictEqual(s.oof, xs.map((x) => outOfFoldLogits(x, labels, loose)));
  ok(s.lrs.some((lr, p) => lr.bias !== fitNgramLr(xs[p], labels, o).bias), "a looser stop differs");
});
