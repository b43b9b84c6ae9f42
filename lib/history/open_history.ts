/**
 * Pick the prediction-history store: MongoDB's `predictions` collection
 * when a MongoDB URI is given (the entry point reads `MONGODB_URI` once),
 * else the local JSON Lines file below the cache folder.
 *
 * @module
 */
import { join } from "node:path";
import { LocalHistory } from "./local_history.ts";
import { MongoHistory } from "./mongo_history.ts";
import type { PredictionHistory } from "./types.ts";

/** The local history file below a cache folder. */
export function localHistoryPath(cacheDir: string): string {
  return join(cacheDir, "history", "predictions.jsonl");
}

/** Options of {@linkcode openHistory}. */
export interface OpenHistoryOptions {
  /** The workspace cache folder (for the local file). */
  cacheDir: string;
  /** `MONGODB_URI`, when set. */
  mongodbUri?: string;
}

/**
 * Open the history the options select.
 *
 * @example
 * ```ts ignore
 * import { openHistory } from "./open_history.ts";
 * const history = await openHistory({ cacheDir: ".cache", mongodbUri: env.MONGODB_URI });
 * ```
 */
export async function openHistory(o: OpenHistoryOptions): Promise<PredictionHistory> {
  if (o.mongodbUri) return await MongoHistory.open({ uri: o.mongodbUri });
  return new LocalHistory(localHistoryPath(o.cacheDir));
}

/**
 * A time-sortable unique id for a new entry.
 *
 * @example
 * ```ts
 * import { historyId } from "./open_history.ts";
 * historyId(new Date("2026-12-04T00:00:00Z")).startsWith("20261204T000000"); // true
 * ```
 */
export function historyId(now: Date = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${t}-${crypto.randomUUID().slice(0, 8)}`;
}
