/**
 * Prediction history: one entry per batch or URL scored through the
 * dashboard, the API, `deno task predict` or `deno task monitor`, kept so
 * the dashboard's History page can show what was scored, by which model,
 * with what label rates and drift flags.
 *
 * - `types.ts`: the entry and the `PredictionHistory` interface every store implements.
 * - `local_history.ts`: an append-only JSON Lines file (the default).
 * - `mongo_history.ts`: a MongoDB `predictions` collection (when `MONGODB_URI` is set).
 *
 * @module
 */
export type { HistoryEntry, HistoryPage, HistoryQuery, PredictionHistory } from "./types.ts";
export { LocalHistory } from "./local_history.ts";
export { MongoHistory, PREDICTIONS_COLLECTION } from "./mongo_history.ts";
export { historyId, localHistoryPath, openHistory } from "./open_history.ts";
export { apiEntry, type NewEntry, recordScored, type ScoredEvent } from "./record.ts";
