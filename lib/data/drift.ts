/**
 * Drift between two samples of a column (train vs test, or train vs live
 * traffic): the two-sample Kolmogorov–Smirnov test for numeric columns, the
 * chi-square test of homogeneity for discrete ones (categorical, boolean, or
 * numeric with declared `values`), and the PSI for both (numeric columns are
 * binned at train deciles; missing values form their own bin).
 *
 * @module
 */
import { chiSquareTest, ksTwoSample, psi } from "./stats.ts";
import type { Cell, ColumnSpec } from "./schema.ts";

/** Thresholds of {@linkcode columnDrift}. */
export interface DriftOptions {
  /** A column drifts when its test's p-value is below this. */
  pValue: number;
  /** ... or when its PSI is above this. */
  psi: number;
  /** Quantile bins for the PSI of numeric columns (default 10). */
  bins?: number;
}

/** Drift of one column. */
export interface ColumnDrift {
  /** Column name. */
  column: string;
  /** `ks` (numeric) or `chi2` (discrete). */
  test: "ks" | "chi2";
  /** KS D or chi-square X² (NaN when a sample has no values). */
  statistic: number;
  /** The test's p-value (NaN when a sample has no values). */
  pValue: number;
  /** Degrees of freedom of the chi-square test. */
  df?: number;
  /** Population stability index. */
  psi: number;
  /** Whether a threshold was crossed. */
  drifted: boolean;
}

/**
 * Whether a column is tested as discrete (chi-square) rather than numeric (KS).
 *
 * @example
 * ```ts
 * import { isDiscrete } from "./drift.ts";
 * isDiscrete({ name: "x", type: "integer", values: [-1, 0, 1], nullable: false }); // true
 * ```
 */
export function isDiscrete(col: ColumnSpec): boolean {
  return col.type === "categorical" || col.type === "boolean" || col.values !== undefined;
}

/**
 * Compute the drift of one column between a reference sample and another.
 *
 * @example
 * ```ts
 * import { columnDrift } from "./drift.ts";
 * const col = { name: "proto", type: "categorical" as const, nullable: false };
 * const d = columnDrift(col, ["tcp", "udp", "tcp"], ["tcp", "udp", "tcp"], { pValue: 0.01, psi: 0.2 });
 * d.drifted; // false
 * ```
 */
export function columnDrift(
  col: ColumnSpec,
  reference: Cell[],
  current: Cell[],
  options: DriftOptions,
): ColumnDrift {
  const result = isDiscrete(col)
    ? discreteDrift(reference, current)
    : numericDrift(reference, current, options.bins ?? 10);
  const drifted = result.pValue < options.pValue || result.psi > options.psi;
  return { column: col.name, ...result, drifted };
}

function discreteDrift(
  reference: Cell[],
  current: Cell[],
): Omit<ColumnDrift, "column" | "drifted"> {
  const index = new Map<string, number>();
  const key = (v: Cell) => (v === null ? "\u0000" : String(v));
  for (const v of reference) if (!index.has(key(v))) index.set(key(v), index.size);
  for (const v of current) if (!index.has(key(v))) index.set(key(v), index.size);
  const a = new Array<number>(index.size).fill(0);
  const b = new Array<number>(index.size).fill(0);
  for (const v of reference) a[index.get(key(v))!]++;
  for (const v of current) b[index.get(key(v))!]++;
  const chi = chiSquareTest(a, b);
  return { test: "chi2", statistic: chi.statistic, pValue: chi.pValue, df: chi.df, psi: psi(a, b) };
}

function numericDrift(
  reference: Cell[],
  current: Cell[],
  bins: number,
): Omit<ColumnDrift, "column" | "drifted"> {
  const present = (cells: Cell[]) => {
    const out: number[] = [];
    for (const v of cells) if (typeof v === "number") out.push(v);
    return Float64Array.from(out).sort();
  };
  const ref = present(reference);
  const cur = present(current);
  const ks = ksTwoSample(ref, cur);
  // Bin edges at the reference's quantiles (deduplicated), plus a bin for missing values.
  const edges: number[] = [];
  for (let k = 1; k < bins && ref.length > 0; k++) {
    const e = ref[Math.min(ref.length - 1, Math.floor((k * ref.length) / bins))];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const histogram = (sorted: Float64Array, total: number) => {
    const h = new Array<number>(edges.length + 2).fill(0);
    for (const v of sorted) h[upperBound(edges, v)]++;
    h[edges.length + 1] = total - sorted.length;
    return h;
  };
  return {
    test: "ks",
    statistic: ks.statistic,
    pValue: ks.pValue,
    psi: psi(histogram(ref, reference.length), histogram(cur, current.length)),
  };
}

/** Number of edges ≤ v (so bin i holds edges[i-1] ≤ v < edges[i]). */
function upperBound(edges: number[], v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
