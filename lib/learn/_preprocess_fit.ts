/**
 * Fitting the preprocessing on train. Private: import `preprocess.ts`.
 *
 * @module
 */
import {
  compilePreprocess,
  type FeatureEncoding,
  MAX_CODE_CATEGORIES,
  outputNames,
  type Preprocessor,
  type TransformOptions,
  UNSEEN,
} from "./_preprocess_spec.ts";
import { fitReference } from "./_preprocess_reference.ts";
import { sortFloat64 } from "./_radix64.ts";
import { type Cell, type Schema, schemaToData } from "../data/schema.ts";
import type { Table } from "../data/table.ts";

function mostFrequent(keys: string[], order: (a: string, b: string) => number): string | undefined {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | undefined, bestN = -1;
  for (const k of [...counts.keys()].sort(order)) {
    if (counts.get(k)! > bestN) [best, bestN] = [k, counts.get(k)!];
  }
  return best;
}

const numericOrder = (a: string, b: string) => Number(a) - Number(b);

/** The {@linkcode MAX_CODE_CATEGORIES} most frequent keys (ties: `order`), sorted by `order`. */
function mostFrequentCategories(
  keys: string[],
  order: (a: string, b: string) => number,
): string[] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.keys()]
    .sort((a, b) => counts.get(b)! - counts.get(a)! || order(a, b))
    .slice(0, MAX_CODE_CATEGORIES)
    .sort(order);
}

/** A categorical column with more categories than transform keeps. */
export interface CappedColumn {
  /** Column name. */
  column: string;
  /** Distinct categories in the train rows. */
  categories: number;
  /** Train rows whose category was not kept (encoded as unseen). */
  rowsUnseen: number;
}

/**
 * The columns `pre` (fitted on `table`) capped at {@linkcode MAX_CODE_CATEGORIES}
 * categories, read from its encodings, for the transform stage's log.
 *
 * @example
 * ```ts ignore
 * const pre = fitPreprocess(train, schema, options);
 * for (const c of cappedColumns(pre, train)) log.warn("too many categories", { ...c });
 * ```
 */
export function cappedColumns(pre: Preprocessor, table: Table): CappedColumn[] {
  const out: CappedColumn[] = [];
  for (const f of pre.spec.features) {
    if (f.kind === "numeric" || f.categories.length < MAX_CODE_CATEGORIES) continue;
    const c = table.columns.findIndex((col) => col.name === f.column);
    const keys = table.cells[c].filter((v) => v !== null).map(String);
    const categories = new Set(keys).size;
    if (categories <= f.categories.length) continue;
    const kept = new Set(f.categories);
    out.push({
      column: f.column,
      categories,
      rowsUnseen: keys.reduce((n, k) => n + (kept.has(k) ? 0 : 1), 0),
    });
  }
  return out;
}

/** Left to right from 0, as `reduce((a, b) => a + b, 0)` adds. */
function sumOf(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i];
  return sum;
}

/** The non-null cells of a number column, in row order. */
function presentNumbers(cells: readonly Cell[]): Float64Array {
  let n = 0;
  for (let r = 0; r < cells.length; r++) if (cells[r] !== null) n++;
  const out = new Float64Array(n);
  for (let r = 0, k = 0; r < cells.length; r++) {
    if (cells[r] !== null) out[k++] = cells[r] as number;
  }
  return out;
}
const textOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Fit the preprocessing on a (train) table, with its reference profile for
 * drift tests (`_preprocess_reference.ts`).
 *
 * @example
 * ```ts ignore
 * import { fitPreprocess, DEFAULT_TRANSFORM } from "./preprocess.ts";
 * const pre = fitPreprocess(trainTable, schema, DEFAULT_TRANSFORM);
 * pre.columns; // ["duration", "protocol_type=icmp", …]
 * ```
 */
export function fitPreprocess(
  table: Table,
  schema: Schema,
  options: TransformOptions,
): Preprocessor {
  const sorted = new Map<string, Float64Array>(); // for the reference profile: sorted once
  const features: FeatureEncoding[] = schema.features.map((name) => {
    const c = table.columns.findIndex((col) => col.name === name);
    const col = table.columns[c];
    // A number column is never one-hot: its present values go straight to a Float64Array.
    const numbers = col.type === "number" ? presentNumbers(table.cells[c]) : undefined;
    const present = numbers
      ? []
      : table.cells[c].filter((v): v is Exclude<Cell, null> => v !== null);
    const oneHot = col.type === "categorical" ||
      (col.type === "integer" && options.oneHotIntegers &&
        (col.values?.length ?? new Set(present).size) <= options.oneHotMaxValues);
    if (oneHot) {
      const order = col.type === "integer" ? numericOrder : textOrder;
      const keys = present.map(String);
      let categories = [...new Set(keys)].sort(order);
      // Thousands of categories (host names, user agents) would be thousands of one-hot
      // columns: keep the most frequent; the rarer ones encode as unseen, as at predict time.
      if (col.type === "categorical" && categories.length > MAX_CODE_CATEGORIES) {
        categories = mostFrequentCategories(keys, order);
      }
      // Native: a categorical column is one feature of category codes (bins are bytes).
      const code = col.type === "categorical" && options.categorical !== "one_hot";
      return {
        kind: code ? "code" : "one_hot",
        column: name,
        impute: mostFrequent(keys, order) ?? UNSEEN,
        categories,
      };
    }
    const xs = numbers ??
      present.map((v) => (typeof v === "boolean" ? Number(v) : (v as number)));
    let impute = 0;
    if (xs.length > 0 && col.type === "boolean") {
      impute = Number(mostFrequent(Array.from(xs, String), numericOrder));
    } else if (xs.length > 0 && options.numericImpute === "mean") {
      impute = sumOf(xs) / xs.length;
    } else if (xs.length > 0) {
      const s = sortFloat64(Float64Array.from(xs));
      sorted.set(name, s);
      const m = s.length >> 1;
      impute = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
    let center = 0, scale = 1;
    if (options.scale === "standard") {
      const n = table.rows, missing = n - xs.length;
      center = (sumOf(xs) + missing * impute) / n;
      let ss = missing * (impute - center) ** 2;
      for (let i = 0; i < xs.length; i++) ss += (xs[i] - center) ** 2;
      const std = Math.sqrt(ss / n);
      scale = std > 1e-12 ? std : 1;
    }
    return { kind: "numeric", column: name, impute, center, scale };
  });
  return compilePreprocess({
    format: "preprocess/1",
    schema: schemaToData(schema),
    features,
    columns: features.flatMap(outputNames),
    fit: { rows: table.rows, options },
    reference: fitReference(table, schema, sorted),
  }, schema);
}
