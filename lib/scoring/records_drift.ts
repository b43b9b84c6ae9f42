/**
 * Drift of a small in-memory batch of records (an upload to the dashboard)
 * against the model's training reference profile, with the same counts,
 * sample and tests as `deno task predict`'s batch drift
 * (`_batch_drift.ts`).
 *
 * @module
 */
import { coerceCell, INVALID } from "../data/cells.ts";
import type { ColumnDrift } from "../data/drift.ts";
import type { Preprocessor } from "../learn/preprocess.ts";
import {
  batchDrift,
  cellKey,
  countValue,
  emptyDriftState,
  rowPriority,
  trimSample,
} from "./_batch_drift.ts";

/** The drift of a batch. */
export interface RecordsDrift {
  /** Whether the model has a reference profile (else nothing is tested). */
  tested: boolean;
  /** Columns that drifted. */
  drifted: string[];
  /** Every feature column's test. */
  columns: ColumnDrift[];
}

/**
 * Test the records (values as text or native, a missing key or `""` is
 * missing) against the training profile.
 *
 * @example
 * ```ts ignore
 * import { recordsDrift } from "./records_drift.ts";
 * const { drifted } = recordsDrift(scorer.preprocess, records);
 * ```
 */
export function recordsDrift(
  pre: Preprocessor,
  records: readonly Record<string, unknown>[],
): RecordsDrift {
  const state = emptyDriftState(pre);
  records.forEach((record, row) => {
    const numeric: (number | null)[] = [];
    for (const e of pre.encoders) {
      const raw = record[e.column.name];
      const cell = coerceCell(e.column.type, raw === "" ? null : raw ?? null);
      const value = cell === INVALID ? null : cell;
      const counts = state.counts.get(e.column.name);
      if (counts) countValue(counts, cellKey(value), 1);
      else numeric.push(typeof value === "number" ? value : null);
    }
    state.sample.push({ priority: rowPriority(row), row, cells: numeric });
    state.rows++;
  });
  state.sample = trimSample(state.sample);
  const t = pre.spec.reference?.drift ?? { p_value: 0.01, psi: 0.2 };
  const columns = records.length
    ? batchDrift(pre, state, { pValue: t.p_value, psi: t.psi })
    : undefined;
  return {
    tested: columns !== undefined,
    drifted: (columns ?? []).filter((c) => c.drifted).map((c) => c.column),
    columns: columns ?? [],
  };
}
