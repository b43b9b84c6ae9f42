/**
 * Batch scoring of an S3 prefix, one shard at a time: every input object
 * under `s3://bucket/in/` whose key falls in the shard is scored by the
 * streaming batch scorer (lib/scoring/batch.ts) and its predictions are
 * written to `s3://bucket/out/<key below the input prefix>.predictions.csv`
 * (`.jsonl` for JSON Lines output), with `.rejects.csv` beside it when rows
 * were rejected.
 *
 * Output keys depend only on input keys and the content only on the input
 * and the model, so a shard killed and run again rewrites the same objects
 * with the same bytes (S3 PUTs are atomic: a reader never sees half an
 * object), and N shards together write exactly what one process writes.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError, DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { csvField } from "../data/csv.ts";
import { predictBatch } from "../scoring/batch.ts";
import type { Scorer } from "../scoring/scorer.ts";
import { S3Bucket } from "../s3/bucket.ts";
import { parseS3Url, type S3Connection } from "../s3/settings.ts";
import { inShard, type Shard, WHOLE } from "./shard.ts";

/** Options of {@linkcode predictS3Prefix}. */
export interface S3PredictOptions {
  /** The loaded model. */
  scorer: Scorer;
  /** `s3://bucket/in/` (objects ending in .csv, .jsonl, .ndjson, optionally .gz). */
  input: string;
  /** `s3://bucket/out/` (may be another bucket). */
  out: string;
  /** S3 endpoint, region and credentials (`s3ConnectionFromEnv`). */
  connection: S3Connection;
  /** This process's shard (default: all objects). */
  shard?: Shard;
  /** Output format (default csv). */
  outFormat?: "csv" | "jsonl";
  /** Label threshold (default: the card's). */
  threshold?: number;
  /** Worker threads per object (predictBatch's default when absent). */
  workers?: number;
  /** Progress per object. */
  log?: Logger;
}

/** What one shard did. */
export interface S3PredictSummary {
  /** Input objects under the prefix (all shards). */
  objects: number;
  /** Objects this shard scored. */
  scoredObjects: number;
  /** Rows read, scored and rejected by this shard. */
  rows: number;
  /** Rows scored. */
  scored: number;
  /** Rows rejected. */
  rejected: number;
  /** Output keys written, in input-key order. */
  written: string[];
  /** Wall time, seconds. */
  seconds: number;
  /** Model version. */
  modelVersion: string;
}

const INPUT_NAME = /\.(csv|jsonl|ndjson)(\.gz)?$/i;

/**
 * Whether an argument is an S3 URL.
 *
 * @example
 * ```ts
 * import { isS3Url } from "./s3_predict.ts";
 * [isS3Url("s3://b/in/"), isS3Url("in.csv")]; // [true, false]
 * ```
 */
export function isS3Url(arg: string): boolean {
  return arg.startsWith("s3://");
}

/**
 * The output key of an input key.
 *
 * @example
 * ```ts
 * import { outputKey } from "./s3_predict.ts";
 * outputKey("in/2026/a.csv.gz", "in/", "out/", "csv"); // "out/2026/a.csv.gz.predictions.csv"
 * ```
 */
export function outputKey(
  key: string,
  inPrefix: string,
  outPrefix: string,
  format: "csv" | "jsonl",
): string {
  return `${outPrefix}${key.slice(inPrefix.length)}.predictions.${format}`;
}

/** `prefix` as a folder prefix: empty, or ending in `/`. */
function folder(prefix: string): string {
  return prefix === "" ? "" : `${prefix}/`;
}

/**
 * Score this shard's objects under `input` into `out`.
 *
 * @example
 * ```ts ignore
 * import { predictS3Prefix } from "./s3_predict.ts";
 * const s = await predictS3Prefix({
 *   scorer, input: "s3://b/in/", out: "s3://b/out/", connection, shard: { index: 0, count: 4 },
 * });
 * ```
 */
export async function predictS3Prefix(o: S3PredictOptions): Promise<S3PredictSummary> {
  const start = performance.now();
  const log = o.log ?? nullLogger;
  const shard = o.shard ?? WHOLE;
  const format = o.outFormat ?? "csv";
  const src = parseS3Url(o.input, "INPUT");
  const dst = parseS3Url(o.out, "--out");
  const inPrefix = folder(src.prefix), outPrefix = folder(dst.prefix);
  if (src.bucket === dst.bucket && (outPrefix.startsWith(inPrefix) || inPrefix === "")) {
    throw new ConfigError(`--out ${o.out} lies inside the input ${o.input}`, {
      field: "--out",
      hint: "write predictions to a prefix outside the input, e.g. s3://bucket/out/",
    });
  }
  const inBucket = new S3Bucket({ ...o.connection, bucket: src.bucket }, { log });
  const outBucket = dst.bucket === src.bucket
    ? inBucket
    : new S3Bucket({ ...o.connection, bucket: dst.bucket }, { log });
  const keys: string[] = [];
  for await (const obj of inBucket.list(inPrefix)) {
    if (INPUT_NAME.test(obj.key)) keys.push(obj.key);
  }
  keys.sort();
  const mine = keys.filter((k) => inShard(k, shard));
  const summary: S3PredictSummary = {
    objects: keys.length,
    scoredObjects: 0,
    rows: 0,
    scored: 0,
    rejected: 0,
    written: [],
    seconds: 0,
    modelVersion: o.scorer.version,
  };
  const tmp = await Deno.makeTempDir({ prefix: "threatline_shard_" });
  try {
    for (const key of mine) {
      const name = key.slice(key.lastIndexOf("/") + 1);
      const inPath = join(tmp, name);
      // Streamed to a file: an object of any size, in flat memory.
      if (await inBucket.download(key, inPath) === "missing") {
        throw new DataError(`input object ${inBucket.url(key)} disappeared while scoring`);
      }
      const outPath = join(tmp, `scored.${format}`);
      const rejectsPath = join(tmp, "scored.rejects.csv");
      const s = await predictBatch({
        scorer: o.scorer,
        inputs: [inPath],
        out: outPath,
        rejects: rejectsPath,
        outFormat: format,
        threshold: o.threshold,
        workers: o.workers,
        log,
      });
      const target = outputKey(key, inPrefix, outPrefix, format);
      await outBucket.uploadFile(target, outPath);
      const rejectsKey = target.replace(/\.predictions\.(csv|jsonl)$/, ".rejects.csv");
      if (s.rejected > 0) {
        // The rejects name the input by its temporary path: name it by its URL instead.
        const text = await Deno.readTextFile(rejectsPath);
        const bytes = new TextEncoder().encode(
          text.replaceAll(`,${csvField(inPath)},`, `,${csvField(inBucket.url(key))},`),
        );
        await outBucket.putBytes(rejectsKey, bytes, "text/csv");
      } else await outBucket.delete(rejectsKey);
      await Deno.remove(inPath);
      summary.scoredObjects++;
      summary.rows += s.rows;
      summary.scored += s.scored;
      summary.rejected += s.rejected;
      summary.written.push(target);
      log.info("scored object", {
        key,
        out: outBucket.url(target),
        rows: s.rows,
        rejected: s.rejected,
      });
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    inBucket.close();
    if (outBucket !== inBucket) outBucket.close();
  }
  summary.seconds = (performance.now() - start) / 1000;
  return summary;
}
