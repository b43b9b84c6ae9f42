/**
 * Speed of a released model's `predictProba` through `loadReleasedModel`
 * (lib/learn/model_io.ts), as the scorers call it: one call on a batch of rows
 * (1,000 and 10,000; best / median of 9) and one row per call (p50 / p99 of
 * 5,000 calls). Rows are train.mat's (8,844), wrapped around for 10,000 (any
 * rows do: speed only). Larger batches of these wrapped rows look faster
 * than they are (up to 700k rows/s at 200,000 for the released gbdt): the
 * branch predictor learns the repeats, which real traffic does not have.
 *
 * ```sh
 * deno run -A bench/trees_predict.ts [--model artifacts/model] [--data artifacts/transform/train.mat]
 * ```
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { readMatrix } from "../lib/learn/matrix.ts";
import { loadReleasedModel } from "../lib/learn/model_io.ts";

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: "deno run -A bench/trees_predict.ts [--model DIR] [--data FILE]",
      options: { model: { type: "string" }, data: { type: "string" } },
      maxPositionals: 0,
    });
    const dir = (values.model as string | undefined) ?? "artifacts/model";
    const m = await readMatrix(
      (values.data as string | undefined) ?? "artifacts/transform/train.mat",
    );
    const model = await loadReleasedModel(dir, { use: "batch", log });
    log.info("model", { family: model.family, description: model.card.description });
    for (const rows of [1_000, 10_000]) {
      const x = new Float32Array(rows * m.cols);
      for (let i = 0; i < rows; i++) {
        x.set(m.data.subarray((i % m.rows) * m.cols, (i % m.rows + 1) * m.cols), i * m.cols);
      }
      for (let k = 0; k < 5; k++) model.predictProba(x, rows); // warm-up (JIT)
      const rates: number[] = [];
      for (let k = 0; k < 9; k++) {
        const t = performance.now();
        model.predictProba(x, rows);
        rates.push(rows / ((performance.now() - t) / 1000));
      }
      log.info("batch", {
        rows,
        best_rows_per_s: Math.round(Math.max(...rates)),
        median_rows_per_s: Math.round(quantile(rates, 0.5)),
      });
    }
    const times: number[] = [];
    for (let i = 0; i < 6000; i++) {
      const row = m.data.subarray((i % m.rows) * m.cols, (i % m.rows + 1) * m.cols);
      const t = performance.now();
      model.predictProba(row, 1);
      if (i >= 1000) times.push((performance.now() - t) * 1000);
    }
    log.info("one row", {
      p50_us: Number(quantile(times, 0.5).toFixed(2)),
      p99_us: Number(quantile(times, 0.99).toFixed(2)),
    });
    model.dispose();
  });
}
