/**
 * The `input` object of `preprocess.json`: how the raw files the model was
 * trained from look, so scorers accept the same files as ingest did: the
 * header mode and source column order (header-less files), the delimiter,
 * the missing-value tokens, and the source-only (`drop`) and target columns,
 * which a record may carry and which are ignored.
 *
 * Only how raw records are read lives here; how values are encoded into the
 * matrix is `_preprocess_spec.ts`.
 *
 * @module
 */
import { openSection, type Section } from "../section.ts";
import type { YamlFile } from "../yaml.ts";
import type { Schema } from "../data/schema.ts";

/** How raw input records look (`preprocess.json`'s `input`). */
export interface InputSpec {
  /** Whether files have a header row; without one, fields follow `columns`. */
  header: boolean;
  /** Every source column in file order (including dropped ones). */
  columns: string[];
  /** Field separator. */
  delimiter: string;
  /** Tokens meaning missing besides the empty field (e.g. `?`, `NaN`). */
  na_values: string[];
  /** Source-only columns: accepted in input and ignored. */
  drop: string[];
  /** The label column: accepted in input and ignored. */
  target: string;
}

/** params.yaml's `ingest` keys that describe raw files. */
export interface RawFormat {
  /** `ingest.header` (default true). */
  header: boolean;
  /** `ingest.delimiter` (default `,`). */
  delimiter: string;
  /** `ingest.na_values` (default none). */
  naValues: string[];
}

/**
 * Read `ingest.header`, `ingest.delimiter` and `ingest.na_values` (defaults
 * when absent; other ingest keys are ingest's business).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { readRawFormat } from "./_preprocess_input.ts";
 * readRawFormat(parseYaml("ingest:\n  na_values: ['?']\n", "params.yaml")).naValues; // ["?"]
 * ```
 */
export function readRawFormat(params: YamlFile): RawFormat {
  const top = params.value as Record<string, unknown> | null;
  if (top?.ingest === undefined) return { header: true, delimiter: ",", naValues: [] };
  const s = openSection(params, ["ingest"]);
  return {
    header: s.boolean("header", { default: true }),
    delimiter: s.string("delimiter", { default: "," }),
    naValues: s.strings("na_values", { defaultList: [] }),
  };
}

/**
 * The input spec for a schema read with `format`.
 *
 * @example
 * ```ts ignore
 * import { inputSpec } from "./_preprocess_input.ts";
 * inputSpec(schema, { header: false, delimiter: ",", naValues: ["?"] }).drop; // ["difficulty"]
 * ```
 */
export function inputSpec(schema: Schema, format: RawFormat): InputSpec {
  return {
    header: format.header,
    columns: [...schema.sourceColumns],
    delimiter: format.delimiter,
    na_values: [...format.naValues],
    drop: [...schema.drop],
    target: schema.target.column,
  };
}

/**
 * Parse and check the `input` section of `preprocess.json`.
 *
 * @example
 * ```ts ignore
 * const input = parseInputSpec(openSection(y, ["input"]));
 * ```
 */
export function parseInputSpec(s: Section): InputSpec {
  const spec: InputSpec = {
    header: s.boolean("header"),
    columns: s.strings("columns"),
    delimiter: s.string("delimiter"),
    na_values: s.strings("na_values"),
    drop: s.strings("drop"),
    target: s.string("target"),
  };
  if (spec.delimiter.length !== 1) throw s.error("delimiter", "'delimiter' must be one character");
  s.done();
  return spec;
}

/**
 * Wrap a cell coercer so the input's missing-value tokens read as missing.
 *
 * @example
 * ```ts
 * import { withMissingTokens } from "./_preprocess_input.ts";
 * const coerce = withMissingTokens((raw: unknown) => raw, ["?"]);
 * [coerce("?"), coerce(" ? "), coerce("x")]; // [null, null, "x"]
 * ```
 */
export function withMissingTokens<T>(
  coerce: (raw: unknown) => T,
  tokens: readonly string[] | undefined,
): (raw: unknown) => T | null {
  const na = new Set((tokens ?? []).map((t) => t.trim()).filter((t) => t !== ""));
  if (na.size === 0) return coerce;
  return (raw) => (typeof raw === "string" && na.has(raw.trim()) ? null : coerce(raw));
}
