/**
 * The local prediction history: an append-only JSON Lines file. Each append
 * is one `write` with `O_APPEND` and an fsync, so nothing is lost on restart
 * and concurrent writers never interleave within a line.
 *
 * @module
 */
import type { HistoryEntry, HistoryPage, HistoryQuery, PredictionHistory } from "./types.ts";

/** Largest page `list` returns. */
export const MAX_PAGE = 1000;

/** Check a page query; returns `[offset, limit]`. */
export function pageBounds(query: HistoryQuery = {}): [number, number] {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE) {
    throw new RangeError(`bad limit ${limit} (0..${MAX_PAGE})`);
  }
  return [offset, limit];
}

/**
 * A prediction history kept in one JSON Lines file.
 *
 * @example
 * ```ts ignore
 * import { LocalHistory } from "./local_history.ts";
 * const history = new LocalHistory(".cache/history/predictions.jsonl");
 * await history.append(entry);
 * const { entries, total } = await history.list({ limit: 20 });
 * ```
 */
export class LocalHistory implements PredictionHistory {
  #path: string;

  /** A history in the file at `path` (created on the first append). */
  constructor(path: string) {
    this.#path = path;
  }

  /** Append one entry (durable when resolved). */
  async append(entry: HistoryEntry): Promise<void> {
    const dir = this.#path.includes("/") ? this.#path.slice(0, this.#path.lastIndexOf("/")) : ".";
    await Deno.mkdir(dir, { recursive: true });
    const line = new TextEncoder().encode(JSON.stringify(entry) + "\n");
    const file = await Deno.open(this.#path, { append: true, create: true });
    try {
      let written = 0;
      while (written < line.length) written += await file.write(line.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
  }

  /**
   * A page, newest first; a torn last line (crash mid-write: no final
   * newline) is skipped. Only the page's lines are parsed, so a page of a
   * long history costs one read and a line split.
   */
  async list(query?: HistoryQuery): Promise<HistoryPage> {
    const [offset, limit] = pageBounds(query);
    let text: string;
    try {
      text = await Deno.readTextFile(this.#path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return { entries: [], total: 0 };
      throw err;
    }
    const lines = text.split("\n");
    lines.pop(); // after the last newline: empty, or a torn line
    const kept = lines.filter((l) => l.trim() !== "");
    const entries: HistoryEntry[] = [];
    const end = kept.length - offset;
    for (let i = end - 1; i >= Math.max(0, end - limit); i--) {
      try {
        const value = JSON.parse(kept[i]);
        if (typeof value?.id === "string") entries.push(value);
      } catch {
        // a damaged line: skipped
      }
    }
    return { entries, total: kept.length };
  }

  /** Remove every entry. */
  async clear(): Promise<number> {
    const count = (await this.#readAll()).length;
    try {
      await Deno.remove(this.#path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return count;
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async #readAll(): Promise<HistoryEntry[]> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.#path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
    const out: HistoryEntry[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const value = JSON.parse(line);
        if (typeof value?.id === "string") out.push(value);
      } catch {
        // a torn line from a crash mid-append: skipped
      }
    }
    return out;
  }
}
