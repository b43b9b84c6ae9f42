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
import { readPathList, resolveDataPaths } from "../lib/data/data_paths.ts";
import { csvFilesSource, type DataSource } from "../lib/data/source.ts";
import { hashingSource, type SourceFingerprint } from "../lib/data/source_fingerprint.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { readTable, writeTableCsv } from "../lib/data/table.ts";
import { writeOfficialSplit } from "../lib/data/official_split.ts";
import { openSection } from "../lib/section.ts";
import type { YamlFile } from "../lib/yaml.ts";
import { loadStageConfig, secondsSince, type StageConfig } from "./_common.ts";

/** params.yaml's `ingest.mongodb` section (used when `ingest.source` is `mongodb`). */
export interface MongoParams {
  /** Database name. */
  database: string;
  /** Collection name. */
  collection: string;
  /** Documents per cursor batch (and per write of `deno task load-mongo`; default 1000). */
  batchSize: number;
  /** The fingerprint stage's output; ingest checks that the rows it read hash the same. */
  fingerprint?: string;
}

/** params.yaml's `ingest` section: where the raw records come from. */
export interface SourceParams {
  /** Source kind: `csv` (default) or `mongodb` (URI from the `MONGODB_URI` env variable). */
  source: "csv" | "mongodb";
  /** Path of the CSV file (`.gz` allowed); the first of `paths`. */
  path?: string;
  /** `ingest.path` as written: files and globs, read in order as one source (default `[path]`). */
  paths?: string[];
  /** `ingest.test_path`: an official test set (files and globs); empty or absent: split `paths`. */
  testPaths?: string[];
  /** Whether the file has a header row (default true). */
  header: boolean;
  /** Field separator (default `,`). */
  delimiter: string;
  /** Tokens meaning missing besides the empty field (default none). */
  naValues: string[];
  /** The collection to read; required for `mongodb`. */
  mongodb?: MongoParams;
}

/** params.yaml's `ingest` and `split` sections. */
export interface IngestParams extends SourceParams {
  /** Share of each class in test. */
  testSize: number;
  /** Seed of the split. */
  seed: number;
  /** Keep rows with identical features on one side of the split (default false). */
  groupDuplicates: boolean;
}

/**
 * Read and validate the `ingest` section (also read by `deno task load-mongo`
 * for the CSV options and the collection).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readSourceParams } from "./ingest.ts";
 * const y = parseYaml(
 *   "ingest:\n  source: mongodb\n  mongodb: {database: db, collection: flows}\n",
 *   "params.yaml",
 * );
 * readSourceParams(y).mongodb?.batchSize; // 1000
 * ```
 */
export function readSourceParams(params: YamlFile): SourceParams {
  const s = openSection(params, ["ingest"]);
  const source = s.string("source", { default: "csv", oneOf: ["csv", "mongodb"] as const });
  if (source === "csv" && !s.has("path")) s.string("path"); // the usual "missing required key"
  const paths = readPathList(s, "path");
  if (source === "csv" && paths.length === 0) {
    throw s.error("path", "'ingest.path' names no file (a path, a list or a glob)");
  }
  const testPaths = readPathList(s, "test_path");
  const header = s.boolean("header", { default: true });
  const delimiter = s.string("delimiter", { default: "," });
  if (delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    throw s.error("delimiter", "'ingest.delimiter' must be one character (not a quote or newline)");
  }
  const naValues = s.strings("na_values", { defaultList: [] });
  let mongodb: MongoParams | undefined;
  const m = s.optionalSection("mongodb");
  if (m) {
    mongodb = {
      database: m.string("database"),
      collection: m.string("collection"),
      batchSize: m.number("batch_size", { default: 1000, integer: true, min: 1, max: 100_000 }),
      fingerprint: m.has("fingerprint") ? m.string("fingerprint") : undefined,
    };
    for (const key of ["database", "collection"] as const) {
      if (mongodb[key] === "") throw m.error(key, `'ingest.mongodb.${key}' must not be empty`);
    }
    m.done();
  } else if (source === "mongodb") {
    throw s.error(
      "source",
      "'ingest.source' is mongodb but there is no 'ingest.mongodb' section " +
        "(database, collection, batch_size)",
    );
  }
  s.done();
  return { source, path: paths[0], paths, testPaths, header, delimiter, naValues, mongodb };
}

/**
 * Read and validate the `ingest` and `split` sections.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readIngestParams } from "./ingest.ts";
 * const y = parseYaml("ingest:\n  source: csv\n  path: d.csv\nsplit:\n  test_size: 0.2\n  seed: 1\n", "params.yaml");
 * readIngestParams(y).header; // true
 * ```
 */
export function readIngestParams(params: YamlFile): IngestParams {
  const source = readSourceParams(params);
  const split = openSection(params, ["split"]);
  const testSize = split.number("test_size", { min: 0, max: 1 });
  if (testSize <= 0 || testSize >= 1) {
    throw split.error("test_size", `'split.test_size' must be between 0 and 1, got ${testSize}`);
  }
  const seed = split.number("seed", { integer: true });
  const groupDuplicates = split.boolean("group_duplicates", { default: false });
  split.done();
  return { ...source, testSize, seed, groupDuplicates };
}

/** What a source needs from the environment, read once at the entry point. */
export interface SourceEnv {
  /** `MONGODB_URI` (only read for `source: mongodb`). */
  mongodbUri?: string;
}

/**
 * Read `MONGODB_URI` (at an entry point, once): unset, or not readable under
 * the process's permissions, is a `ConfigError` saying why it was needed
 * (`reason`) and what to do.
 *
 * @example
 * ```ts
 * import { readMongoUri } from "./ingest.ts";
 * readMongoUri("ingest.source is mongodb", () => "mongodb://127.0.0.1:27017/"); // "mongodb://127.0.0.1:27017/"
 * ```
 */
export function readMongoUri(
  reason: string,
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  let uri: string | undefined;
  try {
    uri = getEnv("MONGODB_URI");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied)) {
      throw err;
    }
    throw new ConfigError(`${reason}, but the process may not read MONGODB_URI`, {
      field: "MONGODB_URI",
      hint: "run with --allow-net --allow-env=MONGODB_URI (see examples/mongodb/README.md)",
    });
  }
  if (!uri) {
    throw new ConfigError(`${reason}, but MONGODB_URI is not set`, {
      field: "MONGODB_URI",
      hint: "export MONGODB_URI=mongodb://[user:password@]host:port/ (a local test server: " +
        'eval "$(deno task -q services env)"); under --ignore-env the command also needs ' +
        "--allow-env=MONGODB_URI",
    });
  }
  return uri;
}

/**
 * Read the environment the source needs: nothing for `csv`, `MONGODB_URI`
 * for `mongodb` ({@linkcode readMongoUri}).
 *
 * @example
 * ```ts
 * import { readSourceEnv } from "./ingest.ts";
 * const p = { source: "mongodb" as const, header: true, delimiter: ",", naValues: [] };
 * readSourceEnv(p, () => "mongodb://127.0.0.1:27017/").mongodbUri; // "mongodb://127.0.0.1:27017/"
 * ```
 */
export function readSourceEnv(
  p: SourceParams,
  getEnv?: (name: string) => string | undefined,
): SourceEnv {
  if (p.source !== "mongodb") return {};
  return { mongodbUri: readMongoUri("ingest.source is mongodb", getEnv) };
}

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
