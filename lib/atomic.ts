/**
 * Atomic file writes: readers see the old content or the new, never a part.
 * Used for pipeline.lock, the hash memo, cache objects and parse caches.
 *
 * @module
 */
import { dirname } from "node:path";

/** Options of {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (default: 0o644 less the umask). */
  mode?: number;
  /** Test hook, run after the temp file is written and synced, before the rename. */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Name of a temporary sibling of `path` (matches `*.tmp-*`, git-ignored).
 *
 * @example
 * ```ts
 * import { tempSibling } from "./atomic.ts";
 * tempSibling("out/model.bin"); // "out/model.bin.tmp-1a2b3c4d"
 * ```
 */
export function tempSibling(path: string): string {
  return `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Fsync a directory so a rename inside it survives a power loss; best effort
 * (some platforms cannot open a directory).
 *
 * @example
 * ```ts ignore
 * import { syncDir } from "./atomic.ts";
 * await syncDir(".cache");
 * ```
 */
export async function syncDir(dir: string): Promise<void> {
  try {
    using d = await Deno.open(dir, { read: true });
    await d.sync();
  } catch {
    // Not supported here; the rename itself is still atomic.
  }
}

/**
 * Write a file so readers see either the old or the new content, never a
 * part: temp file in the same directory, fsync, rename, fsync the directory.
 * On failure the temp file is removed (a hard crash may leave a `*.tmp-*`).
 *
 * @example
 * ```ts ignore
 * import { writeFileAtomic } from "./atomic.ts";
 * await writeFileAtomic(".cache/memo.json", "{}");
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const temp = tempSibling(path);
  try {
    {
      using f = await Deno.open(temp, { write: true, createNew: true, mode: options.mode });
      let written = 0;
      while (written < bytes.length) written += await f.write(bytes.subarray(written));
      await f.sync();
    }
    await options.beforeRename?.(temp);
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
  await syncDir(dirname(path) || ".");
}
