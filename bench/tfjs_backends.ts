/**
 * Benchmark: TensorFlow.js `cpu` vs `wasm` backends for the three uses that
 * lib/learn/tf_backend.ts chooses a backend for:
 *
 * - training: seconds per epoch of the MLP (64-32, dropout 0.1, batch 64) on
 *   8,844 rows x 30 features (the phishing train split's shape);
 * - batch scoring: one call scoring 10,000 rows;
 * - single-row scoring: latency of one call scoring one row;
 * - start-up: activating the backend and a first one-row prediction.
 *
 * Data is synthetic (seeded) with the real shape: timings do not depend on
 * the values. Prints a table and writes `bench/out/tfjs_backends.json`.
 *
 * ```sh
 * deno run -A bench/tfjs_backends.ts [--rows 8844] [--cols 30] [--epochs 5]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Matrix } from "../lib/learn/matrix.ts";
import { refitCandidate } from "../lib/learn/fit.ts";
import { buildModel, type ModelConfig, predictProba } from "../lib/learn/models.ts";
import { createRng } from "../lib/rng.ts";
import { activateBackend, type BackendName } from "../lib/learn/tf_backend.ts";

const MLP: ModelConfig = {
  family: "mlp",
  hidden: [64, 32],
  dropout: 0.1,
  l2: 0,
  learningRate: 0.003,
};

function synthetic(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = rng.int(3) - 1;
      data[i * cols + j] = v;
      s += j % 2 ? v : -v;
    }
    labels[i] = s > 0 ? 1 : 0;
  }
  return { rows, cols, columns: Array.from({ length: cols }, (_, j) => `f${j}`), data, labels };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Timings of one backend. */
interface BackendResult {
  backend: BackendName;
  start_ms: number;
  train_seconds_per_epoch: number;
  train_rows_per_second: number;
  batch_10k_ms: number;
  batch_rows_per_second: number;
  single_row_median_us: number;
  single_row_p95_us: number;
}

async function measure(
  backend: BackendName,
  o: { rows: number; cols: number; epochs: number },
): Promise<BackendResult> {
  // Start-up: activating the backend (for wasm: compiling the module) and a first prediction.
  let start = performance.now();
  await activateBackend(backend);
  const first = buildModel(MLP, o.cols, { seed: 2 });
  predictProba(first, new Float32Array(o.cols), 1);
  first.dispose();
  const startMs = performance.now() - start;
  const train = synthetic(o.rows, o.cols, 1);
  // Training: a warm-up epoch, then `epochs` separately timed one-epoch runs (median: the
  // machine may be shared).
  (await refitCandidate({ config: MLP, train, seed: 1, epochs: 1, batchSize: 64 })).dispose();
  const epochTimes: number[] = [];
  for (let i = 0; i < o.epochs; i++) {
    start = performance.now();
    (await refitCandidate({ config: MLP, train, seed: 1 + i, epochs: 1, batchSize: 64 })).dispose();
    epochTimes.push((performance.now() - start) / 1000);
  }
  const perEpoch = median(epochTimes);

  const model = buildModel(MLP, o.cols, { seed: 2 });
  try {
    const batch = synthetic(10_000, o.cols, 3);
    const batchTimes: number[] = [];
    for (let i = 0; i < 12; i++) {
      start = performance.now();
      predictProba(model, batch.data, batch.rows);
      if (i >= 2) batchTimes.push(performance.now() - start);
    }
    const one = batch.data.subarray(0, o.cols);
    const singleTimes: number[] = [];
    for (let i = 0; i < 1100; i++) {
      start = performance.now();
      predictProba(model, one, 1);
      if (i >= 100) singleTimes.push((performance.now() - start) * 1000);
    }
    const batchMs = median(batchTimes);
    return {
      backend,
      start_ms: Math.round(startMs * 10) / 10,
      train_seconds_per_epoch: Math.round(perEpoch * 1000) / 1000,
      train_rows_per_second: Math.round(o.rows / perEpoch),
      batch_10k_ms: Math.round(batchMs * 10) / 10,
      batch_rows_per_second: Math.round(10_000 / (batchMs / 1000)),
      single_row_median_us: Math.round(median(singleTimes)),
      single_row_p95_us: Math.round(quantile(singleTimes, 0.95)),
    };
  } finally {
    model.dispose();
  }
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: "deno run -A bench/tfjs_backends.ts [--rows 8844] [--cols 30] [--epochs 5]",
      options: { rows: { type: "string" }, cols: { type: "string" }, epochs: { type: "string" } },
      maxPositionals: 0,
    });
    const o = {
      rows: Number(values.rows ?? 8844),
      cols: Number(values.cols ?? 30),
      epochs: Number(values.epochs ?? 5),
    };
    const results: BackendResult[] = [];
    for (const backend of ["cpu", "wasm"] as const) {
      log.info("measuring", { backend, ...o });
      results.push(await measure(backend, o));
    }
    const [cpu, wasm] = results;
    const faster = (a: number, b: number) => (a < b ? "cpu" : "wasm");
    const lines = [
      `tfjs ${tf.version.tfjs} backends, ${o.rows} x ${o.cols}, MLP 64-32, ${
        new Date().toISOString().slice(0, 10)
      }`,
      "| use | cpu | wasm | faster |",
      "| --- | --- | --- | --- |",
      `| start-up + first prediction (ms) | ${cpu.start_ms} | ${wasm.start_ms} | ${
        faster(cpu.start_ms, wasm.start_ms)
      } |`,
      `| training (s/epoch, batch 64) | ${cpu.train_seconds_per_epoch} | ${wasm.train_seconds_per_epoch} | ${
        faster(cpu.train_seconds_per_epoch, wasm.train_seconds_per_epoch)
      } |`,
      `| batch scoring (ms / 10k rows) | ${cpu.batch_10k_ms} | ${wasm.batch_10k_ms} | ${
        faster(cpu.batch_10k_ms, wasm.batch_10k_ms)
      } |`,
      `| single row (median µs) | ${cpu.single_row_median_us} | ${wasm.single_row_median_us} | ${
        faster(cpu.single_row_median_us, wasm.single_row_median_us)
      } |`,
      `| single row (p95 µs) | ${cpu.single_row_p95_us} | ${wasm.single_row_p95_us} | ${
        faster(cpu.single_row_p95_us, wasm.single_row_p95_us)
      } |`,
    ];
    console.log(lines.join("\n"));
    await Deno.mkdir("bench/out", { recursive: true });
    await Deno.writeTextFile(
      "bench/out/tfjs_backends.json",
      JSON.stringify({ date: new Date().toISOString(), options: o, results }, null, 2) + "\n",
    );
  });
}
