/**
 * The runner's local run history: one JSON line per `repro` (or experiment)
 * in `<cache>/runs/history.jsonl`, appended when the run ends. It holds what
 * must not go into hashed outs — times, durations, the machine's git state —
 * and is what the dashboard's Runs page reads when MLflow is not configured.
 *
 * Appends are single `write` calls of one line with `O_APPEND`, so concurrent
 * writers never interleave inside a line; a torn last line (a crash mid-write)
 * is skipped by the reader and reported in `skipped`.
 *
 * @module
 */
import { join } from "node:path";
import { DataError } from "../../errors.ts";

/**
 * How one stage of a run ended: `fresh` (up to date, not run) and `frozen`
 * (not checked) are recorded too, so a record lists every selected stage.
 */
export type StageOutcome =
  | "ran"
  | "restored"
  | "fresh"
  | "frozen"
  | "skipped"
  | "failed"
  | "interrupted";

/** One stage of a run. */
export interface StageRecord {
  /** Stage name (`train`, `url_train`, `train@1`). */
  name: string;
  /** What happened to it. */
  outcome: StageOutcome;
  /** Why it ran (the staleness reason), or why it failed. */
  reason?: string;
  /** Wall-clock seconds the stage took (0 for skipped). */
  seconds: number;
  /** Run records the stage wrote (e.g. per-candidate train times), by file name. */
  records?: Record<string, unknown>;
}

/** How a whole run ended. */
export type RunOutcome = "ok" | "failed" | "interrupted";

/** One pipeline run. */
export interface RunRecord {
  /** Unique id (time-sortable). */
  id: string;
  /** `repro`, `exp`, or another task that ran stages. */
  kind: string;
  /** ISO time the run started. */
  started: string;
  /** ISO time the run ended. */
  ended: string;
  /** Wall-clock seconds. */
  seconds: number;
  /** How it ended. */
  outcome: RunOutcome;
  /** The error message when it failed. */
  error?: string;
  /** Git state of the workspace when the run started, when it is a git checkout. */
  git?: { commit: string; dirty: boolean; diffHash?: string };
  /** The command-line targets and flags, as given. */
  args: string[];
  /** Params that differ from the lock before the run: `file -> key -> [old, new]`. */
  changedParams: Record<string, Record<string, [unknown, unknown]>>;
  /** Metrics after the run: `file -> dotted key -> value`. */
  metrics: Record<string, Record<string, number | string | boolean | null>>;
  /** Model versions after the run: `model name -> card version`. */
  models: Record<string, string>;
  /** The stages in the order they ended. */
  stages: StageRecord[];
}

/** The history file below a cache folder. */
export function runHistoryPath(cacheDir: string): string {
  return join(cacheDir, "runs", "history.jsonl");
}

/**
 * Append one run to the history (creating the folder).
 *
 * @example
 * ```ts ignore
 * import { appendRunRecord } from "./run_history.ts";
 * await appendRunRecord(ws.cacheDir, record);
 * ```
 */
export async function appendRunRecord(cacheDir: string, record: RunRecord): Promise<void> {
  const path = runHistoryPath(cacheDir);
  await Deno.mkdir(join(cacheDir, "runs"), { recursive: true });
  const line = new TextEncoder().encode(JSON.stringify(record) + "\n");
  const file = await Deno.open(path, { append: true, create: true });
  try {
    let written = 0;
    while (written < line.length) written += await file.write(line.subarray(written));
  } finally {
    file.close();
  }
}

/** A page of the history. */
export interface RunHistoryPage {
  /** Runs in the page, newest first. */
  runs: RunRecord[];
  /** How many runs the history holds. */
  total: number;
  /** Lines that could not be read (a torn last line after a crash). */
  skipped: number;
}

/** Which page to read. */
export interface RunHistoryQuery {
  /** Runs to skip from the newest (default 0). */
  offset?: number;
  /** Runs to return at most (default 50). */
  limit?: number;
}

/**
 * Read a page of the history, newest first. A missing file is an empty history.
 *
 * @example
 * ```ts ignore
 * import { readRunHistory } from "./run_history.ts";
 * const { runs, total } = await readRunHistory(ws.cacheDir, { limit: 20 });
 * ```
 */
export async function readRunHistory(
  cacheDir: string,
  query: RunHistoryQuery = {},
): Promise<RunHistoryPage> {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`bad limit ${limit}`);
  let text: string;
  try {
    text = await Deno.readTextFile(runHistoryPath(cacheDir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { runs: [], total: 0, skipped: 0 };
    throw err;
  }
  const records: RunRecord[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const value = JSON.parse(line);
      if (typeof value?.id !== "string" || !Array.isArray(value?.stages)) {
        throw new DataError("not a run record", { file: runHistoryPath(cacheDir) });
      }
      records.push(value);
    } catch {
      skipped++;
    }
  }
  records.reverse();
  return { runs: records.slice(offset, offset + limit), total: records.length, skipped };
}
