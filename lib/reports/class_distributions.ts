/**
 * Each feature column's distribution split by class, for the dashboard's
 * Data page (written by validate into report.json as `distributions`):
 * discrete columns (categorical, boolean, or with a `values` list) count
 * their most frequent values (the rest as `(other)`); numeric columns count
 * equal-width bins over the column's range. Missing values get their own
 * `(missing)` bin. Rows of unknown class are left out.
 *
 * @module
 */
import { isDiscrete } from "../data/drift.ts";
import type { Table } from "../data/table.ts";

/** One column's distribution. */
export interface ClassDistribution {
  /** `discrete` or `numeric`. */
  kind: "discrete" | "numeric";
  /** Bin labels (values, or `[lo, hi)` ranges). */
  bins: string[];
  /** Counts per bin for each class. */
  byClass: { threat: number[]; benign: number[] };
}

/** Options of {@linkcode classDistributions}. */
export interface DistributionOptions {
  /** Most values shown for a discrete column (default 20). */
  maxValues?: number;
  /** Bins of a numeric column (default 10). */
  bins?: number;
}

const fmt = (x: number) => Number(x.toPrecision(4)).toString();

/**
 * Distributions of `columns` in `table`, by class.
 *
 * @example
 * ```ts ignore
 * import { classDistributions } from "./class_distributions.ts";
 * const d = classDistributions(train, schema.features);
 * d.protocol_type.byClass.threat; // counts per value
 * ```
 */
export function classDistributions(
  table: Table,
  columns: readonly string[],
  o: DistributionOptions = {},
): Record<string, ClassDistribution> {
  const maxValues = o.maxValues ?? 20;
  const nBins = o.bins ?? 10;
  const out: Record<string, ClassDistribution> = {};
  for (const name of columns) {
    const c = table.columns.findIndex((col) => col.name === name);
    if (c < 0) continue;
    const spec = table.columns[c];
    const cells = table.cells[c];
    const keyOf: (v: unknown) => number = (() => {
      if (isDiscrete(spec)) {
        const counts = new Map<string, number>();
        for (const v of cells) {
          if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
        }
        const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, maxValues).map(([k]) => k).sort();
        const index = new Map(top.map((k, i) => [k, i]));
        const other = counts.size > top.length;
        const bins = [...top, ...(other ? ["(other)"] : []), "(missing)"];
        out[name] = { kind: "discrete", bins, byClass: { threat: [], benign: [] } };
        return (v) => v === null ? bins.length - 1 : index.get(String(v)) ?? top.length;
      }
      let lo = Infinity, hi = -Infinity;
      for (const v of cells) {
        if (typeof v === "number" && Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      const width = hi > lo ? (hi - lo) / nBins : 1;
      const k = Number.isFinite(lo) ? (hi > lo ? nBins : 1) : 0;
      const bins = [
        ...Array.from(
          { length: k },
          (_, i) => `[${fmt(lo + i * width)}, ${fmt(lo + (i + 1) * width)})`,
        ),
        "(missing)",
      ];
      out[name] = { kind: "numeric", bins, byClass: { threat: [], benign: [] } };
      return (v) =>
        typeof v !== "number" || !Number.isFinite(v)
          ? bins.length - 1
          : Math.min(k - 1, Math.floor((v - lo) / width));
    })();
    const d = out[name];
    d.byClass.threat = new Array(d.bins.length).fill(0);
    d.byClass.benign = new Array(d.bins.length).fill(0);
    for (let r = 0; r < table.rows; r++) {
      const label = table.labels[r];
      if (label !== 0 && label !== 1) continue;
      (label === 1 ? d.byClass.threat : d.byClass.benign)[keyOf(cells[r])]++;
    }
  }
  return out;
}
