/**
 * What the data stages share: their command line (`--params`, `--schema`),
 * reading their params sections and schema, and atomic writes of outputs.
 *
 * @module
 */
import { ConfigError } from "../lib/errors.ts";
import { readSchema, type Schema } from "../lib/data/schema.ts";
import { readYaml, type YamlFile } from "../lib/yaml.ts";

/** Paths a data stage reads its configuration from. */
export interface StageArgs {
  /** params.yaml path (default `params.yaml`). */
  params: string;
  /** schema.yaml path (default `schema.yaml`). */
  schema: string;
  /** Artifacts root: the stage writes `<root>/<stage>/` (default `artifacts`). */
  root: string;
  /** Input folder of a stage reading tables (default `<root>/ingest`). */
  input?: string;
}

/**
 * Parse `[--params FILE] [--schema FILE] [--out ROOT] [--in DIR]` (also
 * `--params=FILE`); anything else is a `ConfigError` naming the stage's usage.
 * `--out` moves every output under another artifacts root (a second pipeline
 * such as `artifacts/url`), `--in` the folder of the train/test CSVs read.
 *
 * @example
 * ```ts
 * import { parseStageArgs } from "./_common.ts";
 * parseStageArgs(["--params", "p.yaml"], "ingest"); // { params: "p.yaml", schema: "schema.yaml" }
 * ```
 */
export function parseStageArgs(args: string[], stage: string): StageArgs {
  const out: StageArgs = { params: "params.yaml", schema: "schema.yaml", root: "artifacts" };
  const usage = `usage: deno run --allow-read --allow-write stages/${stage}.ts ` +
    "[--params params.yaml] [--schema schema.yaml] [--out artifacts] [--in artifacts/ingest]";
  const keys = { "--params": "params", "--schema": "schema", "--out": "root", "--in": "input" };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (!(flag in keys)) {
      throw new ConfigError(`unknown argument '${args[i]}'`, { stage, hint: usage });
    }
    const value = inline ?? args[++i];
    if (!value) throw new ConfigError(`${flag} needs a path`, { stage, hint: usage });
    out[keys[flag as keyof typeof keys] as keyof StageArgs] = value.replace(/\/+$/, "");
  }
  return out;
}

/** The parsed configuration of a data stage. */
export interface StageConfig {
  /** The params file. */
  params: YamlFile;
  /** The validated schema. */
  schema: Schema;
  /** Artifacts root (`--out`; `artifacts` when absent). */
  root?: string;
  /** Folder of the train/test CSVs read (`--in`; `<root>/ingest` when absent). */
  input?: string;
}

/**
 * Read params.yaml and schema.yaml named by the stage's arguments.
 *
 * @example
 * ```ts ignore
 * import { loadStageConfig } from "./_common.ts";
 * const { params, schema } = await loadStageConfig(args, "ingest");
 * ```
 */
export async function loadStageConfig(args: string[], stage: string): Promise<StageConfig> {
  const paths = parseStageArgs(args, stage);
  return {
    params: await readYaml(paths.params),
    schema: await readSchema(paths.schema),
    root: paths.root,
    input: paths.input ?? `${paths.root}/ingest`,
  };
}

/**
 * Write text atomically (temp file + rename), creating the directory.
 *
 * @example
 * ```ts ignore
 * import { writeTextAtomic } from "./_common.ts";
 * await writeTextAtomic("artifacts/validate/report.json", "{}\n");
 * ```
 */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/**
 * Seconds since `start` (a `performance.now()` value), rounded to ms.
 *
 * @example
 * ```ts
 * import { secondsSince } from "./_common.ts";
 * secondsSince(performance.now()) >= 0; // true
 * ```
 */
export function secondsSince(start: number): number {
  return Math.round(performance.now() - start) / 1000;
}
