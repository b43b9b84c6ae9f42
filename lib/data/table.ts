/**
 * An in-memory, column-major table of typed cells read from a
 * {@linkcode DataSource} through a {@linkcode Schema}: source-only columns are
 * dropped, every cell coerced to its column's type, every target label mapped
 * to its class. Problems either throw a `DataError` naming file, line, column
 * and value (ingest, transform) or are handed to a callback (validate).
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { Logger } from "../log.ts";
import {
  cellCoercer,
  domainCheck,
  explainRule,
  formatCell,
  INVALID,
  type Rule,
  showValue,
} from "./cells.ts";
import { writeCsvFile } from "./csv.ts";
import {
  type Cell,
  type ColumnSpec,
  columnSpec,
  describeTarget,
  type Schema,
  targetClassifier,
} from "./schema.ts";
import type { DataSource } from "./source.ts";

/** Typed data, one array of cells per kept schema column. */
export interface Table {
  /** Where the rows came from (for messages). */
  file: string;
  /** The schema's kept columns, in schema order. */
  columns: ColumnSpec[];
  /** Column-major cells: `cells[c][r]`. */
  cells: Cell[][];
  /** Source line (or ordinal) of each row. */
  lines: number[];
  /** Target class of each row: 1 threat, 0 benign, 255 unknown (only when problems are collected). */
  labels: Uint8Array;
  /** Number of rows. */
  rows: number;
}

/** One problem found while reading. */
export interface CellProblem {
  /** File it was found in. */
  file: string;
  /** Column name. */
  column: string;
  /** The broken rule. */
  rule: Rule;
  /** Line (of the header for column problems). */
  line: number;
  /** The raw value as text (`""` for missing). */
  value: string;
}

/** Options of {@linkcode readTable}. */
export interface ReadTableOptions {
  /** The schema the data must follow. */
  schema: Schema;
  /** Also check domains, ranges and nullability (types and target labels are always checked). */
  checkDomains?: boolean;
  /** Collect problems here instead of throwing at the first one. */
  onProblem?: (problem: CellProblem) => void;
  /** Progress logging (debug level). */
  log?: Logger;
}

/**
 * Format a problem as a message (file and line go in the error's `where`).
 *
 * @example
 * ```ts
 * import { problemMessage } from "./table.ts";
 * const col = { name: "x", type: "integer" as const, nullable: false };
 * problemMessage({ file: "a.csv", column: "x", rule: "type", line: 3, value: "abc" }, col);
 * // "column 'x': value 'abc' is not an integer"
 * ```
 */
export function problemMessage(
  p: CellProblem,
  col: ColumnSpec | undefined,
  target?: string,
): string {
  if (p.rule === "missing_column" || p.rule === "unexpected_column") {
    return `column '${p.column}' ${
      p.rule === "missing_column" ? "is missing" : "is not in the schema"
    }`;
  }
  const why = p.rule === "target" && target
    ? `is not a known target label (${target})`
    : explainRule(col, p.rule);
  return `column '${p.column}': value ${showValue(p.value)} ${why}`;
}

/**
 * Read every row of `source` into a {@linkcode Table}. Missing or unexpected
 * columns, values of the wrong type, unknown target labels (and with
 * `checkDomains`, out-of-domain or missing values) throw a `DataError` unless
 * `onProblem` collects them; a source without rows always throws.
 *
 * @example
 * ```ts ignore
 * import { readTable } from "./table.ts";
 * import { csvSource } from "./source.ts";
 * const table = await readTable(csvSource({ path: "artifacts/ingest/train.csv", header: true }), { schema });
 * ```
 */
export async function readTable(source: DataSource, options: ReadTableOptions): Promise<Table> {
  const { schema, onProblem } = options;
  const reader = await source.open();
  const file = source.location;
  const fail = (p: CellProblem) => {
    if (onProblem) return onProblem(p);
    const col = columnSpec(schema, p.column);
    throw new DataError(problemMessage(p, col, describeTarget(schema.target)), {
      file: p.file,
      line: p.line,
      field: p.column,
    });
  };
  const headerLine = reader.headerLine ?? 1;
  const known = new Set(schema.sourceColumns);
  const unexpected = reader.columns.filter((c) => !known.has(c));
  const missing = schema.columns.map((c) => c.name).filter((c) => !reader.columns.includes(c));
  if (!onProblem && (unexpected.length > 0 || missing.length > 0)) {
    const parts = [
      missing.length ? `missing column(s) ${missing.map((c) => `'${c}'`).join(", ")}` : "",
      unexpected.length ? `unexpected column(s) ${unexpected.map((c) => `'${c}'`).join(", ")}` : "",
    ].filter(Boolean);
    throw new DataError(`columns do not match ${schema.file}: ${parts.join("; ")}`, {
      file,
      line: headerLine,
      field: missing[0] ?? unexpected[0],
      hint: `expected columns: ${schema.sourceColumns.join(", ")}`,
    });
  }
  for (const c of missing) {
    fail({ file, column: c, rule: "missing_column", line: headerLine, value: "" });
  }
  for (const c of unexpected) {
    fail({ file, column: c, rule: "unexpected_column", line: headerLine, value: "" });
  }

  const columns = schema.columns;
  const sourceIndex = columns.map((c) => reader.columns.indexOf(c.name));
  const checks = columns.map((c) => (options.checkDomains ? domainCheck(c) : null));
  const coercers = columns.map((c) => cellCoercer(c.type));
  const targetIdx = columns.findIndex((c) => c.name === schema.target.column);
  const classify = targetClassifier(schema.target, columns[targetIdx]);
  const cells: Cell[][] = columns.map(() => []);
  const lines: number[] = [];
  let labels = new Uint8Array(1024);
  let rows = 0;
  for await (const batch of reader.batches) {
    const file = batch.file ?? source.location;
    for (let r = 0; r < batch.rows.length; r++) {
      const raw = batch.rows[r];
      const line = batch.lines[r];
      for (let c = 0; c < columns.length; c++) {
        const si = sourceIndex[c];
        if (si < 0) {
          cells[c].push(null);
          continue;
        }
        const col = columns[c];
        const v = coercers[c](raw[si]);
        if (v === INVALID) {
          fail({ file, column: col.name, rule: "type", line, value: String(raw[si]) });
          cells[c].push(null);
          continue;
        }
        const rule = checks[c]?.(v);
        if (rule && c !== targetIdx) {
          fail({ file, column: col.name, rule, line, value: formatCell(v) });
        }
        cells[c].push(v);
      }
      if (rows === labels.length) {
        const grown = new Uint8Array(rows * 2);
        grown.set(labels);
        labels = grown;
      }
      const v = cells[targetIdx][rows];
      const cls = sourceIndex[targetIdx] < 0 ? -1 : classify(v);
      if (cls < 0 && sourceIndex[targetIdx] >= 0) {
        fail({ file, column: schema.target.column, rule: "target", line, value: formatCell(v) });
      }
      labels[rows] = cls < 0 ? 255 : cls;
      lines.push(line);
      rows++;
    }
    options.log?.debug("read rows", { file, rows });
  }
  if (rows === 0) throw new DataError("no data rows", { file });
  return { file, columns, cells, lines, labels: labels.slice(0, rows), rows };
}

/**
 * Index of a column in a table, or -1.
 *
 * @example
 * ```ts ignore
 * import { columnIndex } from "./table.ts";
 * const t = columnIndex(table, "result");
 * ```
 */
export function columnIndex(table: Table, name: string): number {
  return table.columns.findIndex((c) => c.name === name);
}

/**
 * The rows of a table (or of the listed row indices) as CSV text fields.
 *
 * @example
 * ```ts ignore
 * import { tableRows } from "./table.ts";
 * for (const fields of tableRows(table, [0, 5])) console.log(fields.join(","));
 * ```
 */
export function* tableRows(table: Table, rows?: ArrayLike<number>): Generator<string[]> {
  const n = rows ? rows.length : table.rows;
  const width = table.columns.length;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    const out = new Array<string>(width);
    for (let c = 0; c < width; c++) out[c] = formatCell(table.cells[c][r]);
    yield out;
  }
}

/**
 * Write a table (or the listed rows, in the given order) as CSV with a header.
 *
 * @example
 * ```ts ignore
 * import { writeTableCsv } from "./table.ts";
 * await writeTableCsv("artifacts/ingest/train.csv", table, split.train);
 * ```
 */
export async function writeTableCsv(
  path: string,
  table: Table,
  rows?: ArrayLike<number>,
): Promise<void> {
  await writeCsvFile(path, table.columns.map((c) => c.name), tableRows(table, rows));
}
