/**
 * The Runs page's data from the local run history
 * (lib/runner/run/run_history.ts): a sorted page of runs, one metric's trend
 * over all runs, and the params and metrics diff of two runs through the
 * same `diffValues` as `deno task params diff` / `metrics diff`.
 *
 * @module
 */
import { type DiffRow, diffValues, type Scalar } from "../reports/diff_table.ts";
import { readRunHistory, runHistoryPath, type RunRecord } from "../runner/run/run_history.ts";
import { DashError } from "./errors.ts";

/** Columns the table sorts by. */
export const RUN_SORT_KEYS = ["started", "seconds", "outcome", "kind"] as const;

/** A run as a table row. */
export interface RunRow {
  /** Run id. */
  id: string;
  /** `repro`, `exp`, `dashboard` … */
  kind: string;
  /** ISO start time. */
  started: string;
  /** Wall-clock seconds. */
  seconds: number;
  /** `ok`, `failed`, `interrupted`. */
  outcome: string;
  /** Git commit (short) and dirty flag. */
  git?: { commit: string; dirty: boolean };
  /** `file:key` of each changed param → `[old, new]`. */
  changedParams: Record<string, [unknown, unknown]>;
  /** Flat metrics: `file:key` → value. */
  metrics: Record<string, Scalar>;
  /** Model versions. */
  models: Record<string, string>;
  /** The error of a failed run. */
  error?: string;
}

/** Query of {@linkcode runsPage}. */
export interface RunsQuery {
  /** Skip (default 0). */
  offset?: number;
  /** At most (default 25, at most 500). */
  limit?: number;
  /** A column of {@linkcode RUN_SORT_KEYS} or `metric:<file:key>` (default `started`). */
  sort?: string;
  /** Ascending (default: descending). */
  asc?: boolean;
}

function row(r: RunRecord): RunRow {
  const changed: Record<string, [unknown, unknown]> = {};
  for (const [file, keys] of Object.entries(r.changedParams ?? {})) {
    for (const [key, pair] of Object.entries(keys)) changed[`${file}:${key}`] = pair;
  }
  const metrics: Record<string, Scalar> = {};
  for (const [file, keys] of Object.entries(r.metrics ?? {})) {
    for (const [key, v] of Object.entries(keys)) metrics[`${file}:${key}`] = v;
  }
  return {
    id: r.id,
    kind: r.kind,
    started: r.started,
    seconds: r.seconds,
    outcome: r.outcome,
    ...(r.git ? { git: { commit: r.git.commit.slice(0, 12), dirty: r.git.dirty } } : {}),
    changedParams: changed,
    metrics,
    models: r.models ?? {},
    ...(r.error ? { error: r.error } : {}),
  };
}

/** Where the Runs page reads runs from (newest first). */
export interface RunSource {
  /** What it is, for the page (`local run history`, `MLflow experiment threatline`). */
  name: string;
  /** Every run, newest first. */
  load(): Promise<RunRecord[]>;
}

/**
 * The local run history below `cacheDir`, parsed again only when the file
 * changed (size or mtime).
 *
 * @example
 * ```ts ignore
 * const runs = await localRunSource(".cache").load();
 * ```
 */
export function localRunSource(cacheDir: string): RunSource {
  let memo: { stamp: string; runs: RunRecord[] } | undefined;
  return {
    name: "local run history",
    async load() {
      const info = await Deno.stat(runHistoryPath(cacheDir)).catch(() => undefined);
      const stamp = info ? `${info.size}:${info.mtime?.getTime()}` : "absent";
      if (memo?.stamp !== stamp) {
        const { runs } = await readRunHistory(cacheDir, { limit: Number.MAX_SAFE_INTEGER });
        memo = { stamp, runs };
      }
      return memo.runs;
    },
  };
}

function sortValue(r: RunRow, sort: string): Scalar {
  if (sort.startsWith("metric:")) return r.metrics[sort.slice(7)] ?? null;
  if (!(RUN_SORT_KEYS as readonly string[]).includes(sort)) {
    throw new DashError("BAD_REQUEST", `cannot sort by '${sort}'`);
  }
  return r[sort as "started"];
}

function compare(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : 1;
}

/**
 * A sorted page of runs, the total, and every metric key seen (for the trend picker).
 *
 * @example
 * ```ts ignore
 * import { runsPage } from "./runs_data.ts";
 * const { runs, total } = await runsPage(localRunSource(cacheDir), { sort: "seconds", limit: 25 });
 * ```
 */
export async function runsPage(
  source: RunSource,
  q: RunsQuery = {},
): Promise<{ runs: RunRow[]; total: number; metricKeys: string[] }> {
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 25;
  if (!Number.isInteger(offset) || offset < 0) throw new DashError("BAD_REQUEST", "bad offset");
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new DashError("BAD_REQUEST", "limit must be 1..500");
  }
  const rows = (await source.load()).map(row);
  const sort = q.sort ?? "started";
  const keyed = rows.map((r, i) => ({ r, v: sortValue(r, sort), i }));
  const missing = (v: Scalar) => v === null || v === undefined;
  keyed.sort((a, b) =>
    // runs without the value go last in either order
    Number(missing(a.v)) - Number(missing(b.v)) || (q.asc ? 1 : -1) * compare(a.v, b.v) ||
    a.i - b.i
  );
  const keys = new Set<string>();
  for (const r of rows.slice(0, 200)) for (const k of Object.keys(r.metrics)) keys.add(k);
  return {
    runs: keyed.slice(offset, offset + limit).map((k) => k.r),
    total: rows.length,
    metricKeys: [...keys].sort(),
  };
}

/**
 * One metric over time (oldest first), at most `maxPoints` evenly picked runs.
 *
 * @example
 * ```ts ignore
 * const points = await metricTrend(source, "artifacts/metrics.json:roc_auc");
 * ```
 */
export async function metricTrend(
  source: RunSource,
  key: string,
  maxPoints = 2000,
): Promise<{ t: number; v: number; id: string }[]> {
  const pts: { t: number; v: number; id: string }[] = [];
  for (const r of [...(await source.load())].reverse()) {
    const v = row(r).metrics[key];
    if (typeof v === "number") pts.push({ t: Date.parse(r.started) / 1000, v, id: r.id });
  }
  if (pts.length <= maxPoints) return pts;
  const step = pts.length / maxPoints;
  return Array.from({ length: maxPoints }, (_, i) => pts[Math.floor(i * step)]);
}

/**
 * Params and metrics diff of two runs (`a` old, `b` new), rows as
 * `deno task params diff` / `metrics diff` make them. A run's params are
 * what its record holds: the params it changed (new values).
 *
 * @example
 * ```ts ignore
 * const { params, metrics } = await diffRuns(source, "run-a", "run-b");
 * ```
 */
export async function diffRuns(
  source: RunSource,
  a: string,
  b: string,
): Promise<{ params: DiffRow[]; metrics: DiffRow[] }> {
  const runs = await source.load();
  const find = (id: string) => {
    const r = runs.find((x) => x.id === id);
    if (!r) throw new DashError("NOT_FOUND", `no run '${id}'`);
    return r;
  };
  const ra = find(a), rb = find(b);
  const params = (r: RunRecord & { params?: Record<string, Record<string, Scalar>> }) => {
    if (r.params) return r.params; // MLflow: every param the run logged
    const out: Record<string, Record<string, Scalar>> = {};
    for (const [file, keys] of Object.entries(r.changedParams ?? {})) {
      out[file] = {};
      for (const [key, [, now]] of Object.entries(keys)) out[file][key] = now as Scalar;
    }
    return out;
  };
  return {
    params: diffValues(params(ra), params(rb)),
    metrics: diffValues(ra.metrics ?? {}, rb.metrics ?? {}),
  };
}
