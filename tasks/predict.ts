/**
 * `deno task predict INPUT... [--out FILE] [--format csv|jsonl] [--threshold T]
 * [--model DIR|s3://…|models:/name@alias] [--rejects FILE] [--workers N]
 * [--out-format csv|jsonl] [--backend auto|dense-simd|dense-js|cpu|wasm] [--delimiter C]`:
 * score files (or stdin, `-`) with the released model (lib/scoring/batch.ts).
 *
 * - Output (default `predictions.csv`; `-` is stdout): one line per valid
 *   input row, in input order: the row's id (the schema's id column, else its
 *   1-based row number across the inputs), probability (6 decimals), label at
 *   the threshold, model version. CSV, or JSON Lines for a `.jsonl` output.
 * - Beside it: `<base>.rejects.csv` (row, line, file, reason, record) and the
 *   drift report `<base>.drift.json` / `.drift.md` (`<base>`: the output's
 *   name without its extension; `predictions` for stdout).
 * - Progress on stderr when it is a terminal; a one-line summary always.
 * - Exit 0 even with rejects (the summary says how many); 3 for a wrong
 *   header, unreadable input, or an input that is empty (0 bytes), holds only
 *   blank lines or only a header row; 2 for a bad command line or settings.
 * - The files the model was trained from are accepted as they are
 *   (`preprocess.json`'s `input`): header-less rows in the source column
 *   order, the schema's `drop` columns and the label column (ignored), and
 *   the missing-value tokens of `ingest.na_values`, split at the model's
 *   delimiter (`ingest.delimiter`, e.g. `;` or tab); `--delimiter C` (`tab`
 *   or `\t` for a tab) overrides it. Outputs are always comma CSV (or JSON
 *   Lines): they are threatline's own files, read back by monitor and the
 *   dashboard, and their numbers use a dot, so a comma never clashes.
 * - A model with a class model (`multiclass.json`, schema `target.mode:
 *   multiclass`) adds `class` and `class_probability` to every row.
 *
 * @module
 */
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import {
  inputDelimiter,
  predictBatch,
  type PredictProgress,
  type PredictSummary,
} from "../lib/scoring/batch.ts";
import { recordScored } from "../lib/history/mod.ts";
import { openTaskHistory } from "./_history.ts";
import { DEFAULT_MODEL_SOURCE, resolveModelSource } from "../lib/scoring/model_source.ts";
import { loadScorer, SCORER_BACKENDS, type ScorerBackend } from "../lib/scoring/scorer.ts";
import { MLFLOW_ENV_VARS } from "../lib/mlflow/config.ts";
import { S3_ENV_VARS } from "../lib/s3/settings.ts";
import { runShardedPredict, SHARD_OPTIONS } from "./_predict_s3.ts";

const USAGE = "deno task predict INPUT... [--out FILE|-] [--format csv|jsonl] " +
  "[--threshold T] [--model DIR|s3://bucket/prefix/|models:/name@alias] [--rejects FILE] " +
  "[--workers N] [--out-format csv|jsonl] [--backend auto|dense-simd|dense-js|cpu|wasm] " +
  "[--delimiter C]\n" +
  "       deno task predict s3://bucket/in/ --out s3://bucket/out/ [--shard I/N | --shards N]";

/** The environment the model sources may read (S3 and MLflow settings, HOME for the cache). */
function sourceEnv(): Record<string, string | undefined> {
  const names = [...S3_ENV_VARS, ...MLFLOW_ENV_VARS, "HOME", "USERPROFILE"];
  const out: Record<string, string | undefined> = {};
  for (const name of names) {
    try {
      out[name] = Deno.env.get(name);
    } catch {
      // Not allowed: a remote source then says what it misses.
    }
  }
  return out;
}

const int = (n: number) => Math.round(n).toLocaleString("en");

function seconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * One progress line (rows, rows/s, ETA when the size is known).
 *
 * @example
 * ```ts
 * import { progressLine } from "./predict.ts";
 * progressLine({ rows: 500000, rejected: 0, bytesRead: 34e6, totalBytes: 68e6, seconds: 1 });
 * // "predict: 500,000 rows, 500,000 rows/s, 50%, ETA 1.00 s"
 * ```
 */
export function progressLine(p: PredictProgress): string {
  const rate = p.seconds > 0 ? p.rows / p.seconds : 0;
  let line = `predict: ${int(p.rows)} rows, ${int(rate)} rows/s`;
  if (p.rejected > 0) line += `, ${int(p.rejected)} rejected`;
  if (p.totalBytes && p.bytesRead > 0) {
    const done = Math.min(1, p.bytesRead / p.totalBytes);
    const eta = done > 0 ? (p.seconds / done) * (1 - done) : 0;
    line += `, ${(100 * done).toFixed(0)}%, ETA ${seconds(eta)}`;
  }
  return line;
}

/**
 * The one-line summary.
 *
 * @example
 * ```ts ignore
 * import { summaryLine } from "./predict.ts";
 * summaryLine(summary);
 * // "predict: 1,000 rows: 998 scored, 2 rejected (see p.rejects.csv); no drift; 0.20 s, …"
 * ```
 */
export function summaryLine(s: PredictSummary): string {
  const rejected = s.rejected > 0
    ? `${int(s.rejected)} rejected (see ${s.rejectsFile})`
    : "0 rejected";
  const drift = !s.driftTested
    ? "drift not tested"
    : s.drifted.length > 0
    ? `drift in ${s.drifted.length} column(s): ${s.drifted.slice(0, 5).join(", ")}${
      s.drifted.length > 5 ? ", …" : ""
    } (see ${s.driftFiles.markdown})`
    : "no drift";
  const rate = s.seconds > 0 ? s.rows / s.seconds : 0;
  return `predict: ${int(s.rows)} rows: ${int(s.scored)} scored, ${rejected}; ${drift}; ` +
    `${seconds(s.seconds)}, ${int(rate)} rows/s; model ${s.modelVersion} ` +
    `(${s.engine}, ${
      s.workers === 0 ? "in one thread" : `${s.workers} worker${s.workers === 1 ? "" : "s"}`
    }) → ${s.out === "-" ? "stdout" : s.out}`;
}

/**
 * The `--delimiter` value: `tab` and `\t` (as typed in a shell) mean a tab.
 *
 * @example
 * ```ts
 * import { delimiterArg } from "./predict.ts";
 * [delimiterArg("tab"), delimiterArg(";"), delimiterArg(undefined)]; // ["\t", ";", undefined]
 * ```
 */
export function delimiterArg(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v === "tab" || v === "\\t") return "\t";
  try {
    return inputDelimiter(v);
  } catch (err) {
    throw new ConfigError(`--delimiter: ${(err as Error).message}`, { field: "--delimiter" });
  }
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: {
        out: { type: "string", short: "o" },
        format: { type: "string" },
        "out-format": { type: "string" },
        threshold: { type: "string" },
        model: { type: "string" },
        rejects: { type: "string" },
        workers: { type: "string" },
        backend: { type: "string" },
        delimiter: { type: "string" },
        ...SHARD_OPTIONS,
      },
    });
    const str = (k: string) => values[k] as string | undefined;
    if (positionals.length === 0) {
      throw new ConfigError("no input: give files, or - for stdin", { hint: `usage: ${USAGE}` });
    }
    const oneOf = <T extends string>(name: string, allowed: readonly T[]) => {
      const v = str(name);
      if (v !== undefined && !allowed.includes(v as T)) {
        throw new ConfigError(`--${name} must be one of ${allowed.join(", ")}; got '${v}'`, {
          field: `--${name}`,
        });
      }
      return v as T | undefined;
    };
    const format = oneOf("format", ["csv", "jsonl"] as const);
    const outFormat = oneOf("out-format", ["csv", "jsonl"] as const);
    const backend = oneOf<ScorerBackend>("backend", SCORER_BACKENDS);
    let threshold: number | undefined;
    if (str("threshold") !== undefined) {
      threshold = Number(str("threshold"));
      if (!(threshold >= 0 && threshold <= 1) || str("threshold")!.trim() === "") {
        throw new ConfigError(`--threshold must be a number in [0, 1], got '${str("threshold")}'`, {
          field: "--threshold",
        });
      }
    }
    const workerArg = str("workers");
    const workers = workerArg === undefined
      ? undefined
      : workerArg === "0"
      ? 0
      : positiveInt(workerArg, "--workers");
    if (positionals.filter((p) => p === "-").length > 1) {
      throw new ConfigError("stdin (-) can be read only once", { field: "INPUT" });
    }
    const delimiter = delimiterArg(str("delimiter"));
    const sharded = values.shard !== undefined || values.shards !== undefined ||
      positionals.some((p) => p.startsWith("s3://"));
    if (delimiter !== undefined && sharded) {
      throw new ConfigError("--delimiter is for local inputs; S3 shards use the model's", {
        field: "--delimiter",
        hint: "the model's delimiter is preprocess.json's input.delimiter (ingest.delimiter)",
      });
    }
    const model = await resolveModelSource(str("model") ?? DEFAULT_MODEL_SOURCE, {
      env: sourceEnv(),
      log,
    });
    const scorer = await loadScorer(model.dir, { use: "batch", backend, log });
    if (await runShardedPredict({ values, positionals, scorer, env: sourceEnv(), log })) {
      scorer.dispose();
      return 0;
    }
    const tty = Deno.stderr.isTerminal();
    const encoder = new TextEncoder();
    let shown = false;
    const summary = await predictBatch({
      scorer,
      inputs: positionals,
      out: str("out") ?? "predictions.csv",
      format,
      delimiter,
      outFormat,
      rejects: str("rejects"),
      threshold,
      workers,
      log,
      onProgress: tty
        ? (p) => {
          shown = true;
          Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${progressLine(p)}`));
        }
        : undefined,
    });
    if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
    console.error(summaryLine(summary));
    const history = await openTaskHistory(log);
    if (history) {
      await recordScored(history, {
        source: "predict",
        input: positionals.join(" ").slice(0, 500),
        model: "threatline",
        modelVersion: summary.modelVersion,
        rows: summary.rows,
        rejects: summary.rejected,
        labels: {}, // predictBatch does not count labels
        driftFlags: summary.drifted,
      }, log);
      await history.close();
    }
    scorer.dispose();
    return 0;
  });
}
