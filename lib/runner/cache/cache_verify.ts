/**
 * `cache verify`: re-hash every object of the local cache and find those
 * whose bytes no longer have their hash (a disk error, an editor that wrote
 * through a hard link, a stray `dd`). With `repair`, a corrupt object is
 * stored again from the workspace when a file there still has its content
 * (an out or dep recorded in pipeline.lock, or a file of a recorded folder),
 * and removed otherwise — a missing object is rebuilt by the next `repro` or
 * fetched by `pull`, a corrupt one only makes `checkout` and `push` fail.
 *
 * @module
 */
import { join } from "node:path";
import { decodeManifest, encodeManifest, hashFile, hashPath, isDirHash } from "./hash.ts";
import type { LocalStore } from "./local_store.ts";
import type { LockFile } from "./lock.ts";

/** Options of {@linkcode verifyCache}. */
export interface VerifyCacheOptions {
  /** Store again (from the workspace) or remove each corrupt object. */
  repair?: boolean;
  /** pipeline.lock: where the workspace copies of objects are. */
  lock: LockFile;
  /** Workspace root. */
  root: string;
}

/** What {@linkcode verifyCache} found and did. */
export interface VerifyCacheResult {
  /** Objects re-hashed. */
  checked: number;
  /** Objects whose bytes do not match their hash. */
  corrupt: string[];
  /** Corrupt objects stored again from a workspace file (repair). */
  restored: string[];
  /** Corrupt objects removed, with no intact copy in the workspace (repair). */
  removed: string[];
}

/**
 * Verify (and with `repair`, fix) every object of the local cache.
 *
 * @example
 * ```ts ignore
 * import { verifyCache } from "./cache_verify.ts";
 * const r = await verifyCache(ws.store as LocalStore, { lock, root: ws.root, repair: true });
 * r.corrupt.length; // 0 when the cache is sound
 * ```
 */
export async function verifyCache(
  store: LocalStore,
  options: VerifyCacheOptions,
): Promise<VerifyCacheResult> {
  const result: VerifyCacheResult = { checked: 0, corrupt: [], restored: [], removed: [] };
  for await (const hash of store.listObjects()) {
    result.checked++;
    if (await store.verifyObject(hash) === "corrupt") result.corrupt.push(hash);
  }
  result.corrupt.sort();
  if (!options.repair || result.corrupt.length === 0) return result;
  const copies = await workspaceCopies(store, options);
  for (const hash of result.corrupt) {
    if (isDirHash(hash)) {
      // A folder manifest: rebuilt from a recorded folder that still hashes to it.
      const files = await intactFolder(copies.get(hash) ?? [], hash);
      if (files) {
        await store.putObjectBytes(hash, encodeManifest(files));
        result.restored.push(hash);
        continue;
      }
    }
    const source = isDirHash(hash) ? undefined : await intactCopy(copies.get(hash) ?? [], hash);
    if (source) {
      await store.putObject(hash, source);
      result.restored.push(hash);
    } else {
      await store.deleteObject(hash);
      result.removed.push(hash);
    }
  }
  return result;
}

/** Object hash -> workspace files that should hold its content (from the lock). */
async function workspaceCopies(
  store: LocalStore,
  o: VerifyCacheOptions,
): Promise<Map<string, string[]>> {
  const copies = new Map<string, string[]>();
  const add = (hash: string, path: string) => copies.set(hash, [...copies.get(hash) ?? [], path]);
  for (const entry of Object.values(o.lock.stages)) {
    for (const item of [...entry.outs, ...entry.deps]) {
      const abs = join(o.root, item.path);
      add(item.hash, abs);
      if (!isDirHash(item.hash)) continue;
      let bytes: Uint8Array | undefined;
      try {
        bytes = await store.readObjectBytes(item.hash);
      } catch {
        continue; // the manifest itself is corrupt: nothing to learn from it
      }
      if (!bytes) continue;
      for (const file of decodeManifest(bytes, item.hash)) add(file.hash, join(abs, file.relpath));
    }
  }
  return copies;
}

async function intactCopy(paths: string[], hash: string): Promise<string | undefined> {
  for (const path of paths) {
    try {
      if ((await hashFile(path)).hash === hash) return path;
    } catch {
      // missing or unreadable: try the next
    }
  }
  return undefined;
}

async function intactFolder(paths: string[], hash: string) {
  for (const path of paths) {
    const info = await hashPath(path).catch(() => undefined);
    if (info?.hash === hash && info.files) return info.files;
  }
  return undefined;
}
