/**
 * One mutating command (`repro`, `checkout`, `gc`) per workspace at a time.
 *
 * The lock is a file (`<cacheDir>/repro.lock`) created with `createNew`
 * (O_EXCL, so exactly one process wins) holding who took it: pid, command,
 * host, start time, plus the holder's kernel start time and boot id. A second
 * command finding it held by a live process gets a {@linkcode LockedError}
 * naming the holder. A lock whose holder is gone (crashed, killed -9) is
 * recovered with a warning. "Gone" means: same host, and the pid no longer
 * exists, is a zombie, or now belongs to a different process (its start time
 * in `/proc/<pid>/stat` differs — PID reuse), or the machine rebooted (boot id
 * differs). A lock from another host is never broken automatically.
 *
 * @module
 */
import { join } from "node:path";
import { LockedError, storageErrorFrom } from "../../errors.ts";
import { type Logger, nullLogger } from "../../log.ts";
import { tempSibling, writeFileAtomic } from "../../atomic.ts";
import { endOrphanGroups, leaderStart, type StageGroup } from "./_process_groups.ts";

/** File name of the lock inside the directory given to {@linkcode WorkspaceLock.acquire}. */
export const WORKSPACE_LOCK_FILE = "repro.lock";

/** A lock file that cannot be parsed and is younger than this (ms) is being written. */
const UNREADABLE_GRACE_MS = 10_000;

/** Who holds the lock, as written in the lock file. */
export interface LockHolder {
  /** Process id. */
  pid: number;
  /** The command that took the lock (for the message). */
  command: string;
  /** Host name. */
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Kernel start time of the process (`/proc/<pid>/stat` field 22), against PID reuse. */
  procStart?: string;
  /** `/proc/sys/kernel/random/boot_id`, to notice a reboot. */
  bootId?: string;
  /** Random id of this acquisition, so a release never removes someone else's lock. */
  token: string;
  /** Process groups of the stage commands running now (repro), ended when the lock is recovered. */
  groups?: StageGroup[];
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    // Deno only lets a process read other processes' /proc entries with
    // --allow-all; the least-privilege tasks fall back to `kill -0` then.
    if (
      err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotSupported ||
      err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied
    ) {
      return undefined;
    }
    throw err;
  }
}

/** Fields of `/proc/<pid>/stat` after the command name, or undefined without /proc. */
async function procStat(pid: number): Promise<string[] | undefined> {
  const text = await readOrUndefined(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  return text.slice(text.lastIndexOf(")") + 2).split(" "); // [0] = state (field 3)
}

async function bootId(): Promise<string | undefined> {
  return (await readOrUndefined("/proc/sys/kernel/random/boot_id"))?.trim();
}

async function hasProc(): Promise<boolean> {
  return (await readOrUndefined("/proc/self/stat")) !== undefined;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    const ok = typeof h === "object" && h !== null && Number.isSafeInteger(h.pid) &&
      typeof h.command === "string" && typeof h.host === "string" &&
      typeof h.startedAt === "string" && typeof h.token === "string";
    return ok ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be running; unknowable cases count as alive. */
async function holderAlive(h: LockHolder): Promise<boolean> {
  if (h.host !== Deno.hostname()) return true;
  if (await hasProc()) {
    if (h.bootId && h.bootId !== (await bootId())) return false;
    const stat = await procStat(h.pid);
    if (!stat) return false;
    if (stat[0] === "Z" || stat[0] === "X") return false;
    return !h.procStart || stat[19] === h.procStart; // field 22
  }
  try {
    const { success } = await new Deno.Command("kill", {
      args: ["-0", String(h.pid)],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return true;
  }
}

function describe(h: LockHolder): string {
  return `pid ${h.pid} ('${h.command}', started ${h.startedAt}` +
    (h.host === Deno.hostname() ? ")" : `, on host ${h.host})`);
}

/**
 * Move a stale lock out of the way — unless another process replaced it
 * after we read it, in which case theirs is put back.
 */
/**
 * Create the lock file holding `holder`. A write that fails (a full disk)
 * removes the file again: an empty lock would block every later command.
 */
async function writeNew(path: string, holder: LockHolder): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(holder, null, 2) + "\n");
  using f = await Deno.open(path, { write: true, createNew: true, mode: 0o644 });
  try {
    let written = 0;
    while (written < bytes.length) written += await f.write(bytes.subarray(written));
  } catch (err) {
    await Deno.remove(path).catch(() => {});
    throw err;
  }
}

async function breakLock(path: string, staleText: string): Promise<void> {
  const aside = tempSibling(path);
  try {
    await Deno.rename(path, aside);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return; // someone else broke it
    throw err;
  }
  if ((await readOrUndefined(aside)) !== staleText) {
    await Deno.link(aside, path).catch(() => {});
  }
  await Deno.remove(aside).catch(() => {});
}

/** Options of {@linkcode WorkspaceLock.acquire}. */
export interface AcquireOptions {
  /** What is taking the lock (shown to whoever is refused). */
  command: string;
  /** Where to warn about a recovered stale lock. */
  log?: Logger;
}

/**
 * An exclusive lock on a workspace, held from {@linkcode WorkspaceLock.acquire}
 * to {@linkcode WorkspaceLock.release} (or the end of an `await using` block).
 *
 * @example
 * ```ts ignore
 * import { WorkspaceLock } from "./workspace_lock.ts";
 * const held = await WorkspaceLock.acquire(".cache", { command: "repro", log });
 * try {
 *   // … run stages …
 * } finally {
 *   await held.release();
 * }
 * ```
 */
export class WorkspaceLock {
  /** Path of the lock file. */
  readonly path: string;
  /** What this process wrote into it. */
  readonly holder: LockHolder;
  #released = false;
  readonly #log: Logger;

  private constructor(path: string, holder: LockHolder, log: Logger) {
    this.path = path;
    this.holder = holder;
    this.#log = log;
  }

  /**
   * Take the lock in `dir` (created if needed), recovering a stale one; a
   * live holder makes it throw a {@linkcode LockedError}.
   *
   * @example
   * ```ts ignore
   * await using held = await WorkspaceLock.acquire(".cache", { command: "gc" });
   * ```
   */
  static async acquire(dir: string, options: AcquireOptions): Promise<WorkspaceLock> {
    const log = options.log ?? nullLogger;
    const path = join(dir, WORKSPACE_LOCK_FILE);
    await Deno.mkdir(dir, { recursive: true });
    const holder: LockHolder = {
      pid: Deno.pid,
      command: options.command,
      host: Deno.hostname(),
      startedAt: new Date().toISOString(),
      procStart: (await procStat(Deno.pid))?.[19],
      bootId: await bootId(),
      token: crypto.randomUUID(),
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await writeNew(path, holder);
        return new WorkspaceLock(path, holder, log);
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) throw storageErrorFrom(err, path) ?? err;
      }
      const text = await readOrUndefined(path);
      if (text === undefined) continue; // released meanwhile
      const other = parseHolder(text);
      if (other && (await holderAlive(other))) {
        throw new LockedError(`workspace is locked by ${describe(other)}`, {
          file: path,
          hint: `wait for it to finish; if that process is gone, delete ${path}`,
        });
      }
      if (!other) {
        const mtime = (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime();
        if (mtime !== undefined && Date.now() - mtime < UNREADABLE_GRACE_MS) {
          throw new LockedError("workspace lock is being taken by another process", {
            file: path,
            hint: `try again; if it persists, delete ${path}`,
          });
        }
      }
      log.warn("recovering a stale workspace lock (its holder is gone)", {
        file: path,
        holder: other ? describe(other) : "unreadable lock file",
      });
      if (other?.groups?.length && other.host === Deno.hostname()) {
        const sameBoot = !other.bootId || other.bootId === (await bootId());
        // The dead runner's stage commands may still run (in their own
        // sessions): end them before anything else writes their outs.
        if (sameBoot) await endOrphanGroups(other.groups, { log });
      }
      await breakLock(path, text);
    }
    throw new LockedError("could not take the workspace lock: other processes keep taking it", {
      file: path,
    });
  }

  /**
   * Release the lock; a no-op the second time. A lock file that now belongs
   * to someone else (ours was broken as stale) is left alone.
   *
   * @example
   * ```ts ignore
   * await held.release();
   * ```
   */
  /**
   * Record the process groups of the stage commands running now (replacing
   * the previous list), so that a command recovering this lock after the
   * runner was killed can end them.
   *
   * @example
   * ```ts ignore
   * await lock.recordGroups([{ stage: "train", pgid: 4242 }]);
   * ```
   */
  async recordGroups(groups: { stage: string; pgid: number }[]): Promise<void> {
    if (this.#released) return;
    const withStart = await Promise.all(
      groups.map(async (g) => ({ ...g, start: await leaderStart(g.pgid) })),
    );
    const holder: LockHolder = { ...this.holder, groups: withStart };
    if (withStart.length === 0) delete holder.groups;
    const text = await readOrUndefined(this.path);
    if (text === undefined || parseHolder(text)?.token !== this.holder.token) return;
    await writeFileAtomic(this.path, JSON.stringify(holder, null, 2) + "\n");
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const text = await readOrUndefined(this.path);
    if (text !== undefined && parseHolder(text)?.token === this.holder.token) {
      await Deno.remove(this.path).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    } else {
      this.#log.warn("workspace lock was taken over while held", { file: this.path });
    }
  }

  /** `await using` support: releases the lock. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}
