/**
 * The gbdt learner alone, as one child process of `deno task bench train`:
 * reads a bench dataset (bench/_train_data.ts files), holds out the same rows
 * as the other contenders, and fits lib/learn/trees.ts's gbdt with the settings
 * of scikit-learn's HistGradientBoostingClassifier defaults (learning rate
 * 0.1, at most 100 trees of 31 leaves, 20 rows per leaf, no L2, 255 bins,
 * early stopping after 10 trees without a better validation loss on a 10%
 * stratified validation split). Prints one JSON line: fit seconds (binning
 * and boosting, data loading excluded), trees, ROC-AUC on the held-out rows,
 * peak RSS of this process.
 *
 * ```sh
 * deno run -A bench/_train_learner.ts bench/out/train/nslkdd [threads]
 * ```
 *
 * @module
 */
import { readBenchData } from "./_train_data.ts";
import { rocAuc } from "../lib/reports/metrics.ts";
import { takeRows } from "../lib/learn/models.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { compileTrees, fitTreeCandidate, type GbdtConfig } from "../lib/learn/trees.ts";

/** scikit-learn HistGradientBoostingClassifier's defaults, in our config. */
export const HGB_DEFAULTS: GbdtConfig = {
  family: "gbdt",
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  l2: 0,
  maxBins: 255,
  nIterNoChange: 10,
};

/** Peak resident set size of this process (Linux VmHWM), bytes; 0 elsewhere. */
export function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

if (import.meta.main) {
  const { matrix, holdout } = await readBenchData(Deno.args[0]);
  const keep = new Uint8Array(matrix.rows);
  for (const i of holdout) keep[i] = 1;
  const fitRows: number[] = [];
  for (let i = 0; i < matrix.rows; i++) if (!keep[i]) fitRows.push(i);
  const fit = takeRows(matrix, fitRows);
  const test = takeRows(matrix, holdout);
  const start = performance.now();
  const split = stratifiedSplit(fit.labels, { testSize: 0.1, seed: 0 });
  const c = fitTreeCandidate({
    config: HGB_DEFAULTS,
    train: takeRows(fit, split.train),
    val: takeRows(fit, split.test),
    seed: 0,
    metric: "log_loss",
    threads: Deno.args[1] ? Number(Deno.args[1]) : undefined,
  });
  const seconds = (performance.now() - start) / 1000;
  const p = compileTrees(c.model)(test.data, test.rows);
  console.log(JSON.stringify({
    fit_seconds: seconds,
    trees: c.bestEpoch,
    roc_auc: rocAuc(test.labels, p),
    peak_rss_bytes: peakRss(),
  }));
}
