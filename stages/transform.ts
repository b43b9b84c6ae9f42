/**
 * Stage `transform`: fit the preprocessing (imputation, standard scaling,
 * categorical columns as category codes — `transform.categorical: native`,
 * the default — or one-hot with an unseen bucket) on
 * `artifacts/ingest/train.csv` only, save it as
 * `artifacts/transform/preprocess.json`, and write `train.mat` and
 * `test.mat` (lib/learn/matrix.ts; labels 1 = threat; code columns listed in
 * the header's `categorical` and `categories`).
 *
 * ```sh
 * deno run --allow-read --allow-write stages/transform.ts [--params params.yaml] [--schema schema.yaml]
 * ```
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { writeMatrix } from "../lib/learn/matrix.ts";
import {
  cappedColumns,
  compilePreprocess,
  DEFAULT_TRANSFORM,
  encodeTable,
  fitPreprocess,
  inputSpec,
  MAX_CODE_CATEGORIES,
  preprocessToJson,
  readRawFormat,
  type TransformOptions,
} from "../lib/learn/preprocess.ts";
import { csvSource } from "../lib/data/source.ts";
import { readTable } from "../lib/data/table.ts";
import { openSection } from "../lib/section.ts";
import type { YamlFile } from "../lib/yaml.ts";
import { loadStageConfig, secondsSince, type StageConfig, writeTextAtomic } from "./_common.ts";

/**
 * Read and validate the `transform` section (every key optional).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readTransformParams } from "./transform.ts";
 * readTransformParams(parseYaml("transform:\n  one_hot_integers: true\n", "params.yaml")).oneHotIntegers; // true
 * ```
 */
export function readTransformParams(params: YamlFile): TransformOptions {
  if ((params.value as Record<string, unknown> | null)?.transform === undefined) {
    return { ...DEFAULT_TRANSFORM };
  }
  const s = openSection(params, ["transform"]);
  const d = DEFAULT_TRANSFORM;
  const out: TransformOptions = {
    numericImpute: s.string("numeric_impute", {
      default: d.numericImpute,
      oneOf: ["median", "mean"] as const,
    }),
    scale: s.string("scale", { default: d.scale, oneOf: ["standard", "none"] as const }),
    oneHotIntegers: s.boolean("one_hot_integers", { default: d.oneHotIntegers }),
    oneHotMaxValues: s.number("one_hot_max_values", {
      default: d.oneHotMaxValues,
      integer: true,
      min: 2,
    }),
    categorical: s.string("categorical", {
      default: d.categorical ?? "native",
      oneOf: ["native", "one_hot"] as const,
    }),
  };
  s.done();
  return out;
}

/** Where {@linkcode runTransform} reads and writes. */
export interface TransformPaths {
  /** Train CSV (default `artifacts/ingest/train.csv`). */
  train?: string;
  /** Test CSV (default `artifacts/ingest/test.csv`). */
  test?: string;
  /** Output directory (default `artifacts/transform`). */
  outDir?: string;
}

/**
 * Run the stage.
 *
 * @example
 * ```ts ignore
 * import { runTransform } from "./transform.ts";
 * await runTransform(await loadStageConfig([], "transform"), log);
 * ```
 */
export async function runTransform(
  config: StageConfig,
  log: Logger,
  paths: TransformPaths = {},
): Promise<{ features: number; train: number; test: number }> {
  const start = performance.now();
  const { schema } = config;
  const options = readTransformParams(config.params);
  const outDir = paths.outDir ?? "artifacts/transform";
  const read = (path: string) =>
    readTable(csvSource({ path, header: true }), { schema, checkDomains: true, log });
  const train = await read(paths.train ?? "artifacts/ingest/train.csv");
  const test = await read(paths.test ?? "artifacts/ingest/test.csv");
  const fitted = fitPreprocess(train, schema, options);
  for (const c of cappedColumns(fitted, train)) {
    log.warn(
      `transform: column '${c.column}' has ${c.categories} categories; the ${MAX_CODE_CATEGORIES} ` +
        "most frequent are kept, the rest encode as unseen (drop it in schema.yaml if it is an id)",
      { column: c.column, rows_unseen: c.rowsUnseen },
    );
  }
  // What raw files look like, so predict accepts the files ingest read.
  const input = inputSpec(schema, readRawFormat(config.params));
  const pre = compilePreprocess({ ...fitted.spec, input }, schema);
  const listed = (kind: string) => {
    const cols = pre.spec.features.filter((f) => f.kind === kind).map((f) => f.column);
    return cols.length > 6 ? `${cols.length} columns` : cols.length ? cols.join(",") : undefined;
  };
  log.info("transform: fitted on train", {
    rows: train.rows,
    inputs: pre.inputs.length,
    features: pre.width,
    codes: listed("code"),
    one_hot: listed("one_hot"),
  });
  const trainMatrix = encodeTable(pre, train);
  const testMatrix = encodeTable(pre, test);
  await Deno.mkdir(outDir, { recursive: true });
  await writeTextAtomic(`${outDir}/preprocess.json`, preprocessToJson(pre));
  await writeMatrix(`${outDir}/train.mat`, trainMatrix);
  await writeMatrix(`${outDir}/test.mat`, testMatrix);
  log.info("transform: done", {
    train: train.rows,
    test: test.rows,
    features: pre.width,
    out: outDir,
    seconds: secondsSince(start),
  });
  return { features: pre.width, train: train.rows, test: test.rows };
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const config = await loadStageConfig(args, "transform");
    const { input = "artifacts/ingest", root = "artifacts" } = config;
    await runTransform(config, log, {
      train: `${input}/train.csv`,
      test: `${input}/test.csv`,
      outDir: `${root}/transform`,
    });
  });
}
