/**
 * The ingest stage's configuration: params.yaml's `ingest` section (the
 * source, its paths and format, the MongoDB collection) and the environment
 * it may read (MONGODB_URI), each read and validated once. Also used by the
 * fingerprint stage and `deno task load-mongo`.
 *
 * @module
 */
import { ConfigError } from "../lib/errors.ts";
import { readPathList } from "../lib/data/data_paths.ts";
import { openSection } from "../lib/section.ts";
import type { YamlFile } from "../lib/yaml.ts";
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
 * import { readSourceParams } from "./_ingest_params.ts";
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
 * import { readIngestParams } from "./_ingest_params.ts";
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
 * import { readMongoUri } from "./_ingest_params.ts";
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
 * import { readSourceEnv } from "./_ingest_params.ts";
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
