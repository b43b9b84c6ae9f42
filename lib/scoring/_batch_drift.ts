/**
 * Drift of a scored batch against the training reference profile that
 * travels in `preprocess.json`: the validate stage's tests (lib/data/drift.ts)
 * on bounded state, so memory stays flat whatever the batch size.
 *
 * - Discrete columns (categorical, boolean, or with declared `values`):
 *   exact value counts; chi-square test of homogeneity and PSI on the counts
 *   (the same statistics as `columnDrift`, without expanding the counts).
 * - Numeric columns: a uniform sample of at most {@linkcode SAMPLE_ROWS}
 *   rows, the rows with the smallest hash of their row number (bottom-k),
 *   so the sample does not depend on how rows were split between workers;
 *   `columnDrift` (KS and decile PSI) against the reference's order
 *   statistics.
 *
 * Private to lib/scoring.
 *
 * @module
 */
import { type ColumnDrift, columnDrift, isDiscrete } from "../data/drift.ts";
import { type Preprocessor, referenceCells } from "../learn/preprocess.ts";
import type { Cell } from "../data/schema.ts";
import { chiSquareTest, psi } from "../data/stats.ts";

/** Rows sampled for the numeric columns' tests. */
export const SAMPLE_ROWS = 10_000;

/** Distinct values counted per discrete column; later new values share one bucket. */
export const MAX_DISTINCT = 10_000;

/** The key of missing values in counts (as in lib/data/drift.ts). */
export const MISSING_KEY = "\u0000";

/** The bucket of values beyond {@linkcode MAX_DISTINCT}. */
export const OTHER_KEY = "\u0001other";

/** One sampled row: its priority (hash of the row number) and its numeric cells. */
export interface SampledRow {
  /** Hash of the row number: the sample keeps the smallest. */
  priority: number;
  /** The row number (breaks ties). */
  row: number;
  /** Cells of the numeric columns, in {@linkcode DriftState.numeric} order. */
  cells: (number | null)[];
}

/** Bounded drift state of (part of) a batch; mergeable. */
export interface DriftState {
  /** Feature columns tested on counts, and their counts (missing under {@linkcode MISSING_KEY}). */
  counts: Map<string, Map<string, number>>;
  /** Feature columns tested on the sample. */
  numeric: string[];
  /** The sample, sorted by (priority, row). */
  sample: SampledRow[];
  /** Rows seen. */
  rows: number;
}

/**
 * A 32-bit hash of a row number (murmur3's finalizer): the sampling priority.
 *
 * @example
 * ```ts
 * import { rowPriority } from "./_batch_drift.ts";
 * rowPriority(1) !== rowPriority(2); // true
 * ```
 */
export function rowPriority(row: number): number {
  let h = (row ^ (row / 4294967296)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The empty state for a preprocessing's features.
 *
 * @example
 * ```ts ignore
 * import { emptyDriftState } from "./_batch_drift.ts";
 * const state = emptyDriftState(scorer.preprocess);
 * ```
 */
export function emptyDriftState(pre: Preprocessor): DriftState {
  const counts = new Map<string, Map<string, number>>();
  const numeric: string[] = [];
  for (const e of pre.encoders) {
    if (isDiscrete(e.column)) counts.set(e.column.name, new Map());
    else numeric.push(e.column.name);
  }
  return { counts, numeric, sample: [], rows: 0 };
}

/**
 * Add one value to a column's counts (bounded).
 *
 * @example
 * ```ts ignore
 * import { countValue } from "./_batch_drift.ts";
 * countValue(state.counts.get("proto")!, "tcp", 1);
 * ```
 */
export function countValue(counts: Map<string, number>, key: string, n: number): void {
  const had = counts.get(key);
  if (had !== undefined) counts.set(key, had + n);
  else if (counts.size < MAX_DISTINCT) counts.set(key, n);
  else counts.set(OTHER_KEY, (counts.get(OTHER_KEY) ?? 0) + n);
}

/**
 * The counts key of a coerced cell.
 *
 * @example
 * ```ts
 * import { cellKey } from "./_batch_drift.ts";
 * [cellKey(1), cellKey(null), cellKey(true)]; // ["1", "\u0000", "true"]
 * ```
 */
export function cellKey(v: Cell): string {
  return v === null ? MISSING_KEY : String(v);
}

const byPriority = (a: SampledRow, b: SampledRow) => a.priority - b.priority || a.row - b.row;

/**
 * Keep the {@linkcode SAMPLE_ROWS} smallest-priority rows of a sample
 * (sorted), e.g. after appending candidates.
 *
 * @example
 * ```ts ignore
 * import { trimSample } from "./_batch_drift.ts";
 * state.sample = trimSample(state.sample);
 * ```
 */
export function trimSample(sample: SampledRow[]): SampledRow[] {
  sample.sort(byPriority);
  if (sample.length > SAMPLE_ROWS) sample.length = SAMPLE_ROWS;
  return sample;
}

/**
 * Merge states of parts of one batch (counts add up, samples keep the
 * smallest priorities): the result does not depend on the split.
 *
 * @example
 * ```ts ignore
 * import { mergeDriftStates } from "./_batch_drift.ts";
 * const all = mergeDriftStates([fromWorker1, fromWorker2]);
 * ```
 */
export function mergeDriftStates(states: DriftState[]): DriftState {
  const [first, ...rest] = states;
  const counts = new Map([...first.counts].map(([k, m]) => [k, new Map(m)]));
  let rows = first.rows;
  const sample = [...first.sample];
  for (const s of rest) {
    rows += s.rows;
    for (const [column, m] of s.counts) {
      const into = counts.get(column)!;
      for (const [key, n] of m) countValue(into, key, n);
    }
    sample.push(...s.sample);
  }
  return { counts, numeric: first.numeric, sample: trimSample(sample), rows };
}

/** Drift thresholds. */
export interface DriftThresholds {
  /** A column drifts when its test's p-value is below this. */
  pValue: number;
  /** ... or when its PSI is above this. */
  psi: number;
}

/**
 * Chi-square test and PSI of two count tables (the statistics `columnDrift`
 * computes for a discrete column, from counts).
 *
 * @example
 * ```ts
 * import { countsDrift } from "./_batch_drift.ts";
 * const d = countsDrift("x", new Map([["a", 5], ["b", 5]]), new Map([["a", 5], ["b", 5]]), { pValue: 0.01, psi: 0.2 });
 * d.drifted; // false
 * ```
 */
export function countsDrift(
  column: string,
  reference: Map<string, number>,
  current: Map<string, number>,
  t: DriftThresholds,
): ColumnDrift {
  const keys = [...new Set([...reference.keys(), ...current.keys()])];
  const a = keys.map((k) => reference.get(k) ?? 0);
  const b = keys.map((k) => current.get(k) ?? 0);
  const chi = chiSquareTest(a, b);
  const p = psi(a, b);
  return {
    column,
    test: "chi2",
    statistic: chi.statistic,
    pValue: chi.pValue,
    df: chi.df,
    psi: p,
    drifted: chi.pValue < t.pValue || p > t.psi,
  };
}

/**
 * Drift of every feature column of a batch against the model's reference
 * profile; undefined when the model's preprocess.json has no profile
 * (trained before profiles existed).
 *
 * @example
 * ```ts ignore
 * import { batchDrift } from "./_batch_drift.ts";
 * const columns = batchDrift(scorer.preprocess, state, { pValue: 0.01, psi: 0.2 });
 * ```
 */
export function batchDrift(
  pre: Preprocessor,
  state: DriftState,
  t: DriftThresholds,
): ColumnDrift[] | undefined {
  const reference = pre.spec.reference;
  if (!reference) return undefined;
  return pre.encoders.map((e, i) => {
    const ref = reference.columns[i];
    const name = e.column.name;
    const current = state.counts.get(name);
    if (current) {
      const refCounts = new Map(Object.entries(ref.counts ?? {}));
      if (ref.missing > 0) refCounts.set(MISSING_KEY, ref.missing);
      return countsDrift(name, refCounts, current, t);
    }
    const k = state.numeric.indexOf(name);
    const cells: Cell[] = state.sample.map((s) => s.cells[k]);
    return columnDrift(e.column, referenceCells(ref), cells, { pValue: t.pValue, psi: t.psi });
  });
}
