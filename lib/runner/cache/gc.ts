/**
 * Garbage collection of a store: keep the objects the given locks' outs refer
 * to (and, for kept directory manifests, the files they list), remove every
 * other object, and remove run-cache entries that would point at removed or
 * missing objects. Run entries do not keep objects alive on their own.
 *
 * Order matters for a crash half-way: run entries go first (so none points
 * at a removed object), then manifests, then plain files (so a manifest in
 * the store still implies its files are there).
 *
 * Run it under the `WorkspaceLock` (`workspace_lock.ts`): a concurrent `repro` may have
 * saved objects that no lock mentions yet.
 *
 * @module
 */
import { decodeManifest, isDirHash } from "./hash.ts";
import type { LockFile } from "./lock.ts";
import type { ObjectStore } from "./object_store.ts";

/** Options of {@linkcode collectGarbage}. */
export interface GcOptions {
  /** Locks whose outs must survive (e.g. the workspace lock, or one per git branch). */
  keep: LockFile[];
  /** Count what would be removed without removing anything. */
  dryRun?: boolean;
}

/** What {@linkcode collectGarbage} removed (or would remove, in a dry run). */
export interface GcResult {
  /** Objects removed. */
  removedObjects: number;
  /** Run-cache entries removed. */
  removedRuns: number;
  /** Objects kept. */
  keptObjects: number;
  /** Bytes freed, when the store can size its objects. */
  freedBytes?: number;
}

/**
 * Every object hash reachable from the locks. A referenced manifest that is
 * corrupt throws a `CacheError`: without it we cannot tell which files to keep.
 */
async function reachable(store: ObjectStore, keep: LockFile[]): Promise<Set<string>> {
  const roots = new Set<string>();
  for (const lock of keep) {
    for (const stage of Object.values(lock.stages)) {
      for (const out of stage.outs) roots.add(out.hash);
    }
  }
  const all = new Set(roots);
  for (const hash of roots) {
    if (!isDirHash(hash)) continue;
    const bytes = await store.readObjectBytes(hash);
    if (bytes) { for (const file of decodeManifest(bytes, hash)) all.add(file.hash); }
  }
  return all;
}

/**
 * Remove unreferenced objects and the run entries that relied on them.
 *
 * @example
 * ```ts ignore
 * import { collectGarbage } from "./gc.ts";
 * import { readLock } from "./lock.ts";
 * const result = await collectGarbage(store, { keep: [await readLock("pipeline.lock")] });
 * console.log(`${result.removedObjects} objects, ${result.freedBytes ?? "?"} bytes freed`);
 * ```
 */
export async function collectGarbage(store: ObjectStore, options: GcOptions): Promise<GcResult> {
  const keep = await reachable(store, options.keep);
  const present = await Array.fromAsync(store.listObjects());
  const available = new Set(present.filter((h) => keep.has(h)));
  const doomed = present.filter((h) => !keep.has(h))
    .sort((a, b) => Number(isDirHash(b)) - Number(isDirHash(a)));

  const staleRuns = (await Array.fromAsync(store.listRuns()))
    .filter((run) => run.outs.some((out) => !available.has(out.hash)));

  let freedBytes: number | undefined;
  if (store.statObject) {
    freedBytes = 0;
    for (const hash of doomed) freedBytes += (await store.statObject(hash))?.size ?? 0;
  }
  if (!options.dryRun) {
    for (const run of staleRuns) await store.deleteRun(run.signature);
    for (const hash of doomed) await store.deleteObject(hash);
  }
  return {
    removedObjects: doomed.length,
    removedRuns: staleRuns.length,
    keptObjects: available.size,
    ...(freedBytes === undefined ? {} : { freedBytes }),
  };
}
