/**
 * The small hooks that make `deno task predict`, `deno task serve` and the
 * dashboard append to the prediction history: build an entry (id and time
 * added here) and append it, logging instead of failing when the store is
 * unavailable — scoring never fails because the history could not be
 * written.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { historyId } from "./open_history.ts";
import type { HistoryEntry, PredictionHistory } from "./types.ts";

/** An entry without its id and time. */
export type NewEntry = Omit<HistoryEntry, "id" | "time">;

/**
 * Append `entry` (with a fresh id and the current time); errors are logged.
 *
 * @example
 * ```ts ignore
 * import { recordScored } from "./record.ts";
 * await recordScored(history, { source: "predict", input: "in.csv", model: "threatline",
 *   modelVersion: "v1", rows: 10, rejects: 0, labels: {}, driftFlags: [] }, log);
 * ```
 */
export async function recordScored(
  history: PredictionHistory,
  entry: NewEntry,
  log: Logger,
): Promise<void> {
  try {
    await history.append({ id: historyId(), time: new Date().toISOString(), ...entry });
  } catch (err) {
    log.warn("prediction history: could not append", {
      source: entry.source,
      error: (err as Error).message,
    });
  }
}

/** What the scoring API reports per answered request (lib/serve/app.ts's `onScored`). */
export interface ScoredEvent {
  /** `POST /v1/predict` or `POST /v1/predict/csv`. */
  route: string;
  /** Model version. */
  modelVersion: string;
  /** Rows scored. */
  rows: number;
  /** Rows scored as threat. */
  threats: number;
  /** The model's registered name (default `threatline`; the URL model: `threatline-url`). */
  model?: string;
  /** Rows per label when the route has its own labels (e.g. `phishing`/`legitimate`). */
  labels?: Record<string, number>;
  /** Rows rejected (batch entries with an error). */
  rejects?: number;
}

/**
 * The entry of a scoring API request.
 *
 * @example
 * ```ts
 * import { apiEntry } from "./record.ts";
 * apiEntry({ route: "POST /v1/predict", modelVersion: "v1", rows: 3, threats: 1 }).labels;
 * // { threat: 1, benign: 2 }
 * ```
 */
export function apiEntry(e: ScoredEvent, source = "serve"): NewEntry {
  return {
    source,
    input: e.route,
    model: e.model ?? "threatline",
    modelVersion: e.modelVersion,
    rows: e.rows,
    rejects: e.rejects ?? 0,
    labels: e.labels ?? { threat: e.threats, benign: e.rows - e.threats },
    driftFlags: [],
  };
}
