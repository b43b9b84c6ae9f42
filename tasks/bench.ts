/**
 * `deno task bench [NAME|all] [options]`: run one benchmark, or all of them
 * in turn (the default). Benchmarks are not tests: they time things, print a
 * table and may write results to `bench/out/`.
 *
 * Adding a benchmark is one line in {@linkcode BENCHES}: a module under
 * `bench/` exporting `main(args, log)` that returns an exit code. Modules are
 * imported only when their benchmark runs, so a heavy one (TensorFlow.js)
 * costs nothing to the others.
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";

/** A benchmark's entry point: options in, exit code out. */
export type BenchMain = (args: string[], log: Logger) => Promise<number>;

/** One registered benchmark. */
export interface BenchEntry {
  /** One line for the list. */
  about: string;
  /** Import the module (lazily). */
  load: () => Promise<{ main: BenchMain }>;
}

/**
 * The benchmarks, in the order `all` runs them.
 *
 * @example
 * ```ts ignore
 * // a new benchmark is one more line:
 * // tfjs: { about: "…", load: () => import("../bench/tfjs_bench.ts") },
 * ```
 */
export const BENCHES: Record<string, BenchEntry> = {
  runner: {
    about: "status/repro vs DVC on a 100-stage pipeline, hashing vs sha256sum/md5sum",
    load: () => import("../bench/runner_bench.ts"),
  },
  hash: {
    about: "hash throughput, algorithms and chunk sizes on a 1 GiB file",
    load: () => import("../bench/hash_bench.ts"),
  },
  serve: {
    about: "HTTP scoring: req/s, p50/p99 vs FastAPI+sklearn",
    load: () => import("../bench/serve_bench.ts"),
  },
  predict: {
    about: "batch scoring of a 1M-row CSV: rows/s, peak RSS vs pandas+sklearn",
    load: () => import("../bench/predict_bench.ts"),
  },
  "status-own": {
    about: "no-op status on this project's own pipeline vs dvc status on it as dvc.yaml",
    load: () => import("../bench/status_own.ts"),
  },
  dashboard: {
    about: "dashboard pages in Chromium, cold cache: ready time and compressed JS",
    load: () => import("../bench/dashboard_bench.ts"),
  },
  "nsl-kdd": {
    about: "NSL-KDD official protocol: scikit-learn RandomForest reference vs examples/nsl-kdd",
    load: () => import("../bench/nsl_kdd.ts"),
  },
  monitor: {
    about: "monitor over new MongoDB records (FerretDB): rows/s, peak RSS",
    load: () => import("../bench/monitor_bench.ts"),
  },
  shard: {
    about: "sharded predict over S3 (MinIO) with N = 1, 2, 4 processes: rows/s",
    load: () => import("../bench/shard_bench.ts"),
  },
  "train-cv": {
    about: "K-fold CV of the whole train stage on train.mat only, per selection metric",
    load: () => import("../bench/train_cv.ts"),
  },
  "url-model": {
    about: "URL model: feature-group ablation on validation, split grouped by registered domain",
    load: () => import("../bench/url_model.ts"),
  },
  "url-check": {
    about: "URL checker: check-url --file URLs/s and RSS, POST /v1/check-url latency (wrk)",
    load: () => import("../bench/url_check_bench.ts"),
  },
  train: {
    about: "train stage and gbdt learner vs scikit-learn HistGradientBoosting (NSL-KDD, 1M x 80)",
    load: () => import("../bench/train_bench.ts"),
  },
};

const USAGE = `deno task bench [${Object.keys(BENCHES).join("|")}|all] [options]`;

function listing(): string {
  const width = Math.max(...Object.keys(BENCHES).map((n) => n.length));
  return Object.entries(BENCHES).map(([n, b]) => `  ${n.padEnd(width)}  ${b.about}`).join("\n");
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const [first, ...rest] = args;
    if (first === "--help" || first === "-h" || first === "list") {
      console.log(`usage: ${USAGE}\n\nbenchmarks (all runs them in this order):\n${listing()}`);
      return 0;
    }
    const name = first === undefined || first.startsWith("-") ? "all" : first;
    const options = first === undefined || first.startsWith("-") ? args : rest;
    if (name !== "all" && !Object.hasOwn(BENCHES, name)) {
      throw new ConfigError(`unknown benchmark '${name}'`, {
        hint: `usage: ${USAGE}\n${listing()}`,
      });
    }
    if (name === "all" && options.length > 0) {
      throw new ConfigError("options apply to one benchmark, not to 'all'", {
        hint: `e.g. deno task bench runner ${options.join(" ")}`,
      });
    }
    let code = 0;
    for (const [n, entry] of Object.entries(BENCHES)) {
      if (name !== "all" && n !== name) continue;
      log.info("benchmark", { name: n });
      const { main } = await entry.load();
      code = Math.max(code, await main(options, log));
    }
    return code;
  });
}
