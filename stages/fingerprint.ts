/**
 * Stage `fingerprint`: stream the source ingest reads (same projection, same
 * order) and write `artifacts/source/fingerprint.json` with its row count and
 * a SHA-256 of its rows. A MongoDB collection is not a file the runner can
 * hash, so a Mongo-backed pipeline makes its output a dep of ingest: the file
 * is byte-identical while the data is unchanged (no timestamp in it), so
 * ingest and everything downstream re-run only when the data changed. The
 * stage itself runs only when `--check` (its `source_check`: count, largest
 * `_id`, collection metadata, server-side checksum) prints something new.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-net --allow-env=MONGODB_URI,LOG_TOKENS,LOG_STREAM \
 *   --ignore-env --allow-sys=osRelease,uid stages/fingerprint.ts [--params params.yaml] [--schema schema.yaml]
 * ```
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { fingerprintSource } from "../lib/data/source_fingerprint.ts";
import { loadStageConfig, secondsSince, type StageConfig, writeTextAtomic } from "./_common.ts";
import { openIngestSource, readSourceEnv, readSourceParams, type SourceEnv } from "./ingest.ts";

/** Where the stage writes by default. */
export const FINGERPRINT_FILE = "artifacts/source/fingerprint.json";

/** The content of `fingerprint.json`. */
export interface FingerprintFile {
  /** Source kind (`mongodb`, `csv`). */
  source: string;
  /** Database (mongodb). */
  database?: string;
  /** Collection (mongodb). */
  collection?: string;
  /** File (csv). */
  path?: string;
  /** Order of the rows. */
  order: string;
  /** Columns read, in order. */
  columns: string[];
  /** Rows read. */
  rows: number;
  /** SHA-256 of the columns and rows (lib/data/source_fingerprint.ts). */
  sha256: string;
}

/** Options of {@linkcode runFingerprint}. */
export interface RunFingerprintOptions {
  /** Output file (default {@linkcode FINGERPRINT_FILE}). */
  out?: string;
  /** The environment the source needs. */
  env?: SourceEnv;
}

/**
 * Run the stage: fingerprint the source params describe and write the file
 * (no time stamp or host in it, so it only changes when the data does).
 *
 * @example
 * ```ts ignore
 * import { runFingerprint } from "./fingerprint.ts";
 * const fp = await runFingerprint(await loadStageConfig([], "fingerprint"), log, { env });
 * ```
 */
export async function runFingerprint(
  config: StageConfig,
  log: Logger,
  options: RunFingerprintOptions = {},
): Promise<FingerprintFile> {
  const start = performance.now();
  const out = options.out ?? FINGERPRINT_FILE;
  const p = readSourceParams(config.params);
  const source = await openIngestSource(p, config.schema, options.env ?? {}, log);
  log.info("fingerprint: reading", { source: source.location });
  const { columns, rows, sha256 } = await fingerprintSource(source);
  const file: FingerprintFile = p.source === "mongodb"
    ? {
      source: p.source,
      database: p.mongodb!.database,
      collection: p.mongodb!.collection,
      order: "_id",
      columns,
      rows,
      sha256,
    }
    : { source: p.source, path: p.path, order: "file", columns, rows, sha256 };
  await writeTextAtomic(out, JSON.stringify(file, null, 2) + "\n");
  log.info("fingerprint: done", {
    rows,
    sha256: sha256.slice(0, 12),
    out,
    seconds: secondsSince(start),
  });
  return file;
}

/**
 * The cheap check for `source_check` (`stages/fingerprint.ts --check`): one
 * line of JSON describing the source without reading it (a MongoDB
 * collection's count, largest `_id`, UUID, size and server-side checksum:
 * lib/data/mongo_probe.ts; a CSV file's size and modification time).
 *
 * @example
 * ```ts ignore
 * import { sourceCheck } from "./fingerprint.ts";
 * console.log(await sourceCheck(config, log, { env }));
 * ```
 */
export async function sourceCheck(
  config: StageConfig,
  log: Logger,
  options: Pick<RunFingerprintOptions, "env"> = {},
): Promise<string> {
  const p = readSourceParams(config.params);
  if (p.source === "mongodb") {
    const { probeCollection } = await import("../lib/data/mongo_probe.ts");
    const m = p.mongodb!;
    const uri = options.env?.mongodbUri;
    if (!uri) throw new TypeError("sourceCheck: mongodb needs env.mongodbUri (readSourceEnv)");
    return JSON.stringify(
      await probeCollection({ uri, database: m.database, collection: m.collection, log }),
    );
  }
  const info = await Deno.stat(p.path!);
  return JSON.stringify({ source: p.source, path: p.path, size: info.size, mtime: info.mtime });
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const check = args.includes("--check");
    const config = await loadStageConfig(args.filter((a) => a !== "--check"), "fingerprint");
    const env = readSourceEnv(readSourceParams(config.params));
    if (check) console.log(await sourceCheck(config, log, { env }));
    else await runFingerprint(config, log, { env });
  });
}
