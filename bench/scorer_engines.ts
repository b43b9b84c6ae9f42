/**
 * Benchmark: the inference engines of lib/scoring/scorer.ts on the released
 * model — the Dense-stack pass in WebAssembly SIMD and in plain JavaScript,
 * and TensorFlow.js on its `cpu` and `wasm` backends — for the two uses:
 *
 * - batch: rows/s scoring `--rows` encoded rows (the test split repeated) in
 *   one `predictProba` call, best and median of `--repeats` runs;
 * - single row: latency of one `predictProba` call on one row, p50 and p99
 *   of 5,000 calls.
 *
 * Engines alternate inside each repeat so load from other jobs falls on all
 * alike; the load average is printed with the table.
 *
 * ```sh
 * deno run -A bench/scorer_engines.ts [--model artifacts/model] [--rows 100000] [--repeats 7]
 * ```
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { readMatrix } from "../lib/learn/matrix.ts";
import { loadScorer, type Scorer, type ScorerBackend } from "../lib/scoring/scorer.ts";
import { summarize } from "./_measure.ts";

const ENGINES: ScorerBackend[] = ["dense-simd", "dense-js", "cpu", "wasm"];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Run the benchmark; returns an exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./scorer_engines.ts";
 * await main(["--rows", "20000", "--repeats", "3"], log);
 * ```
 */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: "deno run -A bench/scorer_engines.ts [--model DIR] [--rows N] [--repeats N]",
    options: {
      model: { type: "string" },
      data: { type: "string" },
      rows: { type: "string" },
      repeats: { type: "string" },
    },
    maxPositionals: 0,
  });
  const model = (values.model as string | undefined) ?? "artifacts/model";
  const rows = Number(values.rows ?? 100_000);
  const repeats = Number(values.repeats ?? 7);
  const test = await readMatrix(
    (values.data as string | undefined) ?? "artifacts/transform/test.mat",
  );
  const x = new Float32Array(rows * test.cols);
  for (let i = 0; i < rows; i++) {
    const r = i % test.rows;
    x.set(test.data.subarray(r * test.cols, (r + 1) * test.cols), i * test.cols);
  }
  // One scorer per engine; TensorFlow.js has one active backend, so each
  // TF.js scorer re-activates its own before it runs.
  const scorers = new Map<ScorerBackend, Scorer>();
  for (const e of ENGINES) scorers.set(e, await loadScorer(model, { use: "batch", backend: e }));
  const { activateBackend } = await import("../lib/learn/tf_backend.ts");
  const prepare = async (e: ScorerBackend) => {
    if (e === "cpu" || e === "wasm") await activateBackend(e);
  };
  const batch = new Map<ScorerBackend, number[]>(ENGINES.map((e) => [e, []]));
  const single = new Map<ScorerBackend, number[]>(ENGINES.map((e) => [e, []]));
  const one = x.subarray(0, test.cols);
  for (let rep = 0; rep < repeats; rep++) {
    for (const e of ENGINES) {
      await prepare(e);
      const s = scorers.get(e)!;
      const tfjs = e === "cpu" || e === "wasm";
      const n = tfjs ? Math.min(rows, 20_000) : rows; // TF.js is slow: fewer rows, same rate
      const t0 = performance.now();
      s.predictProba(x.subarray(0, n * test.cols), n);
      batch.get(e)!.push(n / ((performance.now() - t0) / 1000));
      const lat = single.get(e)!;
      for (let i = 0; i < 5000 / repeats; i++) {
        const t = performance.now();
        s.predictProba(one, 1);
        lat.push((performance.now() - t) * 1000);
      }
    }
    log.info("repeat", { rep: rep + 1, of: repeats });
  }
  const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
  const lines = [
    `scorer engines, ${new Date().toISOString()}, model ${model} (${test.cols} features), ` +
    `load ${load}, ${navigator.hardwareConcurrency} cores`,
    "| engine | batch rows/s (best / median) | one row µs (p50 / p99) |",
    "| --- | --- | --- |",
  ];
  for (const e of ENGINES) {
    const b = summarize(batch.get(e)!.map((v) => -v)); // best = largest rate
    const lat = single.get(e)!.sort((a, c) => a - c);
    lines.push(
      `| ${scorers.get(e)!.engine} | ${Math.round(-b.best).toLocaleString("en")} / ${
        Math.round(-b.median).toLocaleString("en")
      } | ${quantile(lat, 0.5).toFixed(1)} / ${quantile(lat, 0.99).toFixed(1)} |`,
    );
  }
  console.log(lines.join("\n"));
  for (const s of scorers.values()) s.dispose();
  return 0;
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
