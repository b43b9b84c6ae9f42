/**
 * A small advisory lock file (`createNew` + the holder's pid), so two
 * processes never build the same tool or start/stop the same services at
 * once. A lock whose holder is dead is taken over.
 *
 * @module
 */
import { LockedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { isAlive, sleep } from "./process.ts";

/** Options of {@linkcode withFileLock}. */
export interface FileLockOptions {
  /** Progress messages ("waiting for pid …"). */
  log: Logger;
  /** What the lock protects, for messages ("the build of minio"). */
  what: string;
  /** Give up after this long (default 30 minutes: a first build is slow). */
  timeoutMs?: number;
  /** Stop waiting when aborted (throws the abort reason). */
  signal?: AbortSignal;
}

/**
 * Run `fn` while holding the lock file `path`; wait while a live process
 * holds it, and throw a {@linkcode LockedError} after the timeout.
 *
 * @example
 * ```ts ignore
 * import { withFileLock } from "./_lock.ts";
 * import { nullLogger } from "../log.ts";
 * await withFileLock("/tmp/x.lock", { log: nullLogger, what: "x" }, async () => {});
 * ```
 */
export async function withFileLock<T>(
  path: string,
  options: FileLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let announced = false;
  while (true) {
    try {
      const file = await Deno.open(path, { write: true, createNew: true });
      try {
        await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
      } finally {
        file.close();
      }
      break;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    const holder = await readHolder(path);
    if (holder === undefined && (await ageMs(path)) < 2000) {
      await sleep(50); // its holder may be writing its pid right now
      continue;
    }
    if (holder === undefined || !isAlive(holder)) {
      // A dead holder (or a file it never finished): take the lock over.
      await Deno.remove(path).catch(() => {});
      continue;
    }
    options.signal?.throwIfAborted();
    if (holder === Deno.pid) {
      throw new LockedError(`${options.what}: lock ${path} is already held by this process`);
    }
    if (Date.now() > deadline) {
      throw new LockedError(`${options.what} is locked by pid ${holder} (${path})`, {
        file: path,
        hint: "wait for that process, or remove the lock file if it is stale",
      });
    }
    if (!announced) {
      options.log.info(`waiting for pid ${holder}, which holds ${options.what}`, { lock: path });
      announced = true;
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

async function readHolder(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await Deno.readTextFile(path)).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function ageMs(path: string): Promise<number> {
  try {
    const mtime = (await Deno.stat(path)).mtime;
    return mtime ? Date.now() - mtime.getTime() : Infinity;
  } catch {
    return 0;
  }
}
