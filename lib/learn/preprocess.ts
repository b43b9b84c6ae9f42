/**
 * Preprocessing fitted on train and applied everywhere: missing values
 * imputed (median or mean for numbers, most frequent for booleans and
 * categories), numeric columns standard-scaled, categorical columns (and, on
 * request, low-cardinality integer columns) one-hot encoded with an explicit
 * `__unseen__` bucket, or (`categorical: native`, the default) a categorical
 * column of at most 255 categories encoded as one column of category codes
 * (kind `code`: its index in the sorted categories, missing the most frequent
 * one's, unseen K), which gbdt splits natively and `expand_codes.ts` turns
 * into the one-hot columns for the other families. The fit is a small JSON document that embeds the
 * schema's columns and target, so scorers validate records without the
 * original files, and a reference profile of train's values per feature
 * (`reference`: counts, or order statistics of numeric columns) so scorers
 * can test drift against train.
 *
 * Row-level API for scorers: {@linkcode readPreprocess} /
 * {@linkcode loadPreprocess}, then {@linkcode transformRecord},
 * {@linkcode transformRecords}, {@linkcode rowEncoder} /
 * {@linkcode transformRows} and {@linkcode targetClass}. The transform stage
 * uses {@linkcode fitPreprocess} and {@linkcode encodeTable}.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { coerceCell, explainRule, INVALID, type Rule, showValue } from "../data/cells.ts";
import type { Matrix } from "./matrix.ts";
import { type ColumnSpec, columnSpec } from "../data/schema.ts";
import type { Table } from "../data/table.ts";
import { outputNames, type Preprocessor } from "./_preprocess_spec.ts";

export {
  compilePreprocess,
  DEFAULT_TRANSFORM,
  type FeatureEncoder,
  type FeatureEncoding,
  loadPreprocess,
  MAX_CODE_CATEGORIES,
  outputNames,
  type Preprocessor,
  type PreprocessSpec,
  preprocessToJson,
  readPreprocess,
  type TransformOptions,
  UNSEEN,
} from "./_preprocess_spec.ts";
export { type CappedColumn, cappedColumns, fitPreprocess } from "./_preprocess_fit.ts";
export { type InputSpec, inputSpec, readRawFormat } from "./_preprocess_input.ts";
export {
  type ColumnReference,
  DEFAULT_DRIFT_THRESHOLDS,
  referenceCells,
  type ReferenceProfile,
} from "./_preprocess_reference.ts";

function encodeError(
  col: ColumnSpec,
  rule: Rule,
  raw: unknown,
  at: { prefix?: string; file?: string; line?: number } = {},
): DataError {
  const what = rule === "missing"
    ? "is missing and the column is not nullable"
    : `${showValue(raw)} ${explainRule(col, rule)}`;
  return new DataError(`${at.prefix ?? ""}field '${col.name}' ${what}`, {
    file: at.file,
    line: at.line,
    field: col.name,
  });
}

/**
 * Encode a whole table (as read by `readTable`) into a {@linkcode Matrix}
 * with labels 1 = threat. Errors name the table's file, line and column.
 *
 * @example
 * ```ts ignore
 * import { encodeTable } from "./preprocess.ts";
 * await writeMatrix("artifacts/transform/train.mat", encodeTable(pre, trainTable));
 * ```
 */
export function encodeTable(pre: Preprocessor, table: Table): Matrix {
  const { width } = pre;
  const data = new Float32Array(table.rows * width);
  for (const e of pre.encoders) {
    const cells = table.cells[table.columns.findIndex((c) => c.name === e.column.name)];
    for (let r = 0; r < table.rows; r++) {
      const rule = e.encode(cells[r], data, r * width);
      if (rule) {
        throw encodeError(e.column, rule, cells[r], { file: table.file, line: table.lines[r] });
      }
    }
  }
  const unknown = table.labels.indexOf(255);
  if (unknown >= 0) {
    throw new DataError("unknown target label", { file: table.file, line: table.lines[unknown] });
  }
  return {
    rows: table.rows,
    cols: width,
    columns: pre.columns,
    data,
    labels: table.labels.slice(),
    ...codeColumns(pre),
  };
}

/**
 * A matrix's `categorical` and `categories` for the `code` features of a
 * preprocessing (K categories: codes 0..K-1, K unseen); none without them.
 *
 * @example
 * ```ts ignore
 * import { codeColumns } from "./preprocess.ts";
 * codeColumns(pre).categorical; // [0, 3, 0, …] when feature 2 is a code of 3 categories
 * ```
 */
export function codeColumns(pre: Preprocessor): Pick<Matrix, "categorical" | "categories"> {
  const { features } = pre.spec;
  if (!features.some((f) => f.kind === "code")) return {};
  const categorical: number[] = [], categories: string[][] = [];
  for (const f of features) {
    const width = outputNames(f).length;
    for (let j = 0; j < width; j++) {
      categorical.push(f.kind === "code" ? f.categories.length : 0);
      categories.push(f.kind === "code" ? [...f.categories] : []);
    }
  }
  return { categorical, categories };
}

/** Options of the record transforms. */
export interface RecordOptions {
  /** Ignore fields the schema does not know (default: reject them). Id and target are always allowed. */
  allowUnknown?: boolean;
}

/**
 * Validate one record against the embedded schema and encode it. Values may
 * be text (`"1"`) or native (`1`, `true`); a missing key counts as missing.
 * Throws a `DataError` naming the field on a wrong type, an out-of-domain or
 * missing non-nullable value, or an unknown field.
 *
 * @example
 * ```ts ignore
 * import { readPreprocess, transformRecord } from "./preprocess.ts";
 * const pre = await readPreprocess("artifacts/transform/preprocess.json");
 * transformRecord(pre, { protocol_type: "tcp", duration: 0, … }).length === pre.width; // true
 * ```
 */
export function transformRecord(
  pre: Preprocessor,
  record: Record<string, unknown>,
  options: RecordOptions = {},
): Float32Array {
  const out = new Float32Array(pre.width);
  encodeRecord(pre, record, out, 0, options, "");
  return out;
}

function encodeRecord(
  pre: Preprocessor,
  record: Record<string, unknown>,
  out: Float32Array,
  base: number,
  options: RecordOptions,
  where: string,
): void {
  if (!options.allowUnknown) {
    for (const key of Object.keys(record)) {
      if (!pre.fields.has(key)) {
        throw new DataError(`${where}unknown field '${key}'`, { field: key });
      }
    }
  }
  for (const e of pre.encoders) {
    const raw = record[e.column.name];
    const rule = e.encode(raw, out, base);
    if (rule) throw encodeError(e.column, rule, raw, { prefix: where });
  }
}

/**
 * Encode many records into one row-major `Float32Array` (`records.length × width`).
 * Errors name the record's index.
 *
 * @example
 * ```ts ignore
 * import { transformRecords } from "./preprocess.ts";
 * const x = transformRecords(pre, [{ … }, { … }]); // x.length === 2 * pre.width
 * ```
 */
export function transformRecords(
  pre: Preprocessor,
  records: Record<string, unknown>[],
  options: RecordOptions = {},
): Float32Array {
  const out = new Float32Array(records.length * pre.width);
  records.forEach((r, i) => encodeRecord(pre, r, out, i * pre.width, options, `record ${i}: `));
  return out;
}

/** Encodes rows laid out by a fixed header (compiled once by {@linkcode rowEncoder}). */
export interface RowEncoder {
  /** Output features per row. */
  width: number;
  /** Encode `row` into `out` at `offset`; `line` and `file` only name errors. */
  encode(row: ArrayLike<unknown>, out: Float32Array, offset: number, line?: number): void;
}

/**
 * Compile an encoder for rows whose values follow `header` (e.g. a CSV
 * scorer's input): the fast path for batches. A feature missing from the
 * header (unless nullable) or an unknown header column throws at once.
 *
 * @example
 * ```ts ignore
 * import { rowEncoder } from "./preprocess.ts";
 * const enc = rowEncoder(pre, header, { file: "in.csv" });
 * const out = new Float32Array(rows.length * enc.width);
 * rows.forEach((row, i) => enc.encode(row, out, i * enc.width, lines[i]));
 * ```
 */
export function rowEncoder(
  pre: Preprocessor,
  header: string[],
  options: RecordOptions & { file?: string } = {},
): RowEncoder {
  const file = options.file;
  if (!options.allowUnknown) {
    const unknown = header.find((h) => !pre.fields.has(h));
    if (unknown !== undefined) {
      throw new DataError(`unknown column '${unknown}'`, { file, field: unknown });
    }
  }
  const idx = pre.encoders.map((e) => header.indexOf(e.column.name));
  pre.encoders.forEach((e, i) => {
    if (idx[i] < 0 && !e.column.nullable) {
      throw new DataError(`missing column '${e.column.name}'`, { file, field: e.column.name });
    }
  });
  const { encoders } = pre;
  return {
    width: pre.width,
    encode(row, out, offset, line) {
      for (let i = 0; i < encoders.length; i++) {
        const raw = idx[i] < 0 ? null : row[idx[i]];
        const rule = encoders[i].encode(raw, out, offset);
        if (rule) throw encodeError(encoders[i].column, rule, raw, { file, line });
      }
    },
  };
}

/**
 * Encode rows laid out by `header` into one row-major `Float32Array`.
 *
 * @example
 * ```ts ignore
 * import { transformRows } from "./preprocess.ts";
 * const x = transformRows(pre, batch.header, batch.rows, { lines: batch.lines, file: "in.csv" });
 * ```
 */
export function transformRows(
  pre: Preprocessor,
  header: string[],
  rows: ArrayLike<unknown>[],
  options: RecordOptions & { file?: string; lines?: number[] } = {},
): Float32Array {
  const enc = rowEncoder(pre, header, options);
  const out = new Float32Array(rows.length * enc.width);
  for (let i = 0; i < rows.length; i++) enc.encode(rows[i], out, i * enc.width, options.lines?.[i]);
  return out;
}

/**
 * Class of a target label: 1 threat, 0 benign; an unknown or missing label
 * throws a `DataError` naming the target column.
 *
 * @example
 * ```ts ignore
 * import { targetClass } from "./preprocess.ts";
 * targetClass(pre, "-1"); // 1 for the phishing schema
 * ```
 */
export function targetClass(pre: Preprocessor, raw: unknown): 0 | 1 {
  const col = columnSpec(pre.schema, pre.schema.target.column)!;
  const v = coerceCell(col.type, raw);
  const cls = v === INVALID ? -1 : pre.classify(v);
  if (cls === -1) {
    throw new DataError(`unknown target label ${showValue(raw)}`, { field: col.name });
  }
  return cls;
}
