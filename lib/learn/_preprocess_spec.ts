/**
 * The stored form of a fitted preprocessing (`preprocess.json`) and its
 * compiled, ready-to-use form. Private: import `preprocess.ts`.
 *
 * @module
 */
import { openSection } from "../section.ts";
import { parseYaml, yamlFromValue } from "../yaml.ts";
import { cellCoercer, domainCheck, INVALID, type Rule } from "../data/cells.ts";
import { parseReference, type ReferenceProfile } from "./_preprocess_reference.ts";
import { type InputSpec, parseInputSpec, withMissingTokens } from "./_preprocess_input.ts";
import {
  type Cell,
  type ColumnSpec,
  columnSpec,
  type LabelClass,
  parseSchema,
  type Schema,
  schemaToData,
  targetClassifier,
} from "../data/schema.ts";

/** Options of {@linkcode fitPreprocess} (params.yaml's `transform` section). */
export interface TransformOptions {
  /** How to fill missing numeric values. */
  numericImpute: "median" | "mean";
  /** `standard` (zero mean, unit variance on train) or `none`. */
  scale: "standard" | "none";
  /** One-hot encode integer columns with at most `oneHotMaxValues` values too. */
  oneHotIntegers: boolean;
  /** Cardinality limit for `oneHotIntegers` (declared `values`, else distinct train values). */
  oneHotMaxValues: number;
  /**
   * `native`: categorical columns become one feature of category codes (kind
   * `code`), which gbdt splits natively; `one_hot`: one column per category.
   * Either way at most {@linkcode MAX_CODE_CATEGORIES} categories, the most
   * frequent in train; the rest encode as unseen. Absent: `native`.
   */
  categorical?: "native" | "one_hot";
}

/**
 * The most categories a `code` feature may have: codes 0..K-1 plus the
 * unseen code K are tree bins, which are bytes. Transform keeps this many
 * categories of a column (the most frequent), in `one_hot` mode too.
 *
 * @example
 * ```ts
 * import { MAX_CODE_CATEGORIES } from "./_preprocess_spec.ts";
 * MAX_CODE_CATEGORIES; // 255
 * ```
 */
export const MAX_CODE_CATEGORIES = 255;

/**
 * The defaults of {@linkcode TransformOptions}.
 *
 * @example
 * ```ts
 * import { DEFAULT_TRANSFORM } from "./_preprocess_spec.ts";
 * const options = { ...DEFAULT_TRANSFORM, oneHotIntegers: true };
 * ```
 */
export const DEFAULT_TRANSFORM: TransformOptions = {
  numericImpute: "median",
  scale: "standard",
  oneHotIntegers: false,
  oneHotMaxValues: 10,
  categorical: "native",
};

/** How one input column becomes output features. */
export type FeatureEncoding =
  | { kind: "numeric"; column: string; impute: number; center: number; scale: number }
  | { kind: "one_hot"; column: string; impute: string; categories: string[] }
  /** One output column: the category's index in `categories`; unseen: `categories.length`. */
  | { kind: "code"; column: string; impute: string; categories: string[] };

/** The fitted preprocessing as stored in `preprocess.json`. */
export interface PreprocessSpec {
  /** Format tag. */
  format: "preprocess/1";
  /** The schema (kept columns, target, id) in schema.yaml's shape. */
  schema: Record<string, unknown>;
  /** One encoding per feature column, in schema order. */
  features: FeatureEncoding[];
  /** Output feature names, in matrix column order. */
  columns: string[];
  /** What the fit saw. */
  fit: { rows: number; options: TransformOptions };
  /** Train's value distribution per feature, for drift tests (absent in older files). */
  reference?: ReferenceProfile;
  /** How raw input files look (absent in older files: a header, `,`, no tokens). */
  input?: InputSpec;
}

/**
 * The name of the unseen-category bucket of one-hot columns.
 *
 * @example
 * ```ts
 * import { UNSEEN } from "./_preprocess_spec.ts";
 * `protocol_type=${UNSEEN}`; // the output column for protocols not seen in train
 * ```
 */
export const UNSEEN = "__unseen__";

/** Encodes one input column (internal to the compiled preprocessing). */
export interface FeatureEncoder {
  /** The input column. */
  column: ColumnSpec;
  /** Write the encoding at `out[base + offset ...]`; return the broken rule, if any. */
  encode(raw: unknown, out: Float32Array, base: number): Rule | null;
}

/** A loaded, ready-to-use preprocessing. */
export interface Preprocessor {
  /** The stored form (write it with {@linkcode preprocessToJson}). */
  readonly spec: PreprocessSpec;
  /** The embedded schema. */
  readonly schema: Schema;
  /** Output feature names. */
  readonly columns: string[];
  /** Number of output features. */
  readonly width: number;
  /** Input feature column names. */
  readonly inputs: string[];
  /** The compiled per-column encoders, in feature order. */
  readonly encoders: readonly FeatureEncoder[];
  /** Every column name a record may carry (features, target, id). */
  readonly fields: ReadonlySet<string>;
  /** Target label (typed) to class: 1 threat, 0 benign, -1 unknown. */
  readonly classify: (v: Cell) => LabelClass;
}

/**
 * Output feature names of one encoding (`col`, or `col=cat` … `col=__unseen__`).
 *
 * @example
 * ```ts
 * import { outputNames } from "./_preprocess_spec.ts";
 * outputNames({ kind: "one_hot", column: "p", impute: "tcp", categories: ["tcp"] }); // ["p=tcp", "p=__unseen__"]
 * outputNames({ kind: "code", column: "p", impute: "tcp", categories: ["tcp"] }); // ["p"]
 * ```
 */
export function outputNames(f: FeatureEncoding): string[] {
  return f.kind === "one_hot"
    ? [...f.categories.map((c) => `${f.column}=${c}`), `${f.column}=${UNSEEN}`]
    : [f.column];
}

/**
 * Compile a stored preprocessing against its (parsed) schema.
 *
 * @example
 * ```ts ignore
 * import { compilePreprocess } from "./_preprocess_spec.ts";
 * const pre = compilePreprocess(spec, schema);
 * ```
 */
export function compilePreprocess(spec: PreprocessSpec, schema: Schema): Preprocessor {
  let offset = 0;
  const encoders: FeatureEncoder[] = spec.features.map((f) => {
    const column = columnSpec(schema, f.column)!;
    const check = domainCheck(column);
    const coerce = withMissingTokens(cellCoercer(column.type), spec.input?.na_values);
    const at = offset;
    if (f.kind === "numeric") {
      offset += 1;
      const { impute, center, scale } = f;
      return {
        column,
        encode(raw, out, base) {
          const v = coerce(raw);
          if (v === INVALID) return "type";
          const rule = check(v);
          if (rule) return rule;
          const x = v === null ? impute : typeof v === "boolean" ? (v ? 1 : 0) : (v as number);
          out[base + at] = (x - center) / scale;
          return null;
        },
      };
    }
    const index = new Map(f.categories.map((c, i) => [c, i]));
    const width = f.categories.length + 1;
    const imputeIdx = index.get(f.impute) ?? f.categories.length;
    if (f.kind === "code") {
      offset += 1;
      return {
        column,
        encode(raw, out, base) {
          const v = coerce(raw);
          if (v === INVALID) return "type";
          const rule = check(v);
          if (rule) return rule;
          out[base + at] = v === null ? imputeIdx : index.get(String(v)) ?? width - 1;
          return null;
        },
      };
    }
    offset += width;
    return {
      column,
      encode(raw, out, base) {
        const v = coerce(raw);
        if (v === INVALID) return "type";
        const rule = check(v);
        if (rule) return rule;
        const idx = v === null ? imputeIdx : index.get(String(v)) ?? width - 1;
        out.fill(0, base + at, base + at + width);
        out[base + at + idx] = 1;
        return null;
      },
    };
  });
  return {
    spec,
    schema,
    columns: spec.columns,
    width: offset,
    inputs: spec.features.map((f) => f.column),
    encoders,
    fields: new Set(schema.columns.map((c) => c.name)),
    classify: targetClassifier(schema.target, columnSpec(schema, schema.target.column)),
  };
}

/**
 * Serialize for `preprocess.json`.
 *
 * @example
 * ```ts ignore
 * import { preprocessToJson } from "./preprocess.ts";
 * await Deno.writeTextFile("artifacts/transform/preprocess.json", preprocessToJson(pre));
 * ```
 */
export function preprocessToJson(pre: Preprocessor): string {
  return JSON.stringify(pre.spec, null, 2) + "\n";
}

/**
 * Load a fitted preprocessing from its JSON text (or parsed object),
 * validating it; a malformed document throws a `ConfigError` naming `file`,
 * line and key.
 *
 * @example
 * ```ts ignore
 * import { loadPreprocess, transformRecord } from "./preprocess.ts";
 * const pre = loadPreprocess(await Deno.readTextFile("artifacts/transform/preprocess.json"));
 * const x = transformRecord(pre, { url_length: 1, sfh: -1, … });
 * ```
 */
export function loadPreprocess(json: string | object, file = "<preprocess>"): Preprocessor {
  const text = typeof json === "string" ? json : JSON.stringify(json, null, 2);
  // JSON.parse is far quicker than the YAML parser (0.2 s on a 559-column file); the YAML parse
  // runs only when an error needs its line and column, or for text that is not JSON.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const y = value === undefined ? parseYaml(text, file) : yamlFromValue(text, file, value);
  const top = openSection(y, []);
  top.string("format", { oneOf: ["preprocess/1"] });
  top.raw("schema");
  const schema = parseSchema(y, ["schema"]);
  const raw = top.raw("features");
  if (!Array.isArray(raw)) throw top.error("features", "'features' must be a list");
  const features = raw.map((_, i): FeatureEncoding => {
    const s = openSection(y, ["features", i]);
    const kind = s.string("kind", { oneOf: ["numeric", "one_hot", "code"] as const });
    const column = s.string("column");
    if (schema.features[i] !== column) {
      throw s.error(
        "column",
        `expected feature '${schema.features[i] ?? "(none)"}' here, got '${column}'`,
      );
    }
    let f: FeatureEncoding;
    if (kind === "numeric") {
      f = {
        kind,
        column,
        impute: s.number("impute"),
        center: s.number("center"),
        scale: s.number("scale", { min: Number.MIN_VALUE }),
      };
    } else {
      const categories = s.strings("categories");
      if (kind === "code" && categories.length > MAX_CODE_CATEGORIES) {
        throw s.error(
          "categories",
          `a 'code' feature has at most ${MAX_CODE_CATEGORIES} categories, got ${categories.length}`,
        );
      }
      f = { kind, column, impute: s.string("impute"), categories };
    }
    s.done();
    return f;
  });
  if (features.length !== schema.features.length) {
    throw top.error(
      "features",
      `expected ${schema.features.length} features, got ${features.length}`,
    );
  }
  const columns = top.strings("columns");
  const expected = features.flatMap(outputNames);
  if (columns.join("\u0000") !== expected.join("\u0000")) {
    throw top.error("columns", "'columns' does not match the feature encodings");
  }
  const fit = top.section("fit");
  const rows = fit.number("rows", { integer: true, min: 0 });
  const options = fit.raw("options") as TransformOptions;
  const reference = top.has("reference")
    ? parseReference(top.section("reference"), schema.features, (p) => openSection(y, p))
    : undefined;
  const input = top.has("input") ? parseInputSpec(top.section("input")) : undefined;
  top.done();
  const spec: PreprocessSpec = {
    format: "preprocess/1",
    schema: schemaToData(schema),
    features,
    columns,
    fit: { rows, options },
    ...(reference ? { reference } : {}),
    ...(input ? { input } : {}),
  };
  return compilePreprocess(spec, schema);
}

/**
 * Read and load `preprocess.json`.
 *
 * @example
 * ```ts ignore
 * import { readPreprocess } from "./preprocess.ts";
 * const pre = await readPreprocess("artifacts/transform/preprocess.json");
 * ```
 */
export async function readPreprocess(path: string): Promise<Preprocessor> {
  return loadPreprocess(await Deno.readTextFile(path), path);
}
