/**
 * Saving stage outs into an {@linkcode ObjectStore} and restoring them.
 *
 * A file out is one object. A directory out is one object per file plus its
 * manifest (`<hash>.dir`), stored LAST so that a manifest in the store implies
 * its files made it too, and restored FIRST so nothing is copied for a
 * directory whose manifest is missing or corrupt.
 *
 * Restores always COPY (`Deno.copyFile`, which the kernel turns into a reflink
 * on filesystems that support one), never hardlink or symlink: a stage that
 * later rewrites its out in place (`persist` outs, append-mode logs, a model
 * fine-tuned in place) would otherwise write straight through into the cached
 * object, silently corrupting every other workspace state that refers to it.
 *
 * A restore is all-or-nothing: everything is written beside the target
 * first (`*.tmp-*`) and swapped in only once every object was found and
 * verified; on "missing" or "corrupt" the workspace path is left as it was.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { CacheError } from "../../errors.ts";
import type { HashMemo } from "./hash_memo.ts";
import { decodeManifest, encodeManifest, hashPath, isDirHash, type PathInfo } from "./hash.ts";
import { forEachLimited } from "../../concurrency.ts";
import { tempSibling } from "../../atomic.ts";
import type { GetResult, ObjectStore } from "./object_store.ts";

/** Copies in flight at once when saving or restoring a directory. */
const CONCURRENCY = 4;

/** Options of {@linkcode saveOut}. */
export interface SaveOutOptions {
  /** Stat memo, so unchanged files are not re-read. */
  memo?: HashMemo;
}

/**
 * Hash an out and store it: a file as one object, a directory as its files
 * plus the manifest. Objects already in the store are not copied again.
 * Throws `Deno.errors.NotFound` when nothing exists at `path`, and a
 * {@linkcode CacheError} when a file changes while it is being saved.
 *
 * @example
 * ```ts ignore
 * import { saveOut } from "./out_cache.ts";
 * import { LocalStore } from "./local_store.ts";
 * const info = await saveOut(new LocalStore(".cache"), "artifacts/model");
 * console.log(info.hash, info.size, info.nfiles);
 * ```
 */
export async function saveOut(
  store: ObjectStore,
  path: string,
  options: SaveOutOptions = {},
): Promise<PathInfo> {
  const info = await hashPath(path, { memo: options.memo });
  if (!info) throw new Deno.errors.NotFound(`out '${path}' does not exist`);
  if (!info.isDir) {
    await store.putObject(info.hash, path);
    return info;
  }
  const files = info.files ?? [];
  await forEachLimited(files, CONCURRENCY, async (f) => {
    await store.putObject(f.hash, join(path, f.relpath));
  });
  await store.putObjectBytes(info.hash, encodeManifest(files));
  return info;
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Put the fully built `staged` path at `path`, replacing whatever is there
 * (file or directory). The old content is moved aside first and put back if
 * the final rename fails.
 */
async function swapInto(staged: string, path: string): Promise<void> {
  const old = (await lstatOrUndefined(path)) ? tempSibling(path) : undefined;
  if (old) await Deno.rename(path, old);
  try {
    await Deno.rename(staged, path);
  } catch (err) {
    if (old) await Deno.rename(old, path);
    throw err;
  }
  if (old) await Deno.remove(old, { recursive: true });
}

async function restoreDir(store: ObjectStore, path: string, hash: string): Promise<GetResult> {
  let entries;
  try {
    const bytes = await store.readObjectBytes(hash);
    if (!bytes) return "missing";
    entries = decodeManifest(bytes, hash);
  } catch (err) {
    if (err instanceof CacheError) return "corrupt";
    throw err;
  }
  await Deno.mkdir(dirname(path), { recursive: true });
  const staged = tempSibling(path);
  await Deno.mkdir(staged);
  let result: GetResult = "ok";
  try {
    await forEachLimited(entries, CONCURRENCY, async (e) => {
      if (result !== "ok") return;
      const got = await store.getObject(e.hash, join(staged, e.relpath));
      if (got !== "ok" && result === "ok") result = got;
    });
    if (result === "ok") await swapInto(staged, path);
  } finally {
    // Gone after a successful swap; otherwise the half-built copy is dropped.
    await Deno.remove(staged, { recursive: true }).catch(ignoreNotFound);
  }
  return result;
}

/**
 * Restore an out (file or directory) from the store to `path`, replacing
 * what is there. Every object is verified while it is copied; on "missing"
 * or "corrupt" nothing at `path` changes.
 *
 * @example
 * ```ts ignore
 * import { restoreOut } from "./out_cache.ts";
 * import { LocalStore } from "./local_store.ts";
 * const got = await restoreOut(new LocalStore(".cache"), "artifacts/model", "ab12….dir");
 * if (got !== "ok") console.log(`cannot restore: object ${got}`);
 * ```
 */
export async function restoreOut(
  store: ObjectStore,
  path: string,
  hash: string,
): Promise<GetResult> {
  if (isDirHash(hash)) return await restoreDir(store, path, hash);
  const existing = await lstatOrUndefined(path);
  if (!existing?.isDirectory) return await store.getObject(hash, path);
  // A directory is in the way: build the file beside it, then swap.
  const staged = tempSibling(path);
  const got = await store.getObject(hash, staged);
  if (got === "ok") await swapInto(staged, path);
  return got;
}
