/**
 * `deno run -A bench/url_lr_fits.ts [--threads 1] [--runs 3]`: the stacked
 * n-gram LR fits of url_featurize (lib/url/ngram_stack.ts) alone, on the URLs
 * of data/urls.csv (all rows, not the stage's train split: the same kernels on
 * ~11k rows), with url.params.yaml's options. Prints each run's wall seconds
 * and a SHA-256 of every logit and weight, so a kernel change can be checked
 * byte-identical (same hash) and timed (issue 10).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createHash } from "node:crypto";
import { readCsvFile } from "../lib/data/csv.ts";
import { type CheckedUrl, checkUrl } from "../lib/url/check_input.ts";
import { ngramPartMatrices } from "../lib/url/ngram_model.ts";
import { fitStackedNgramLrs } from "../lib/url/ngram_stack.ts";

const { values } = parseArgs({
  options: { threads: { type: "string", default: "1" }, runs: { type: "string", default: "3" } },
});
const checked: CheckedUrl[] = [], labels: number[] = [];
for await (const b of readCsvFile("data/urls.csv")) {
  for (const r of b.rows) {
    if (r[0] === "url") continue;
    try {
      checked.push(checkUrl(r[0]));
      labels.push(r[1] === "phishing" ? 1 : 0);
    } catch { /* refused URL: left out, as the stage does */ }
  }
}
const xs = ngramPartMatrices(checked);
const y = Uint8Array.from(labels);
const o = { l2: 3e-8, idf: true, tol: 1e-7, folds: 5, seed: 7 };
for (let run = 0; run < Number(values.runs); run++) {
  const t0 = performance.now();
  const { oof, lrs } = await fitStackedNgramLrs(xs, y, o, Number(values.threads));
  const s = (performance.now() - t0) / 1000;
  const h = createHash("sha256");
  for (const z of oof) h.update(new Uint8Array(z.buffer));
  for (const m of lrs) h.update(new Uint8Array(m.weights.buffer)).update(String(m.bias));
  console.log(
    `run ${run}: ${s.toFixed(2)} s, ${xs.length} matrices, ${checked.length} rows, ` +
      `threads ${values.threads}, sha256 ${h.digest("hex").slice(0, 16)}`,
  );
}
