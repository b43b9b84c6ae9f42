/**
 * Stage `ingest`: read the source named in params.yaml (`ingest`: a CSV file,
 * or a MongoDB collection), drop source-only columns, coerce every value to its
 * schema type, map target labels to classes, and write
 * `artifacts/ingest/raw.csv` plus a stratified, seeded split (`split`) into
 * `train.csv` and `test.csv` (source row order).
 *
 * ```sh
 * deno run --allow-read --allow-write stages/ingest.ts [--params params.yaml] [--schema schema.yaml]
 * # source: mongodb (URI from MONGODB_URI; see examples/mongodb/):
 * deno run --allow-read --allow-write --allow-net --allow-env=MONGODB_URI,LOG_TOKENS,LOG_STREAM \
 *   --ignore-env --allow-sys=osRelease,uid stages/ingest.ts
 * ```
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { ConfigError, DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { featureGroups } from "../lib/data/data_checks.ts";
import type { Schema } from "../lib/data/schema.ts";
import { resolveDataPaths } from "../lib/data/data_paths.ts";
import { csvFilesSource, type DataSource } from "../lib/data/source.ts";
import { hashingSource, type SourceFingerprint } from "../lib/data/source_fingerprint.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { readTable, writeTableCsv } from "../lib/data/table.ts";
import { writeOfficialSplit } from "../lib/data/official_split.ts";
import { loadStageConfig, secondsSince, type StageConfig } from "./_common.ts";

export {
  type IngestParams,
  type MongoParams,
  readIngestParams,
  readMongoUri,
  readSourceEnv,
  readSourceParams,
  type SourceEnv,
  type SourceParams,
} from "./_ingest_params.ts";
import {
  readIngestParams,
  readSourceEnv,
  readSourceParams,
  type SourceEnv,
  type SourceParams,
} from "./_ingest_params.ts";

/**
 * The data source params describe (the one place to add a new source kind).
 * The MongoDB driver is only loaded for `mongodb`, so CSV runs need neither
 * it nor network or environment permissions.
 *
 * @example
 * ```ts ignore
 * import { openIngestSource } from "./ingest.ts";
 * const p = readIngestParams(params);
 * const source = await openIngestSource(p, schema, readSourceEnv(p), log);
 * ```
 */
export async function openIngestSource(
  p: SourceParams,
  schema: Schema,
  env: SourceEnv,
  log: Logger,
  which: "path" | "test_path" = "path",
): Promise<DataSource> {
  switch (p.source) {
    case "csv":
      return csvFilesSource({
        paths: await resolveDataPaths(which === "path" ? p.paths ?? [p.path!] : p.testPaths ?? [], {
          field: `ingest.${which}`,
        }),
        header: p.header,
        columns: p.header ? undefined : schema.sourceColumns,
        delimiter: p.delimiter,
        naValues: p.naValues,
      });
    case "mongodb": {
      const { mongoSource } = await import("../lib/data/mongo_source.ts");
      const m = p.mongodb!;
      if (!env.mongodbUri) {
        throw new TypeError("openIngestSource: mongodb needs env.mongodbUri (readSourceEnv)");
      }
      return mongoSource({
        uri: env.mongodbUri,
        database: m.database,
        collection: m.collection,
        columns: schema.columns.map((c) => c.name),
        batchSize: m.batchSize,
        log,
      });
    }
  }
}

/**
 * Check the fingerprint of the rows ingest read against the fingerprint
 * stage's file: a difference means the collection changed in between, so the
 * recorded fingerprint would not describe the outputs (`DataError`).
 *
 * @example
 * ```ts ignore
 * await checkFingerprint("artifacts/source/fingerprint.json", { rows: 10, sha256: "ab…" });
 * ```
 */
export async function checkFingerprint(file: string, read: SourceFingerprint): Promise<void> {
  let recorded: Partial<SourceFingerprint>;
  try {
    recorded = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ConfigError("ingest.mongodb.fingerprint names a file that does not exist", {
        file,
        field: "ingest.mongodb.fingerprint",
        hint: "run the fingerprint stage first (examples/mongodb/pipeline.yaml)",
      });
    }
    throw new DataError(`cannot read the fingerprint: ${(err as Error).message}`, { file });
  }
  if (recorded.rows !== read.rows || recorded.sha256 !== read.sha256) {
    throw new DataError(
      `the source changed after it was fingerprinted: the fingerprint has ${recorded.rows} ` +
        `rows (sha256 ${String(recorded.sha256).slice(0, 12)}…), ingest read ${read.rows} ` +
        `(sha256 ${read.sha256.slice(0, 12)}…)`,
      { file, hint: "run repro again once writes to the collection have settled" },
    );
  }
}

/** What {@linkcode runIngest} did. */
export interface IngestSummary {
  /** Rows read. */
  rows: number;
  /** Rows in train and test. */
  train: number;
  /** Rows in test. */
  test: number;
  /** Threat rows overall. */
  threat: number;
}

/** Options of {@linkcode runIngest}. */
export interface RunIngestOptions {
  /** Output folder (default `artifacts/ingest`). */
  outDir?: string;
  /** The environment the source needs ({@linkcode readSourceEnv}). */
  env?: SourceEnv;
}

/**
 * Run the stage: read, split and write under `outDir` (default `artifacts/ingest`).
 *
 * @example
 * ```ts ignore
 * import { runIngest } from "./ingest.ts";
 * await runIngest(await loadStageConfig([], "ingest"), log, { env: { mongodbUri } });
 * ```
 */
export async function runIngest(
  config: StageConfig,
  log: Logger,
  options: RunIngestOptions = {},
): Promise<IngestSummary> {
  const start = performance.now();
  const outDir = options.outDir ?? "artifacts/ingest";
  const { schema } = config;
  const p = readIngestParams(config.params);
  const opened = await openIngestSource(p, schema, options.env ?? {}, log);
  // A database is not a file the runner can hash: fingerprint what was read.
  const hashed = p.source === "mongodb" ? hashingSource(opened) : undefined;
  const source = hashed?.source ?? opened;
  log.info("ingest: reading", { source: source.location, schema: schema.file });
  const table = await readTable(source, { schema, log });
  const read = hashed?.fingerprint();
  if (read && p.mongodb?.fingerprint) await checkFingerprint(p.mongodb.fingerprint, read);
  let threat = 0;
  for (const l of table.labels) threat += l;
  log.info("ingest: read", {
    rows: table.rows,
    columns: table.columns.length,
    dropped: schema.drop.length ? schema.drop.join(",") : undefined,
    threat,
    benign: table.rows - threat,
    sha256: read ? read.sha256.slice(0, 12) : undefined,
  });
  if (p.testPaths?.length) {
    const testSource = await openIngestSource(p, schema, {}, log, "test_path");
    log.info("ingest: reading the official test set (no random split)", {
      source: testSource.location,
    });
    const test = await readTable(testSource, { schema, log });
    await writeOfficialSplit(outDir, table, test);
    let testThreat = 0;
    for (const l of test.labels) testThreat += l;
    log.info("ingest: done", {
      train: table.rows,
      test: test.rows,
      out: outDir,
      seconds: secondsSince(start),
    });
    const rows = table.rows + test.rows;
    return { rows, train: table.rows, test: test.rows, threat: threat + testThreat };
  }
  const groups = p.groupDuplicates ? featureGroups(table, schema) : undefined;
  if (groups) {
    log.info("ingest: splitting by feature vector", { groups: new Set(groups).size });
  }
  const { train, test } = stratifiedSplit(table.labels, {
    testSize: p.testSize,
    seed: p.seed,
    groups,
  });
  if (train.length === 0 || test.length === 0) {
    throw new DataError(
      `split.test_size ${p.testSize} leaves the ${train.length ? "test" : "train"} set empty ` +
        `(${table.rows} rows)`,
      { file: source.location },
    );
  }
  await Deno.mkdir(outDir, { recursive: true });
  await writeTableCsv(`${outDir}/raw.csv`, table);
  await writeTableCsv(`${outDir}/train.csv`, table, train);
  await writeTableCsv(`${outDir}/test.csv`, table, test);
  log.info("ingest: done", {
    train: train.length,
    test: test.length,
    out: outDir,
    seconds: secondsSince(start),
  });
  return { rows: table.rows, train: train.length, test: test.length, threat };
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const config = await loadStageConfig(args, "ingest");
    const env = readSourceEnv(readSourceParams(config.params));
    await runIngest(config, log, { env, outDir: `${config.root ?? "artifacts"}/ingest` });
  });
}
