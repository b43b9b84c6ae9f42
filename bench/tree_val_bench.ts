/**
 * `deno run -A bench/tree_val_bench.ts --base DIR [--runs 5]`: one
 * first-rung gbdt candidate of the train stage's search (params.yaml's
 * `min_samples_leaf: 20` gbdt, 9,000 training rows, 20,000 validation rows of
 * NSL-KDD as `deno task bench train --sets nslkdd` prepared them in
 * bench/out/train/nslkdd.*), fitted by this checkout's `fitTreeCandidate`
 * and by the one in `DIR` (e.g. `git archive main` unpacked), alternated in
 * one process; prints the medians and fails unless both give the same
 * history and trees. Measures the per-tree validation scoring of
 * lib/learn/trees.ts (README "Third pass", follow-up).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readBenchData } from "./_train_data.ts";
import { takeRows } from "../lib/learn/models.ts";
import { fitTreeCandidate, type GbdtConfig } from "../lib/learn/trees.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { base: { type: "string" }, runs: { type: "string", default: "5" } },
});
if (!values.base) {
  throw new Error("usage: deno run -A bench/tree_val_bench.ts --base DIR [--runs 5]");
}
const before = await import(`${Deno.realPathSync(values.base)}/lib/learn/trees.ts`);
const { matrix, holdout } = await readBenchData("bench/out/train/nslkdd");
const held = new Set(holdout);
const rest = Array.from({ length: matrix.rows }, (_, i) => i).filter((i) => !held.has(i));
const train = takeRows(matrix, rest.slice(0, 9000));
const val = takeRows(matrix, rest.slice(9000, 29000));
const config: GbdtConfig = {
  family: "gbdt",
  learningRate: 0.1,
  maxIter: 500,
  maxLeafNodes: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  l2: 0,
  nIterNoChange: 30,
  maxBins: 255,
};
const options = { config, train, val, seed: 7, metric: "roc_auc" as const, threads: 1 };
const seconds: Record<string, number[]> = { ours: [], before: [] };
const outputs: Record<string, string> = {};
for (let run = 0; run < Number(values.runs); run++) {
  for (const [name, fit] of [["ours", fitTreeCandidate], ["before", before.fitTreeCandidate]]) {
    const t0 = performance.now();
    const c = fit(options);
    seconds[name].push((performance.now() - t0) / 1000);
    outputs[name] = JSON.stringify([c.history, c.model, c.bestEpoch]);
  }
}
if (outputs.ours !== outputs.before) {
  throw new Error("the two checkouts fitted different candidates");
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const [load] = Deno.loadavg();
console.log(
  `gbdt candidate, 9,000 fit / 20,000 validation rows: ours ${
    median(seconds.ours).toFixed(3)
  } s, ` +
    `before ${median(seconds.before).toFixed(3)} s (medians of ${values.runs}; ` +
    `ratio ${(median(seconds.ours) / median(seconds.before)).toFixed(2)}; load ${
      load.toFixed(2)
    }; identical outputs)`,
);
