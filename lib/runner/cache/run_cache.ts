/**
 * The run cache: stage signature (cmd + dep hashes + param values, see
 * `stageSignature` in `lock.ts`) -> the outs that run produced. When a stage is
 * stale but its exact inputs were seen before, its outs are restored instead
 * of running it again (DVC's run-cache).
 *
 * An entry is only returned if every one of its outs can be restored right
 * now: each out object exists, and for a directory out its manifest is
 * readable and every file it lists exists. A partial entry is a miss.
 *
 * @module
 */
import { CacheError } from "../../errors.ts";
import { decodeManifest, isDirHash } from "./hash.ts";
import type { ObjectStore, RunEntry } from "./object_store.ts";

/** Options of {@linkcode lookupRun}. */
export interface LookupRunOptions {
  /** Declared out paths: an entry recorded with other outs is a miss. */
  outs?: readonly string[];
}

/** Whether an object (and, for a directory, every file it lists) is in the store. */
async function restorable(store: ObjectStore, hash: string): Promise<boolean> {
  if (!isDirHash(hash)) return await store.hasObject(hash);
  try {
    const bytes = await store.readObjectBytes(hash);
    if (!bytes) return false;
    for (const file of decodeManifest(bytes, hash)) {
      if (!(await store.hasObject(file.hash))) return false;
    }
    return true;
  } catch (err) {
    if (err instanceof CacheError) return false;
    throw err;
  }
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort(), y = [...b].sort();
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/**
 * The run entry for `signature` if all its outs are restorable, else undefined.
 *
 * @example
 * ```ts ignore
 * import { lookupRun } from "./run_cache.ts";
 * import { stageSignature } from "./lock.ts";
 * const entry = await lookupRun(store, stageSignature({ cmd, deps, params }));
 * if (entry) for (const out of entry.outs) await restoreOut(store, out.path, out.hash);
 * ```
 */
export async function lookupRun(
  store: ObjectStore,
  signature: string,
  options: LookupRunOptions = {},
): Promise<RunEntry | undefined> {
  const entry = await store.getRun(signature);
  if (!entry || entry.signature !== signature) return undefined;
  if (options.outs && !samePaths(options.outs, entry.outs.map((o) => o.path))) return undefined;
  for (const out of entry.outs) {
    if (!(await restorable(store, out.hash))) return undefined;
  }
  return entry;
}

/**
 * Record that the run with `entry.signature` produced `entry.outs`. Save the
 * outs first: a {@linkcode CacheError} is thrown if any out object is not in
 * the store, since such an entry could never be used.
 *
 * @example
 * ```ts ignore
 * import { recordRun } from "./run_cache.ts";
 * await recordRun(store, { signature, stage: "train", outs, createdAt: new Date().toISOString() });
 * ```
 */
export async function recordRun(store: ObjectStore, entry: RunEntry): Promise<void> {
  for (const out of entry.outs) {
    if (!(await store.hasObject(out.hash))) {
      throw new CacheError(`cannot record run: out '${out.path}' is not in the cache`, {
        stage: entry.stage,
        file: out.path,
        hint: "save the outs (saveOut) before recording the run",
      });
    }
  }
  await store.putRun(entry);
}
