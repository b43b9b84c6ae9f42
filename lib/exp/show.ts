/**
 * `exp show`: every experiment's changed params and metrics as table rows
 * (and as plain data for `--json`, which the dashboard reads), with the
 * workspace's own metrics first for comparison.
 *
 * @module
 */
import { basename } from "node:path";
import type { Values } from "../runner/run/revisions.ts";
import { cell, flatten, type Scalar } from "../reports/diff_table.ts";
import type { ExperimentRecord } from "./record.ts";

/** One row of `exp show --json`. */
export interface ExperimentRow {
  /** Experiment id, or `workspace`. */
  id: string;
  /** Status (`workspace` for the workspace row). */
  status: string;
  /** When it was queued. */
  queuedAt?: string;
  /** Wall time of the run, seconds. */
  seconds?: number;
  /** git HEAD it was queued from. */
  baseline?: string;
  /** Changed params: `file:key` → { value, was }. */
  params: Record<string, { value: unknown; was?: unknown }>;
  /** Metrics: file → dotted key → value. */
  metrics: Values;
  /** Why it failed. */
  error?: string;
}

/**
 * The rows: the workspace's metrics, then every experiment, oldest first.
 *
 * @example
 * ```ts
 * import { experimentRows } from "./show.ts";
 * experimentRows([], { "m.json": { auc: 0.9 } })[0]; // { id: "workspace", status: "workspace", params: {}, metrics: { "m.json": { auc: 0.9 } } }
 * ```
 */
export function experimentRows(records: ExperimentRecord[], workspace: Values): ExperimentRow[] {
  return [
    { id: "workspace", status: "workspace", params: {}, metrics: workspace },
    ...records.map((r): ExperimentRow => ({
      id: r.id,
      status: r.status,
      queuedAt: r.queuedAt,
      ...(r.seconds !== undefined ? { seconds: r.seconds } : {}),
      ...(r.baseline ? { baseline: r.baseline } : {}),
      params: Object.fromEntries(
        r.params.map((p) => [`${p.file}:${p.key}`, { value: p.value, was: p.was }]),
      ),
      metrics: r.metrics ?? {},
      ...(r.error ? { error: r.error.message } : {}),
    })),
  ];
}

/**
 * The rows as a text table: id, status, one column per changed param, one
 * per metric (named by key alone when no two files share it). `keys`, when
 * given, keeps only metric columns whose name contains one of them.
 *
 * @example
 * ```ts
 * import { experimentRows, experimentTable } from "./show.ts";
 * experimentTable(experimentRows([], { "m.json": { auc: 0.9 } }));
 * // { headers: ["experiment", "status", "auc"], rows: [["workspace", "workspace", "0.9"]] }
 * ```
 */
export function experimentTable(
  rows: ExperimentRow[],
  keys?: string[],
): { headers: string[]; rows: string[][] } {
  const paramCols = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const metricCols = [
    ...new Set(
      rows.flatMap((r) =>
        Object.entries(r.metrics).flatMap(([f, kv]) => Object.keys(kv).map((k) => `${f}\0${k}`))
      ),
    ),
  ];
  const keyCount = new Map<string, number>();
  for (const c of metricCols) {
    keyCount.set(c.split("\0")[1], (keyCount.get(c.split("\0")[1]) ?? 0) + 1);
  }
  const metricName = (c: string) => {
    const [file, key] = c.split("\0");
    return keyCount.get(key)! > 1 ? `${basename(file)}:${key}` : key;
  };
  const shown = metricCols.filter((c) =>
    !keys?.length || keys.some((k) => metricName(c).includes(k))
  );
  const paramName = (
    c: string,
  ) => (c.startsWith("params.yaml:") ? c.slice("params.yaml:".length) : c);
  return {
    headers: ["experiment", "status", ...paramCols.map(paramName), ...shown.map(metricName)],
    rows: rows.map((r) => [
      r.id,
      r.status,
      ...paramCols.map((c) => (c in r.params ? cell(flatOne(r.params[c].value)) : "-")),
      ...shown.map((c) => {
        const [file, key] = c.split("\0");
        const v = r.metrics[file]?.[key];
        return v === undefined ? "-" : cell(v);
      }),
    ]),
  };
}

function flatOne(v: unknown): Scalar {
  if (v === null || ["string", "number", "boolean"].includes(typeof v)) return v as Scalar;
  return JSON.stringify(flatten(v));
}
