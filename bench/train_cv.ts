/**
 * `deno task bench train-cv [--folds 5] [--seed 99] [--metrics roc_auc,log_loss,accuracy]`:
 * a K-fold cross-validation of the WHOLE train stage (search on a validation
 * split, refit, release) on `artifacts/transform/train.mat` only — never the
 * test split — once per selection metric. It backs the README's estimate of
 * the procedure's accuracy and the choice of `train.selection_metric` in
 * params.yaml. Needs `deno task repro` (the transform outputs) first; each
 * fold trains the full search (about 25 s here), so 5 folds × 3 metrics take
 * several minutes.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { type Logger, nullLogger } from "../lib/log.ts";
import { readMatrix, writeMatrix } from "../lib/learn/matrix.ts";
import { scoreReport } from "../lib/reports/metrics.ts";
import { loadReleasedModel } from "../lib/learn/model_io.ts";
import { takeRows } from "../lib/learn/models.ts";
import { createRng, shuffle } from "../lib/rng.ts";
import { readYaml } from "../lib/yaml.ts";
import { readTrainParams, runTrain } from "../stages/train.ts";

const USAGE =
  "deno task bench train-cv [--folds 5] [--seed 99] [--metrics roc_auc,log_loss,accuracy]";

/** Stratified fold number of each row. */
function folds(labels: Uint8Array, k: number, seed: number): Int32Array {
  const fold = new Int32Array(labels.length);
  const rng = createRng(seed);
  for (const cls of [0, 1]) {
    const rows = [...labels.keys()].filter((i) => labels[i] === cls);
    shuffle(rows, rng).forEach((row, j) => (fold[row] = j % k));
  }
  return fold;
}

/**
 * Run the cross-validation and print held-out accuracy / ROC-AUC per fold
 * and their mean per selection metric.
 *
 * @example
 * ```ts ignore
 * import { main } from "./train_cv.ts";
 * await main(["--folds", "5", "--metrics", "roc_auc"], log);
 * ```
 */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    maxPositionals: 0,
    options: { folds: { type: "string" }, seed: { type: "string" }, metrics: { type: "string" } },
  });
  const k = values.folds ? positiveInt(values.folds as string, "--folds") : 5;
  const seed = values.seed ? positiveInt(values.seed as string, "--seed") : 99;
  const metrics = ((values.metrics as string | undefined) ?? "roc_auc,log_loss,accuracy").split(
    ",",
  );
  const params = await readYaml("params.yaml");
  const raw = (params.value as { train: Record<string, unknown> }).train;
  const m = await readMatrix("artifacts/transform/train.mat");
  const fold = folds(m.labels, k, seed);
  const dir = await Deno.makeTempDir({ prefix: "train_cv_" });
  const rows: string[] = [];
  try {
    await Deno.copyFile("artifacts/transform/preprocess.json", join(dir, "preprocess.json"));
    for (const metric of metrics) {
      const p = readTrainParams({
        ...params,
        value: { train: { ...raw, selection_metric: metric } },
      });
      const acc: number[] = [], auc: number[] = [];
      for (let f = 0; f < k; f++) {
        const all = [...Array(m.rows).keys()];
        await writeMatrix(join(dir, "train.mat"), takeRows(m, all.filter((i) => fold[i] !== f)));
        const hold = takeRows(m, all.filter((i) => fold[i] === f));
        const card = await runTrain({
          params: p,
          log: nullLogger,
          data: dir,
          model: join(dir, "model"),
          out: join(dir, "out"),
        });
        const model = await loadReleasedModel(join(dir, "model"));
        const r = scoreReport(hold.labels, model.predictProba(hold.data, hold.rows));
        model.dispose();
        acc.push(r.accuracy), auc.push(r.roc_auc);
        log.info("fold done", { metric, fold: f, chosen: card.description, accuracy: r.accuracy });
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      rows.push(
        `${metric.padEnd(10)} accuracy ${mean(acc).toFixed(4)} (folds ${
          Math.min(...acc).toFixed(3)
        }–${Math.max(...acc).toFixed(3)})  roc_auc ${mean(auc).toFixed(4)}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  console.log(
    `# train-cv, ${new Date().toISOString()}: ${k}-fold CV of the train stage on train.mat ` +
      `(${m.rows} rows, fold seed ${seed}); held-out figures per selection metric`,
  );
  for (const r of rows) console.log(r);
  return 0;
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
