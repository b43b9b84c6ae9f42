/**
 * Stage `ingest`: read the source named in params.yaml (`ingest`), drop
 * source-only columns, coerce every value to its schema type, map target
 * labels to classes, and write `artifacts/ingest/raw.csv` plus a stratified,
 * seeded split (`split`) into `train.csv` and `test.csv` (source row order).
 *
 * ```sh
 * deno run --allow-read --allow-write stages/ingest.ts [--params params.yaml] [--schema schema.yaml]
 * ```
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { featureGroups } from "../lib/ml/data_checks.ts";
import type { Schema } from "../lib/ml/schema.ts";
import { csvSource, type DataSource } from "../lib/ml/source.ts";
import { stratifiedSplit } from "../lib/ml/split.ts";
import { readTable, writeTableCsv } from "../lib/ml/table.ts";
import { openSection } from "../lib/section.ts";
import type { YamlFile } from "../lib/yaml.ts";
import { loadStageConfig, secondsSince, type StageConfig } from "./_common.ts";

/** params.yaml's `ingest` and `split` sections. */
export interface IngestParams {
  /** Source kind; only `csv` for now. */
  source: "csv";
  /** Path of the CSV file (`.gz` allowed). */
  path: string;
  /** Whether the file has a header row (default true). */
  header: boolean;
  /** Field separator (default `,`). */
  delimiter: string;
  /** Tokens meaning missing besides the empty field (default none). */
  naValues: string[];
  /** Share of each class in test. */
  testSize: number;
  /** Seed of the split. */
  seed: number;
  /** Keep rows with identical features on one side of the split (default false). */
  groupDuplicates: boolean;
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
  const s = openSection(params, ["ingest"]);
  const source = s.string("source", { oneOf: ["csv"] as const });
  const path = s.string("path");
  const header = s.boolean("header", { default: true });
  const delimiter = s.string("delimiter", { default: "," });
  if (delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    throw s.error("delimiter", "'ingest.delimiter' must be one character (not a quote or newline)");
  }
  const naValues = s.strings("na_values", { defaultList: [] });
  s.done();
  const split = openSection(params, ["split"]);
  const testSize = split.number("test_size", { min: 0, max: 1 });
  if (testSize <= 0 || testSize >= 1) {
    throw split.error("test_size", `'split.test_size' must be between 0 and 1, got ${testSize}`);
  }
  const seed = split.number("seed", { integer: true });
  const groupDuplicates = split.boolean("group_duplicates", { default: false });
  split.done();
  return { source, path, header, delimiter, naValues, testSize, seed, groupDuplicates };
}

/**
 * The data source params describe (the one place to add a new source kind).
 *
 * @example
 * ```ts ignore
 * import { openIngestSource } from "./ingest.ts";
 * const source = openIngestSource(readIngestParams(params), schema);
 * ```
 */
export function openIngestSource(p: IngestParams, schema: Schema): DataSource {
  switch (p.source) {
    case "csv":
      return csvSource({
        path: p.path,
        header: p.header,
        columns: p.header ? undefined : schema.sourceColumns,
        delimiter: p.delimiter,
        naValues: p.naValues,
      });
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

/**
 * Run the stage: read, split and write under `outDir` (default `artifacts/ingest`).
 *
 * @example
 * ```ts ignore
 * import { runIngest } from "./ingest.ts";
 * await runIngest(await loadStageConfig([], "ingest"), log);
 * ```
 */
export async function runIngest(
  config: StageConfig,
  log: Logger,
  outDir = "artifacts/ingest",
): Promise<IngestSummary> {
  const start = performance.now();
  const { schema } = config;
  const p = readIngestParams(config.params);
  const source = openIngestSource(p, schema);
  log.info("ingest: reading", { source: source.location, schema: schema.file });
  const table = await readTable(source, { schema, log });
  let threat = 0;
  for (const l of table.labels) threat += l;
  log.info("ingest: read", {
    rows: table.rows,
    columns: table.columns.length,
    dropped: schema.drop.length ? schema.drop.join(",") : undefined,
    threat,
    benign: table.rows - threat,
  });
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
    await runIngest(await loadStageConfig(args, "ingest"), log);
  });
}
