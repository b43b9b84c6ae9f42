/**
 * `exp remove ID...` and `exp gc`: forgetting experiments. Their cache
 * objects are then freed by `deno task gc`, which keeps the objects of every
 * experiment still recorded (see {@linkcode experimentLocks}).
 *
 * @module
 */
import { ConfigError, LockedError } from "../errors.ts";
import { type LockFile, parseLock } from "../runner/cache/lock.ts";
import { type ExperimentRecord, expPaths, listRecords, readRecord } from "./record.ts";

/**
 * Remove the named experiments (records and leftover workspaces). A running
 * one is refused.
 *
 * @example
 * ```ts ignore
 * await removeExperiments(ws.cacheDir, ["exp-1a2b3c"]);
 * ```
 */
export async function removeExperiments(cacheDir: string, ids: string[]): Promise<void> {
  for (const id of ids) await readRecord(cacheDir, id); // unknown ids fail before anything goes
  const running = (await listRecords(cacheDir)).filter((r) =>
    r.status === "running" && ids.includes(r.id)
  );
  if (running.length) {
    throw new ConfigError(`experiment '${running[0].id}' is running (pid ${running[0].pid})`, {
      field: "ID",
    });
  }
  for (const id of ids) await Deno.remove(expPaths(cacheDir, id).dir, { recursive: true });
}

/**
 * `exp gc`: remove failed (and interrupted) experiments, and with `all` the
 * finished ones too; queued and running ones stay. Returns the removed ids.
 *
 * @example
 * ```ts ignore
 * const removed = await gcExperiments(ws.cacheDir, { all: false });
 * ```
 */
export async function gcExperiments(
  cacheDir: string,
  options: { all?: boolean; dryRun?: boolean } = {},
): Promise<string[]> {
  const gone = (await listRecords(cacheDir)).filter((r) =>
    r.status === "failed" || (options.all && r.status === "done")
  ).map((r) => r.id);
  if (!options.dryRun) {
    for (const id of gone) await Deno.remove(expPaths(cacheDir, id).dir, { recursive: true });
  }
  return gone;
}

/**
 * The pipeline.lock of every finished experiment, for the cache's gc to keep
 * their outs. Throws a `LockedError` while an experiment runs (its outs are
 * in no lock yet).
 *
 * @example
 * ```ts ignore
 * const keep = [workspaceLock, ...await experimentLocks(ws.cacheDir)];
 * ```
 */
export async function experimentLocks(cacheDir: string): Promise<LockFile[]> {
  const records: ExperimentRecord[] = await listRecords(cacheDir);
  const running = records.find((r) => r.status === "running");
  if (running) {
    throw new LockedError(`experiment '${running.id}' is running (pid ${running.pid})`, {
      hint: "run gc once it has finished",
    });
  }
  return records.flatMap((r) =>
    r.lock === undefined ? [] : [parseLock(r.lock, `experiment ${r.id}: pipeline.lock`)]
  );
}
