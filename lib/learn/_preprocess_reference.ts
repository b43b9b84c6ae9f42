/**
 * The training reference profile stored in `preprocess.json` (key
 * `reference`), so drift against train can be tested wherever the model
 * goes, without the training data: per feature column, the count of each
 * value for discrete columns (chi-square and PSI on counts) and, for numeric
 * columns, up to {@linkcode REFERENCE_SAMPLE_SIZE} evenly spaced order
 * statistics of the present values (KS and decile PSI). The drift thresholds
 * default to the validate stage's (`validate.drift_p_value`,
 * `validate.drift_psi`). Private: import `preprocess.ts`.
 *
 * @module
 */
import type { Section } from "../section.ts";
import { isDiscrete } from "../data/drift.ts";
import { sortFloat64 } from "./_radix64.ts";
import type { Cell, Schema } from "../data/schema.ts";
import type { Table } from "../data/table.ts";

/**
 * Numeric columns keep at most this many order statistics: enough for a KS
 * test to see a distance of about 0.05 at p = 0.01.
 */
export const REFERENCE_SAMPLE_SIZE = 2000;

/**
 * Default drift thresholds, the same as params.yaml's `validate` defaults.
 *
 * @example
 * ```ts
 * import { DEFAULT_DRIFT_THRESHOLDS } from "./_preprocess_reference.ts";
 * DEFAULT_DRIFT_THRESHOLDS.p_value; // 0.01
 * ```
 */
export const DEFAULT_DRIFT_THRESHOLDS = Object.freeze({ p_value: 0.01, psi: 0.2 });

/** What train looked like in one feature column. */
export interface ColumnReference {
  /** Column name. */
  column: string;
  /** Train rows seen. */
  rows: number;
  /** How many of them were missing. */
  missing: number;
  /** Discrete columns: count of each present value, keyed by its text (`String(value)`). */
  counts?: Record<string, number>;
  /** Numeric columns: sorted order statistics of the present values. */
  sample?: number[];
}

/** The reference profile of the training data. */
export interface ReferenceProfile {
  /** Drift thresholds: p-value below, or PSI above, means drift. */
  drift: { p_value: number; psi: number };
  /** One entry per feature column, in feature order. */
  columns: ColumnReference[];
}

/**
 * Profile a (train) table's feature columns. `sorted` may hold a numeric
 * column's present values already sorted (`sortFloat64`; the preprocessing
 * fit sorts them for its median), so they are not sorted twice.
 *
 * @example
 * ```ts ignore
 * import { fitReference } from "./_preprocess_reference.ts";
 * const profile = fitReference(trainTable, schema);
 * profile.columns[0].counts; // { "-1": 3793, "1": 5051 }
 * ```
 */
export function fitReference(
  table: Table,
  schema: Schema,
  sorted: ReadonlyMap<string, Float64Array> = new Map(),
): ReferenceProfile {
  const columns = schema.features.map((name): ColumnReference => {
    const c = table.columns.findIndex((col) => col.name === name);
    const col = table.columns[c];
    const cells = table.cells[c];
    let missing = 0;
    for (const v of cells) if (v === null) missing++;
    const ref: ColumnReference = { column: name, rows: table.rows, missing };
    if (isDiscrete(col)) {
      const counts = new Map<string, number>();
      for (const v of cells) {
        if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      ref.counts = Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    } else {
      ref.sample = orderStatistics(sorted.get(name) ?? sortedPresent(cells), REFERENCE_SAMPLE_SIZE);
    }
    return ref;
  });
  return { drift: { ...DEFAULT_DRIFT_THRESHOLDS }, columns };
}

/**
 * The present (non-null) cells of a column as numbers, sorted (`sortFloat64`).
 *
 * @example
 * ```ts
 * import { sortedPresent } from "./_preprocess_reference.ts";
 * sortedPresent([3, null, 1, true]); // Float64Array [1, 1, 3]
 * ```
 */
export function sortedPresent(cells: readonly Cell[]): Float64Array {
  let n = 0;
  for (let r = 0; r < cells.length; r++) if (cells[r] !== null) n++;
  const out = new Float64Array(n);
  for (let r = 0, k = 0; r < cells.length; r++) if (cells[r] !== null) out[k++] = Number(cells[r]);
  return sortFloat64(out);
}

/**
 * Up to `k` evenly spaced order statistics of a sorted sample (all of it when short).
 *
 * @example
 * ```ts
 * import { orderStatistics } from "./_preprocess_reference.ts";
 * orderStatistics(Float64Array.from([1, 2, 3, 4]), 2); // [2, 4]
 * ```
 */
export function orderStatistics(sorted: ArrayLike<number>, k: number): number[] {
  const n = sorted.length;
  if (n <= k) return Array.from(sorted);
  return Array.from({ length: k }, (_, i) => sorted[Math.floor(((i + 0.5) * n) / k)]);
}

/**
 * The cells a numeric column's reference stands for: its sample plus
 * missing values in train's proportion (for `columnDrift` of lib/data/drift.ts).
 *
 * @example
 * ```ts
 * import { referenceCells } from "./_preprocess_reference.ts";
 * referenceCells({ column: "x", rows: 4, missing: 2, sample: [1, 2] }); // [1, 2, null, null]
 * ```
 */
export function referenceCells(ref: ColumnReference): Cell[] {
  const sample = ref.sample ?? [];
  const present = ref.rows - ref.missing;
  const nulls = present === 0
    ? Math.min(ref.missing, REFERENCE_SAMPLE_SIZE)
    : Math.round((sample.length * ref.missing) / present);
  return [...sample, ...new Array<Cell>(nulls).fill(null)];
}

/**
 * Read the `reference` section of `preprocess.json` (validated against the
 * feature list); errors name file, line and key.
 *
 * @example
 * ```ts ignore
 * import { parseReference } from "./_preprocess_reference.ts";
 * const ref = top.has("reference") ? parseReference(top.section("reference"), schema.features, open) : undefined;
 * ```
 */
export function parseReference(
  s: Section,
  features: string[],
  open: (path: (string | number)[]) => Section,
): ReferenceProfile {
  const d = s.section("drift");
  const drift = {
    p_value: d.number("p_value", { min: 0, max: 1 }),
    psi: d.number("psi", { min: 0 }),
  };
  d.done();
  const raw = s.raw("columns");
  if (!Array.isArray(raw) || raw.length !== features.length) {
    throw s.error("columns", `'columns' must list the ${features.length} feature columns`);
  }
  const columns = raw.map((_, i): ColumnReference => {
    const c = open([...s.path, "columns", i]);
    const column = c.string("column");
    if (column !== features[i]) {
      throw c.error("column", `expected feature '${features[i]}' here, got '${column}'`);
    }
    const ref: ColumnReference = {
      column,
      rows: c.number("rows", { integer: true, min: 0 }),
      missing: c.number("missing", { integer: true, min: 0 }),
    };
    if (c.has("counts")) {
      const counts = c.section("counts");
      const raw = c.raw("counts") as Record<string, unknown>;
      ref.counts = Object.fromEntries(
        Object.keys(raw).map((k) => [k, counts.number(k, { integer: true, min: 0 })]),
      );
      counts.done();
    } else {
      ref.sample = c.numbers("sample");
    }
    c.done();
    return ref;
  });
  s.done();
  return { drift, columns };
}
