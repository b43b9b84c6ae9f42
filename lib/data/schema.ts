/**
 * The data schema (`schema.yaml`) parsed once into a typed, validated
 * {@linkcode Schema}: every column with its type and domain, the target and
 * which of its labels are threats, an optional id column and source-only
 * columns. A bad schema throws a `ConfigError` naming file, line and key.
 *
 * The same shape is embedded in `preprocess.json` ({@linkcode schemaToData})
 * so scorers can validate records without the original files.
 *
 * @module
 */
import { openSection, type Section } from "../section.ts";
import { readYaml, type YamlFile } from "../yaml.ts";

/** Column types; `string` in schema.yaml is an alias of `categorical`. */
export type ColumnType = "integer" | "number" | "categorical" | "boolean";

/** A present value of a cell. */
export type Value = number | string | boolean;

/** A cell: a typed value, or null when missing. */
export type Cell = Value | null;

/** One column of the data. */
export interface ColumnSpec {
  /** Column name (unique). */
  name: string;
  /** Value type. */
  type: ColumnType;
  /** Allowed values (integer/number/categorical), if restricted. */
  values?: Value[];
  /** Smallest allowed value (integer/number), inclusive. */
  min?: number;
  /** Largest allowed value (integer/number), inclusive. */
  max?: number;
  /** Whether a value may be missing. */
  nullable: boolean;
}

/** The label column and which labels are threats (class 1). */
export interface TargetSpec {
  /** Name of the label column. */
  column: string;
  /** Labels meaning threat; absent = every label not in `negative`. */
  positive?: Value[];
  /** Labels meaning benign; absent = the column's `values` minus `positive`. */
  negative?: Value[];
  /**
   * `multiclass`: also predict the label's class (params.yaml `train.multiclass.classes`
   * maps labels to classes; lib/learn/multiclass.ts). Absent: binary only.
   */
  mode?: "multiclass";
}

/** A validated schema. */
export interface Schema {
  /** File it came from (for messages). */
  file: string;
  /** Kept columns (features, target, id) in source order. */
  columns: ColumnSpec[];
  /** Every source column in order, including dropped ones (the header of header-less files). */
  sourceColumns: string[];
  /** Source-only columns, read then dropped at ingest. */
  drop: string[];
  /** The target. */
  target: TargetSpec;
  /** Row id column, if any (kept, never a feature). */
  id?: string;
  /** Feature columns: `columns` minus target and id, in order. */
  features: string[];
}

const TYPES = ["integer", "number", "categorical", "string", "boolean"] as const;

/**
 * Parse the schema at `path` of a YAML file (the whole file by default).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { parseSchema } from "./schema.ts";
 * const y = parseYaml(
 *   "columns:\n  - {name: x, type: number}\n  - {name: y, type: integer, values: [0, 1]}\n" +
 *     "target: {column: y, positive: [1]}\n",
 *   "schema.yaml",
 * );
 * parseSchema(y).features; // ["x"]
 * ```
 */
export function parseSchema(y: YamlFile, path: (string | number)[] = []): Schema {
  const top = openSection(y, path);
  if (top.has("version")) top.number("version", { integer: true, min: 1, max: 1 });
  if (top.has("name")) top.string("name");
  if (top.has("description")) top.string("description");
  const rawColumns = top.raw("columns");
  if (!Array.isArray(rawColumns) || rawColumns.length === 0) {
    throw top.error("columns", "'columns' must be a non-empty list of column mappings");
  }
  const columns: ColumnSpec[] = [];
  const sourceColumns: string[] = [];
  const drop: string[] = [];
  const seen = new Set<string>();
  rawColumns.forEach((_, i) => {
    const s = openSection(y, [...path, "columns", i]);
    const name = s.string("name");
    if (name === "") throw s.error("name", "column name must not be empty");
    if (seen.has(name)) throw s.error("name", `duplicate column '${name}'`);
    seen.add(name);
    sourceColumns.push(name);
    const dropped = s.boolean("drop", { default: false });
    if (dropped) {
      // A source-only column needs no type; accept one for documentation.
      if (s.has("type")) s.string("type", { oneOf: TYPES });
      s.done();
      drop.push(name);
      return;
    }
    columns.push(parseColumn(s, name));
    s.done();
  });
  const target = parseTarget(top, columns);
  let id: string | undefined;
  const rawId = top.raw("id");
  if (rawId !== undefined && rawId !== null) {
    id = top.string("id");
    const col = columns.find((c) => c.name === id);
    if (!col) throw top.error("id", `id column '${id}' is not a kept column of 'columns'`);
    if (id === target.column) throw top.error("id", "the id column cannot be the target");
    if (col.nullable) throw top.error("id", `id column '${id}' cannot be nullable`);
  }
  top.done();
  const features = columns.map((c) => c.name).filter((n) => n !== target.column && n !== id);
  if (features.length === 0) throw top.error("columns", "the schema has no feature columns");
  return { file: y.file, columns, sourceColumns, drop, target, id, features };
}

function parseColumn(s: Section, name: string): ColumnSpec {
  const declared = s.string("type", { oneOf: TYPES });
  const type: ColumnType = declared === "string" ? "categorical" : declared;
  const col: ColumnSpec = { name, type, nullable: s.boolean("nullable", { default: false }) };
  if (s.has("values")) {
    if (type === "boolean") throw s.error("values", "'values' does not apply to a boolean column");
    col.values = parseValues(s, "values", type, name);
  }
  for (const key of ["min", "max"] as const) {
    if (!s.has(key)) continue;
    if (type !== "integer" && type !== "number") {
      throw s.error(key, `'${key}' applies only to integer and number columns`);
    }
    col[key] = s.number(key, { integer: type === "integer" });
  }
  if (col.min !== undefined && col.max !== undefined && col.min > col.max) {
    throw s.error("min", `column '${name}': min ${col.min} is greater than max ${col.max}`);
  }
  return col;
}

function parseValues(s: Section, key: string, type: ColumnType, column: string): Value[] {
  const raw = s.raw(key);
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw s.error(key, `'${key}' must not be empty`);
  const out: Value[] = [];
  const seen = new Set<Value>();
  for (const [i, v] of list.entries()) {
    const value = typedSchemaValue(type, v);
    if (value === undefined) {
      throw s.error(
        key,
        `'${key}[${i}]' of column '${column}' must be ${article(type)}, got ${JSON.stringify(v)}`,
      );
    }
    if (seen.has(value)) throw s.error(key, `'${key}' lists ${JSON.stringify(value)} twice`);
    seen.add(value);
    out.push(value);
  }
  return out;
}

function article(type: ColumnType): string {
  return type === "integer" ? "an integer" : type === "categorical" ? "a string" : `a ${type}`;
}

/** Convert a YAML scalar to a value of `type`, or undefined when it cannot be one. */
function typedSchemaValue(type: ColumnType, v: unknown): Value | undefined {
  switch (type) {
    case "integer":
      return typeof v === "number" && Number.isInteger(v) ? v : undefined;
    case "number":
      return typeof v === "number" && Number.isFinite(v) ? v : undefined;
    case "boolean":
      return typeof v === "boolean" ? v : undefined;
    case "categorical":
      // YAML reads `values: [1, 2]` as numbers; a categorical column means their text.
      return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
  }
}

function parseTarget(top: Section, columns: ColumnSpec[]): TargetSpec {
  const t = top.section("target");
  const column = t.string("column");
  const col = columns.find((c) => c.name === column);
  if (!col) throw t.error("column", `target column '${column}' is not a kept column of 'columns'`);
  if (col.nullable) throw t.error("column", `target column '${column}' cannot be nullable`);
  const target: TargetSpec = { column };
  if (t.has("mode")) {
    const mode = t.string("mode", { oneOf: ["binary", "multiclass"] as const });
    if (mode === "multiclass") target.mode = mode;
  }
  for (const key of ["positive", "negative"] as const) {
    if (!t.has(key)) continue;
    target[key] = parseValues(t, key, col.type, column);
    const outside = col.values && target[key]!.find((v) => !col.values!.includes(v));
    if (col.values && outside !== undefined) {
      throw t.error(key, `label ${JSON.stringify(outside)} is not among column '${column}' values`);
    }
  }
  const { positive, negative } = target;
  if (!positive && !negative) {
    throw t.error(undefined, "target needs 'positive' (threat labels), 'negative' or both");
  }
  // A boolean target's other label is known (0/1, true/false targets); other types list theirs.
  if (positive && !negative && !col.values && col.type !== "boolean") {
    throw t.error(
      "positive",
      `with only 'positive', column '${column}' needs 'values' (the others are benign)`,
    );
  }
  const both = positive?.find((v) => negative?.includes(v));
  if (both !== undefined) {
    throw t.error("negative", `label ${JSON.stringify(both)} is both positive and negative`);
  }
  t.done();
  return target;
}

/**
 * Read and parse a schema file; a missing or invalid file throws a `ConfigError`.
 *
 * @example
 * ```ts ignore
 * import { readSchema } from "./schema.ts";
 * const schema = await readSchema("schema.yaml");
 * ```
 */
export async function readSchema(path: string): Promise<Schema> {
  return parseSchema(await readYaml(path));
}

/**
 * The schema as plain data in schema.yaml's shape (kept columns only), to
 * embed in artifacts; {@linkcode parseSchema} reads it back.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { parseSchema, schemaToData } from "./schema.ts";
 * const s = parseSchema(parseYaml("columns: [{name: a, type: number}, {name: t, type: boolean}]\ntarget: {column: t, positive: [true], negative: [false]}\n", "s.yaml"));
 * const again = parseSchema(parseYaml(JSON.stringify(schemaToData(s)), "copy.json"));
 * again.features; // ["a"]
 * ```
 */
export function schemaToData(schema: Schema): Record<string, unknown> {
  return {
    version: 1,
    columns: schema.columns.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.values ? { values: c.values } : {}),
      ...(c.min !== undefined ? { min: c.min } : {}),
      ...(c.max !== undefined ? { max: c.max } : {}),
      nullable: c.nullable,
    })),
    target: schema.target,
    ...(schema.id ? { id: schema.id } : {}),
  };
}

/** Class of a label: 1 = threat, 0 = benign, -1 = unknown label (or missing). */
export type LabelClass = 1 | 0 | -1;

/**
 * A function mapping a target value to its class (1 threat, 0 benign, -1 unknown).
 *
 * @example
 * ```ts
 * import { targetClassifier } from "./schema.ts";
 * const classify = targetClassifier({ column: "label", negative: ["normal"] }, undefined);
 * [classify("normal"), classify("neptune"), classify(null)]; // [0, 1, -1]
 * ```
 */
export function targetClassifier(
  target: TargetSpec,
  column: ColumnSpec | undefined,
): (v: Cell) => LabelClass {
  const pos = target.positive ? new Set<Value>(target.positive) : undefined;
  const neg = target.negative ? new Set<Value>(target.negative) : undefined;
  const known = column?.values ? new Set<Value>(column.values) : undefined;
  return (v) => {
    if (v === null) return -1;
    if (pos?.has(v)) return 1;
    if (neg?.has(v)) return 0;
    if (pos && neg) return -1;
    if (known && !known.has(v)) return -1;
    return pos ? 0 : 1;
  };
}

/**
 * Describe the target mapping for messages, e.g. `threat: -1; benign: 1`.
 *
 * @example
 * ```ts
 * import { describeTarget } from "./schema.ts";
 * describeTarget({ column: "label", negative: ["normal"] }); // "benign: normal; every other label is a threat"
 * ```
 */
export function describeTarget(target: TargetSpec): string {
  const list = (vs: Value[]) => vs.map(String).join(", ");
  if (target.positive && target.negative) {
    return `threat: ${list(target.positive)}; benign: ${list(target.negative)}`;
  }
  if (target.positive) {
    return `threat: ${list(target.positive)}; benign: the column's other values`;
  }
  return `benign: ${list(target.negative!)}; every other label is a threat`;
}

/**
 * The spec of a kept column by name, or undefined.
 *
 * @example
 * ```ts ignore
 * import { columnSpec } from "./schema.ts";
 * columnSpec(schema, schema.target.column)!.type;
 * ```
 */
export function columnSpec(schema: Schema, name: string): ColumnSpec | undefined {
  return schema.columns.find((c) => c.name === name);
}
