/**
 * The prediction-history entry and the interface each store implements
 * (a local JSON Lines file, a MongoDB `predictions` collection).
 *
 * @module
 */

/** One scored batch (or one URL check). */
export interface HistoryEntry {
  /** Unique id (time-sortable). */
  id: string;
  /** ISO time the batch was scored. */
  time: string;
  /** Who scored it: `predict`, `serve`, `dashboard`, `monitor`, `check-url`. */
  source: string;
  /** What was scored: a file name, `stdin`, `POST /v1/predict`, a Mongo collection, a URL. */
  input: string;
  /** The model's registered name (`threatline`, `threatline-url`). */
  model: string;
  /** The model card's version. */
  modelVersion: string;
  /** Rows scored. */
  rows: number;
  /** Rows rejected (unreadable, out of the schema). */
  rejects: number;
  /** Rows per predicted label. */
  labels: Record<string, number>;
  /** Columns whose drift test fired against the training profile. */
  driftFlags: string[];
  /** Anything else the source wants to keep (small). */
  extra?: Record<string, unknown>;
}

/** Which page to read. */
export interface HistoryQuery {
  /** Entries to skip from the newest (default 0). */
  offset?: number;
  /** Entries to return at most (default 50, at most 1000). */
  limit?: number;
}

/** A page of the history, newest first. */
export interface HistoryPage {
  /** The entries. */
  entries: HistoryEntry[];
  /** How many entries the store holds. */
  total: number;
}

/**
 * A store of prediction-history entries. Every implementation passes the
 * shared suite in `history_suite.ts`.
 */
export interface PredictionHistory {
  /** Add one entry; durable when the promise resolves. */
  append(entry: HistoryEntry): Promise<void>;
  /** A page, newest first. */
  list(query?: HistoryQuery): Promise<HistoryPage>;
  /** Remove every entry; returns how many were removed. */
  clear(): Promise<number>;
  /** Release connections or handles. */
  close(): Promise<void>;
}
