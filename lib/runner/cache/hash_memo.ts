/**
 * The stat cache: (path, size, mtime, inode, device) -> content hash, kept in
 * one JSON file, so an unchanged file is never re-read and a no-op `status`
 * only stats files.
 *
 * The racy-timestamp guard (as in git and DVC): a file whose mtime is within
 * {@linkcode RACY_WINDOW_MS} of the moment it was stat'ed is not memoized. A
 * write landing in the same mtime tick right after hashing would otherwise
 * leave size, mtime and inode unchanged and the stale hash trusted forever.
 * Such a file is simply hashed again next time, until it is old enough.
 *
 * The memo is only a cache: an unreadable or foreign memo file is ignored
 * (and logged), never an error.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { type Logger, nullLogger } from "../../log.ts";
import { HASH_ALGO } from "../../file_hash.ts";
import { writeFileAtomic } from "../../atomic.ts";

/** Files modified this recently (ms) before being stat'ed are not memoized. */
export const RACY_WINDOW_MS = 2000;

interface MemoEntry {
  size: number;
  mtime: number;
  ino: number | null;
  dev: number;
  hash: string;
}

interface MemoFile {
  version: 1;
  algo: string;
  entries: Record<string, MemoEntry>;
}

/** Options of {@linkcode HashMemo.open}. */
export interface HashMemoOptions {
  /** Where to report an unreadable memo file (default: nowhere). */
  log?: Logger;
}

function isEntry(v: unknown): v is MemoEntry {
  const e = v as MemoEntry;
  return typeof e === "object" && e !== null && typeof e.size === "number" &&
    typeof e.mtime === "number" && (typeof e.ino === "number" || e.ino === null) &&
    typeof e.dev === "number" && typeof e.hash === "string";
}

/**
 * A persisted stat cache of file hashes. Paths are keyed absolute, so the
 * same file reached by two relative spellings shares one entry.
 *
 * @example
 * ```ts ignore
 * import { HashMemo } from "./hash_memo.ts";
 * import { hashPath } from "./hash.ts";
 * const memo = await HashMemo.open(".cache/hash_memo.json");
 * const info = await hashPath("data/phishing.csv", { memo }); // re-read only if changed
 * await memo.save();
 * ```
 */
export class HashMemo {
  readonly #file: string;
  readonly #entries: Map<string, MemoEntry>;
  #dirty = false;

  private constructor(file: string, entries: Map<string, MemoEntry>) {
    this.#file = file;
    this.#entries = entries;
  }

  /**
   * Load the memo from `file`; a missing, unreadable or foreign file gives an
   * empty memo.
   *
   * @example
   * ```ts ignore
   * import { HashMemo } from "./hash_memo.ts";
   * const memo = await HashMemo.open(".cache/hash_memo.json");
   * ```
   */
  static async open(file: string, options: HashMemoOptions = {}): Promise<HashMemo> {
    const log = options.log ?? nullLogger;
    const entries = new Map<string, MemoEntry>();
    let text: string | undefined;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (text !== undefined) {
      try {
        const data = JSON.parse(text) as MemoFile;
        if (data?.version !== 1 || data.algo !== HASH_ALGO || typeof data.entries !== "object") {
          throw new Error("unknown format");
        }
        for (const [path, entry] of Object.entries(data.entries)) {
          if (isEntry(entry)) entries.set(path, entry);
        }
      } catch (err) {
        log.warn("ignoring unreadable hash memo; files will be re-hashed", {
          file,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return new HashMemo(file, entries);
  }

  /** Number of memoized files. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The memoized hash of `path` if its stat still matches, else undefined.
   *
   * @example
   * ```ts ignore
   * const hash = memo.lookup("data/a.csv", await Deno.stat("data/a.csv"));
   * ```
   */
  lookup(path: string, stat: Deno.FileInfo): string | undefined {
    const e = this.#entries.get(resolve(path));
    if (!e || stat.mtime === null) return undefined;
    const same = e.size === stat.size && e.mtime === stat.mtime.getTime() &&
      e.ino === stat.ino && e.dev === stat.dev;
    return same ? e.hash : undefined;
  }

  /**
   * Remember `hash` for `path` as of `stat`. Skipped (and any old entry
   * dropped) when the file's mtime is within {@linkcode RACY_WINDOW_MS} of
   * `observedAt`, the time (ms since epoch) `stat` was taken — default now.
   *
   * @example
   * ```ts ignore
   * const observedAt = Date.now();
   * const stat = await Deno.stat("data/a.csv");
   * memo.record("data/a.csv", stat, (await hashFile("data/a.csv")).hash, observedAt);
   * ```
   */
  record(path: string, stat: Deno.FileInfo, hash: string, observedAt: number = Date.now()): void {
    const key = resolve(path);
    if (stat.mtime === null || observedAt - stat.mtime.getTime() < RACY_WINDOW_MS) {
      if (this.#entries.delete(key)) this.#dirty = true;
      return;
    }
    const entry: MemoEntry = {
      size: stat.size,
      mtime: stat.mtime.getTime(),
      ino: stat.ino,
      dev: stat.dev,
      hash,
    };
    const old = this.#entries.get(key);
    if (
      old && old.hash === hash && old.size === entry.size && old.mtime === entry.mtime &&
      old.ino === entry.ino && old.dev === entry.dev
    ) return;
    this.#entries.set(key, entry);
    this.#dirty = true;
  }

  /**
   * Forget entries whose path fails `keep` (e.g. files that no longer exist).
   *
   * @example
   * ```ts ignore
   * memo.prune((path) => path.startsWith(Deno.cwd()));
   * ```
   */
  prune(keep: (absolutePath: string) => boolean): void {
    for (const path of [...this.#entries.keys()]) {
      if (!keep(path)) {
        this.#entries.delete(path);
        this.#dirty = true;
      }
    }
  }

  /**
   * Write the memo atomically, only if something changed since open/save.
   *
   * @example
   * ```ts ignore
   * await memo.save();
   * ```
   */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    const entries: Record<string, MemoEntry> = {};
    for (const key of [...this.#entries.keys()].sort()) entries[key] = this.#entries.get(key)!;
    const data: MemoFile = { version: 1, algo: HASH_ALGO, entries };
    await Deno.mkdir(dirname(this.#file), { recursive: true });
    await writeFileAtomic(this.#file, JSON.stringify(data));
    this.#dirty = false;
  }
}
