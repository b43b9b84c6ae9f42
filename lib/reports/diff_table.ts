/**
 * Metrics and params reports: flatten JSON metrics, diff two sets of values,
 * and render a plain table (`deno task metrics`, `deno task params diff`).
 *
 * @module
 */

/** A flat metric/param value. */
export type Scalar = string | number | boolean | null;

/**
 * Flatten nested JSON into dotted keys; arrays and objects nest, scalars are
 * kept as they are.
 *
 * @example
 * ```ts
 * import { flatten } from "./diff_table.ts";
 * flatten({ a: { b: 1 }, c: [2] }); // { "a.b": 1, "c.0": 2 }
 * ```
 */
export function flatten(value: unknown, prefix = ""): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  const walk = (v: unknown, key: string) => {
    if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        walk(child, key ? `${key}.${k}` : k);
      }
    } else {
      out[key] = (v === undefined ? null : v) as Scalar;
    }
  };
  walk(value, prefix);
  return out;
}

/** One row of a diff. */
export interface DiffRow {
  /** File the value lives in. */
  file: string;
  /** Dotted key. */
  key: string;
  /** Value at the old revision (undefined: absent). */
  old?: Scalar;
  /** Value now (undefined: absent). */
  new?: Scalar;
  /** `new - old` when both are numbers. */
  change?: number;
}

/**
 * Diff two `file -> key -> value` maps. Unchanged keys are left out unless
 * `all` is set. Rows are sorted by file then key.
 *
 * @example
 * ```ts
 * import { diffValues } from "./diff_table.ts";
 * diffValues({ "m.json": { acc: 0.9 } }, { "m.json": { acc: 0.95 } });
 * // [{ file: "m.json", key: "acc", old: 0.9, new: 0.95, change: 0.05 }] (rounded)
 * ```
 */
export function diffValues(
  before: Record<string, Record<string, Scalar>>,
  after: Record<string, Record<string, Scalar>>,
  options: { all?: boolean } = {},
): DiffRow[] {
  const rows: DiffRow[] = [];
  const files = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const file of files) {
    const b = before[file] ?? {}, a = after[file] ?? {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    for (const key of keys) {
      const old = key in b ? b[key] : undefined;
      const now = key in a ? a[key] : undefined;
      if (!options.all && JSON.stringify(old) === JSON.stringify(now)) continue;
      const row: DiffRow = { file, key, old, new: now };
      if (typeof old === "number" && typeof now === "number") {
        row.change = Number((now - old).toPrecision(12));
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Render rows as an aligned plain-text table.
 *
 * @example
 * ```ts
 * import { formatTable } from "./diff_table.ts";
 * formatTable(["key", "value"], [["acc", "0.97"]]);
 * // "key  value\nacc  0.97"
 * ```
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/**
 * Show a value in a table cell (`-` for absent, numbers rounded to 6 digits).
 *
 * @example
 * ```ts
 * import { cell } from "./diff_table.ts";
 * cell(0.123456789); // "0.123457"
 * ```
 */
export function cell(v: Scalar | undefined): string {
  if (v === undefined) return "-";
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}
