/**
 * Pure conversions of pipeline data into MLflow params and metrics: lock
 * params, flat metrics files, and the per-epoch training history.
 *
 * @module
 */
import type { Scalar } from "../reports/diff_table.ts";
import type { KeyValue, Metric } from "./types.ts";

/** MLflow's limit on a param value (characters). */
export const MAX_PARAM_VALUE = 6000;

/**
 * Params of a lock entry as MLflow params: nested values flattened to
 * dotted keys (`train.search.mlp.l2`), lists kept as JSON, keys of files
 * other than params.yaml prefixed with `<file>:`, values clipped to
 * MLflow's 6000 characters.
 *
 * @example
 * ```ts
 * import { lockParams } from "./tracking.ts";
 * lockParams({ "params.yaml": { train: { seed: 7, hidden: [64, 32] } } });
 * // [{ key: "train.seed", value: "7" }, { key: "train.hidden", value: "[64,32]" }]
 * ```
 */
export function lockParams(params: Record<string, Record<string, unknown>>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [file, keys] of Object.entries(params)) {
    const prefix = file === "params.yaml" ? "" : `${file}:`;
    for (const [key, value] of Object.entries(keys)) {
      for (const [k, v] of Object.entries(flattenMappings(value, key))) {
        const text = typeof v === "string" ? v : JSON.stringify(v) ?? "null";
        out.push({ key: prefix + k, value: text.slice(0, MAX_PARAM_VALUE) });
      }
    }
  }
  return out;
}

/** Like `flatten`, but lists stay whole (one param, JSON). */
function flattenMappings(value: unknown, key: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { [key]: value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    Object.assign(out, flattenMappings(v, `${key}.${k}`));
  }
  return out;
}

/**
 * Numeric values of a flat metrics record as MLflow metrics (booleans as
 * 0/1; strings, nulls and non-finite numbers left out; characters MLflow
 * rejects in names replaced by `_`).
 *
 * @example
 * ```ts
 * import { toMetrics } from "./tracking.ts";
 * toMetrics({ accuracy: 0.9, note: "x", ok: true }, { timestamp: 1 });
 * // [{ key: "accuracy", value: 0.9, timestamp: 1, step: 0 }, { key: "ok", value: 1, timestamp: 1, step: 0 }]
 * ```
 */
export function toMetrics(
  values: Record<string, Scalar>,
  o: { timestamp: number; prefix?: string; step?: number },
): Metric[] {
  const out: Metric[] = [];
  for (const [k, v] of Object.entries(values)) {
    const value = typeof v === "boolean" ? Number(v) : v;
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    const key = `${o.prefix ?? ""}${k}`.replace(/[^\w\-. /]/g, "_");
    out.push({ key, value, timestamp: o.timestamp, step: o.step ?? 0 });
  }
  return out;
}

/**
 * Per-epoch curves of a train history (`{ chosen, candidates: [{ id,
 * epochs: [{ epoch, loss, val_roc_auc, … }] }] }`, as stages/train.ts
 * writes it) as metrics with `step` = epoch: `<id>/<metric>` for every
 * candidate and `chosen/<metric>` again for the chosen one. Anything else
 * gives no metrics.
 *
 * @example
 * ```ts
 * import { historyMetrics } from "./tracking.ts";
 * const h = { chosen: "c1", candidates: [{ id: "c1", epochs: [{ epoch: 1, loss: 0.5 }] }] };
 * historyMetrics(h, 1).map((m) => m.key); // ["c1/loss", "chosen/loss"]
 * ```
 */
export function historyMetrics(history: unknown, timestamp: number): Metric[] {
  const h = history as { chosen?: unknown; candidates?: unknown } | null;
  if (!h || !Array.isArray(h.candidates)) return [];
  const out: Metric[] = [];
  for (const c of h.candidates as { id?: unknown; epochs?: unknown }[]) {
    if (typeof c?.id !== "string" || !Array.isArray(c.epochs)) continue;
    const prefixes = c.id === h.chosen ? [`${c.id}/`, "chosen/"] : [`${c.id}/`];
    for (const e of c.epochs as Record<string, unknown>[]) {
      const step = e?.epoch;
      if (typeof step !== "number" || !Number.isInteger(step)) continue;
      const { epoch: _, ...values } = e;
      for (const prefix of prefixes) {
        out.push(...toMetrics(values as Record<string, Scalar>, { timestamp, prefix, step }));
      }
    }
  }
  return out;
}
