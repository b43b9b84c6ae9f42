/**
 * The streaming batch scorer behind `deno task predict`: CSV or JSON Lines
 * (gzip too) from files or stdin in, one scored row per valid input row out
 * (id, probability, label, model version) in input order, bad rows to a
 * rejects file, and a drift report against the training reference.
 *
 * How it streams: the input is cut at record ends into chunks of about
 * 1 MiB (`_input.ts`), numbered by counting their records, and scored by a
 * pool of workers (`_worker.ts`; or in this thread with `workers: 0`). At
 * most two chunks per worker are in flight and results are written in chunk
 * order as they complete, so memory stays flat whatever the input size and
 * the output is the same for any number of workers. Drift state is bounded
 * too (`_batch_drift.ts`).
 *
 * A header that lacks a required column or has one the schema does not know
 * fails at once (`DataError`, exit 3) before anything is written; a bad row
 * never stops the batch.
 *
 * @module
 */
import { ConfigError, DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { csvField } from "../data/csv.ts";
import { batchDrift, mergeDriftStates, SAMPLE_ROWS } from "./_batch_drift.ts";
import type { ChunkResult, InputFormat } from "./_chunk.ts";
import { type DriftReport, renderDriftMarkdown } from "./_drift_report.ts";
import { type Executor, inlineExecutor, workerExecutor } from "./_executors.ts";
import { checkHeader, readInputHeader } from "./_header.ts";
import { readClassModel } from "./class_model.ts";
import { formatOf, type OpenInput, openInput, RecordChunker } from "./_input.ts";
import { type OutputFormat, outputHeader } from "./_out_format.ts";
import type { Scorer } from "./scorer.ts";

export { checkHeader } from "./_header.ts";

/** Options of {@linkcode predictBatch}. */
export interface PredictOptions {
  /** The loaded model (`loadScorer(dir, { use: "batch" })`). */
  scorer: Scorer;
  /** Input files, `-` for stdin; scored in order, rows numbered across them. */
  inputs: string[];
  /** Output file, or `-` for stdout. */
  out: string;
  /** Input format (default: by file name, CSV for stdin). */
  format?: InputFormat;
  /**
   * CSV input field separator, one ASCII character (default: the model's,
   * `preprocess.json` `input.delimiter`, else `,`). Outputs stay comma CSV.
   */
  delimiter?: string;
  /** Output format (default: JSON Lines for `.jsonl`/`.ndjson` outputs, else CSV). */
  outFormat?: OutputFormat;
  /** Rejects file (default `<out base>.rejects.csv`). */
  rejects?: string;
  /** Label threshold (default: the model card's). */
  threshold?: number;
  /**
   * Worker threads; 0 scores in this thread (default {@linkcode DEFAULT_WORKERS},
   * or 0 for files of less than {@linkcode SMALL_INPUT_CHUNKS} chunks).
   */
  workers?: number;
  /** Bytes per chunk (default 1 MiB). */
  chunkBytes?: number;
  /** Progress, about 4 times a second. */
  onProgress?: (p: PredictProgress) => void;
  /** Warnings (drift, rejects). */
  log?: Logger;
  /** stdin for `-` (tests). */
  stdin?: ReadableStream<Uint8Array>;
  /** stdout for `--out -` (tests). */
  stdout?: WritableStream<Uint8Array>;
}

/** Progress of a running batch. */
export interface PredictProgress {
  /** Rows written so far (scored or rejected). */
  rows: number;
  /** Rows rejected so far. */
  rejected: number;
  /** Raw input bytes read. */
  bytesRead: number;
  /** Total raw input bytes, when every input is a file. */
  totalBytes?: number;
  /** Seconds since the start. */
  seconds: number;
}

/** What a batch did. */
export interface PredictSummary {
  /** Input rows (blank lines excluded). */
  rows: number;
  /** Rows scored. */
  scored: number;
  /** Rows rejected. */
  rejected: number;
  /** Wall time, seconds. */
  seconds: number;
  /** Where the scores went (`-`: stdout). */
  out: string;
  /** The rejects file. */
  rejectsFile: string;
  /** The drift report (JSON) and its Markdown. */
  driftFiles: { json: string; markdown: string };
  /** Drifted columns (empty also when the model has no reference profile). */
  drifted: string[];
  /** Whether drift could be tested (the model has a reference profile). */
  driftTested: boolean;
  /** Model version. */
  modelVersion: string;
  /** Threshold applied. */
  threshold: number;
  /** Inference engine. */
  engine: string;
  /** Worker threads used. */
  workers: number;
}

/**
 * Workers by default: measured with `deno task bench predict` on 2 shared
 * cores (bench/README.md): 1M rows in 1.03 s with 2 workers, 1.18 s with 1,
 * 1.30 s in the calling thread alone (medians of 5, load ~2.3).
 */
export const DEFAULT_WORKERS = Math.max(1, Math.min(2, navigator.hardwareConcurrency ?? 1));

/** Inputs of fewer chunks than this are scored in the calling thread by default. */
export const SMALL_INPUT_CHUNKS = 8;

/**
 * Where the rejects and drift reports go: `out` without its extension
 * (`preds.csv` → `preds`), `predictions` for stdout.
 *
 * @example
 * ```ts
 * import { reportBase } from "./batch.ts";
 * [reportBase("out/preds.csv.gz"), reportBase("-")]; // ["out/preds", "predictions"]
 * ```
 */
export function reportBase(out: string): string {
  return out === "-" ? "predictions" : out.replace(/\.(csv|jsonl|ndjson|txt)(\.gz)?$/i, "");
}

/** A byte sink over a file written to a temp name and renamed at the end, or stdout. */
async function openSink(path: string, stdout?: WritableStream<Uint8Array>) {
  if (path === "-") {
    const w = (stdout ?? Deno.stdout.writable).getWriter();
    return {
      write: (b: Uint8Array) => w.write(b),
      commit: () => Promise.resolve(w.releaseLock()),
      abort: () => Promise.resolve(w.releaseLock()),
    };
  }
  const tmp = `${path}.tmp-${Deno.pid}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const w = file.writable.getWriter();
  return {
    write: (b: Uint8Array) => w.write(b),
    async commit() {
      await w.close();
      await Deno.rename(tmp, path);
    },
    async abort() {
      await w.abort().catch(() => {});
      await Deno.remove(tmp).catch(() => {});
    },
  };
}

/**
 * Score a batch. Returns the summary; throws a `DataError` for a wrong header
 * or unreadable input (nothing is left at `out` then).
 *
 * @example
 * ```ts ignore
 * import { loadScorer } from "./scorer.ts";
 * import { predictBatch } from "./batch.ts";
 * const scorer = await loadScorer("artifacts/model", { use: "batch" });
 * const s = await predictBatch({ scorer, inputs: ["flows.csv.gz"], out: "preds.csv" });
 * console.log(s.scored, s.rejected, s.drifted);
 * ```
 */
export async function predictBatch(o: PredictOptions): Promise<PredictSummary> {
  const start = performance.now();
  const log = o.log ?? nullLogger;
  const { scorer } = o;
  const pre = scorer.preprocess;
  const base = reportBase(o.out);
  const rejectsFile = o.rejects ?? `${base}.rejects.csv`;
  const outFormat: OutputFormat = o.outFormat ??
    (/\.(jsonl|ndjson)(\.gz)?$/i.test(o.out) ? "jsonl" : "csv");
  const threshold = o.threshold ?? scorer.threshold;
  let totalBytes: number | undefined = 0;
  for (const path of o.inputs) {
    if (path === "-" || totalBytes === undefined) totalBytes = undefined;
    else totalBytes += await Deno.stat(path).then((s) => s.size, () => 0);
  }
  const chunkBytes = o.chunkBytes ?? 1 << 20;
  const delimiter = inputDelimiter(o.delimiter ?? pre.spec.input?.delimiter ?? ",");
  // Workers take ~0.1 s to start: not worth it for a few chunks.
  const small = totalBytes !== undefined && totalBytes < SMALL_INPUT_CHUNKS * chunkBytes;
  const workers = o.workers ?? (small ? 0 : DEFAULT_WORKERS);
  // Open the first input and check its header before anything is written.
  const open = async (path: string) => {
    const file = path === "-" ? "<stdin>" : path;
    const format = formatOf(path, o.format);
    const input = await openInput(path, o.stdin);
    const chunker = new RecordChunker(input.chunks, { format, chunkBytes, delimiter });
    const { header, headerLines } = await readInputHeader(chunker, {
      pre,
      format,
      file,
      bytesRead: input.bytesRead,
      delimiter,
    });
    checkHeader(pre, header, { file, line: format === "csv" ? Math.max(1, headerLines) : 1 });
    return { file, format, input, chunker, header, headerLines };
  };
  let current: Awaited<ReturnType<typeof open>> | undefined = await open(o.inputs[0]);
  const useId = pre.schema.id !== undefined && current.header.includes(pre.schema.id);
  const classes = await readClassModel(scorer.dir);
  const setup = { output: outFormat, useId, threshold, classes };
  const executor: Executor = workers > 0
    ? await workerExecutor(scorer, setup, workers)
    : inlineExecutor(scorer, setup);
  const out = await openSink(o.out, o.stdout);
  const rejects = await openSink(rejectsFile);
  const encoder = new TextEncoder();
  let rows = 0, scored = 0, rejected = 0, bytesDone = 0, lastProgress = 0;
  const progress = (input?: OpenInput) => {
    const now = performance.now();
    if (!o.onProgress || now - lastProgress < 250) return;
    lastProgress = now;
    o.onProgress({
      rows,
      rejected,
      bytesRead: bytesDone + (input?.bytesRead() ?? 0),
      totalBytes,
      seconds: (now - start) / 1000,
    });
  };
  const write = async (r: ChunkResult, file: string) => {
    await out.write(r.output);
    if (r.rejects.length > 0) {
      const text = r.rejects.map((j) =>
        `${j.row},${j.line},${csvField(file)},${csvField(j.reason)},${csvField(j.record)}\n`
      ).join("");
      await rejects.write(encoder.encode(text));
    }
    rows += r.rows;
    scored += r.scored;
    rejected += r.rejects.length;
  };
  try {
    await out.write(
      encoder.encode(
        outputHeader(outFormat, useId ? pre.schema.id! : "row", classes !== undefined),
      ),
    );
    await rejects.write(encoder.encode("row,line,file,reason,record\n"));
    const queue: { result: Promise<ChunkResult>; file: string }[] = [];
    let row = 1, seq = 0;
    for (let i = 0; i < o.inputs.length; i++) {
      const c = current ?? await open(o.inputs[i]);
      current = undefined;
      if (useId && !c.header.includes(pre.schema.id!) && c.header.length > 0) {
        throw new DataError(`missing the id column '${pre.schema.id}' (the first input has it)`, {
          file: c.file,
        });
      }
      executor.setInput({ file: c.file, format: c.format, header: c.header, delimiter });
      let line = c.headerLines + 1;
      const firstRow = row;
      try {
        for (let piece = await c.chunker.next(); piece; piece = await c.chunker.next()) {
          const job = { seq: seq++, bytes: piece.bytes, startRow: row, startLine: line };
          queue.push({ result: executor.submit({ ...job, records: piece.records }), file: c.file });
          row += piece.records;
          line += piece.lines;
          while (queue.length >= executor.capacity) {
            const head = queue.shift()!;
            await write(await head.result, head.file);
            progress(c.input);
          }
        }
      } finally {
        bytesDone += c.input.bytesRead();
        c.input.close();
      }
      if (row === firstRow) {
        throw new DataError("no data rows: the input holds a header row only", {
          file: c.file,
          line: c.headerLines,
          hint: "give one row per record after the header",
        });
      }
    }
    for (const head of queue.splice(0)) await write(await head.result, head.file);
    progress();
    const state = mergeDriftStates(await executor.drift());
    await out.commit();
    await rejects.commit();
    const report = driftReport(scorer, state, o.inputs, scored);
    const driftFiles = { json: `${base}.drift.json`, markdown: `${base}.drift.md` };
    await Deno.writeTextFile(driftFiles.json, JSON.stringify(report, null, 2) + "\n");
    await Deno.writeTextFile(driftFiles.markdown, renderDriftMarkdown(report));
    if (report.drifted.length > 0) {
      log.warn("predict: drift against train", {
        columns: report.drifted.join(","),
        report: driftFiles.markdown,
      });
    }
    return {
      rows,
      scored,
      rejected,
      seconds: (performance.now() - start) / 1000,
      out: o.out,
      rejectsFile,
      driftFiles,
      drifted: report.drifted,
      driftTested: report.columns.length > 0,
      modelVersion: scorer.version,
      threshold,
      engine: scorer.engine,
      workers: executor.workers,
    };
  } catch (err) {
    await out.abort();
    await rejects.abort();
    current?.input.close();
    throw err;
  } finally {
    executor.close();
  }
}

/**
 * Check a CSV input delimiter: the byte-level reader takes one ASCII
 * character other than a quote or a line end.
 *
 * @example
 * ```ts
 * import { inputDelimiter } from "./batch.ts";
 * inputDelimiter("\t"); // "\t"
 * ```
 */
export function inputDelimiter(d: string): string {
  const code = d.length === 1 ? d.charCodeAt(0) : -1;
  if (code < 1 || code > 127 || d === '"' || d === "\n" || d === "\r") {
    throw new ConfigError(
      `the CSV delimiter must be one ASCII character other than a quote or a line end; got ${
        JSON.stringify(d)
      }`,
      { field: "delimiter", hint: "e.g. ',', ';', a tab ('\\t') or '|'" },
    );
  }
  return d;
}

function driftReport(
  scorer: Scorer,
  state: ReturnType<typeof mergeDriftStates>,
  inputs: string[],
  scored: number,
): DriftReport {
  const ref = scorer.preprocess.spec.reference;
  const thresholds = ref?.drift ?? { p_value: 0.01, psi: 0.2 };
  const columns = scored > 0
    ? batchDrift(scorer.preprocess, state, { pValue: thresholds.p_value, psi: thresholds.psi })
    : undefined;
  return {
    model_version: scorer.version,
    created: new Date().toISOString(),
    inputs: inputs.map((i) => (i === "-" ? "<stdin>" : i)),
    rows: scored,
    reference_rows: ref?.columns[0]?.rows ?? null,
    thresholds,
    sample_rows: Math.min(SAMPLE_ROWS, scored),
    drifted: (columns ?? []).filter((c) => c.drifted).map((c) => c.column),
    columns: columns ?? [],
    ...(columns ? {} : {
      note: ref
        ? "no row was scored: nothing to test"
        : "the model has no training reference profile (preprocess.json from before profiles): retrain to test drift",
    }),
  };
}
