/**
 * The local cache directory as an {@linkcode ObjectStore}.
 *
 * Layout (sharded by the first two hex digits, as in DVC and git):
 *
 * ```text
 * <dir>/files/<algo>/ab/cdef…        object (file content or dir manifest, `….dir`)
 * <dir>/runs/ab/cdef….json           run-cache entry, keyed by stage signature
 * ```
 *
 * Every write goes to a `*.tmp-*` sibling first and is renamed into place, so
 * a reader (or a crash) never sees half an object. Objects are made read-only
 * (0o444) to guard against accidental edits; restored copies are 0o644.
 * `Deno.copyFile` uses the kernel's `copy_file_range`, which shares extents
 * (a reflink) on filesystems that support it. Every copy is hashed after it
 * is written and before it is renamed into place: a put whose source changed
 * since it was hashed throws, and a corrupt object is never restored.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { CacheError } from "../../errors.ts";
import { type Logger, nullLogger } from "../../log.ts";
import { DIR_SUFFIX, HASH_ALGO, hashBytes, hashFile, isDirHash, isValidHash } from "./hash.ts";
import { tempSibling, writeFileAtomic } from "../../atomic.ts";
import { type GetResult, type ObjectStore, parseRunEntry, type RunEntry } from "./object_store.ts";

/** Options of {@linkcode LocalStore}. */
export interface LocalStoreOptions {
  /** Where to report unreadable run entries (default: nowhere). */
  log?: Logger;
}

/** The digest an object's content must have: its name without `.dir`. */
function contentHash(hash: string): string {
  return isDirHash(hash) ? hash.slice(0, -DIR_SUFFIX.length) : hash;
}

function checkHash(hash: string): void {
  if (!isValidHash(hash)) throw new TypeError(`invalid object hash '${hash}'`);
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/** Yield `prefix + name` of the files two levels down `root` (`ab/cdef…`). */
async function* walkShards(root: string): AsyncIterable<string> {
  let shards: Deno.DirEntry[];
  try {
    shards = await Array.fromAsync(Deno.readDir(root));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const shard of shards) {
    if (!shard.isDirectory || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
    for await (const entry of Deno.readDir(join(root, shard.name))) {
      if (entry.isFile) yield shard.name + entry.name;
    }
  }
}

/**
 * A content-addressed cache in a local directory.
 *
 * @example
 * ```ts ignore
 * import { LocalStore } from "./local_store.ts";
 * import { hashFile } from "./hash.ts";
 * const store = new LocalStore(".cache");
 * const { hash } = await hashFile("artifacts/model.bin");
 * await store.putObject(hash, "artifacts/model.bin");
 * await store.getObject(hash, "/tmp/model.bin"); // "ok"
 * ```
 */
export class LocalStore implements ObjectStore {
  /** The cache directory as given. */
  readonly description: string;
  readonly #dir: string;
  readonly #log: Logger;

  /** A store rooted at `dir` (created on first write). */
  constructor(dir: string, options: LocalStoreOptions = {}) {
    this.description = dir;
    this.#dir = dir;
    this.#log = options.log ?? nullLogger;
  }

  /**
   * Where the object `hash` lives (for messages and tests).
   *
   * @example
   * ```ts ignore
   * new LocalStore(".cache").objectPath("ab12…"); // ".cache/files/sha256/ab/12…"
   * ```
   */
  objectPath(hash: string): string {
    checkHash(hash);
    return join(this.#dir, "files", HASH_ALGO, hash.slice(0, 2), hash.slice(2));
  }

  /**
   * Where the run entry for `signature` lives.
   *
   * @example
   * ```ts ignore
   * new LocalStore(".cache").runPath("ab12…"); // ".cache/runs/ab/12….json"
   * ```
   */
  runPath(signature: string): string {
    checkHash(signature);
    return join(this.#dir, "runs", signature.slice(0, 2), signature.slice(2) + ".json");
  }

  /** Whether the object exists. */
  async hasObject(hash: string): Promise<boolean> {
    return (await statOrUndefined(this.objectPath(hash)))?.isFile ?? false;
  }

  /** Byte size of the object, undefined when missing. */
  async statObject(hash: string): Promise<{ size: number } | undefined> {
    const stat = await statOrUndefined(this.objectPath(hash));
    return stat?.isFile ? { size: stat.size } : undefined;
  }

  /**
   * Copy `srcPath` in as `hash`. An object already there is kept only when
   * its content still has its hash: one corrupted in place (same size,
   * other bytes) is replaced, so `repro --force` repairs it.
   */
  async putObject(hash: string, srcPath: string): Promise<void> {
    const dest = this.objectPath(hash);
    const existing = await statOrUndefined(dest);
    if (existing?.isFile && existing.size === (await Deno.stat(srcPath)).size) {
      if (await this.#intact(hash, dest)) return;
    }
    await Deno.mkdir(dirname(dest), { recursive: true });
    const temp = tempSibling(dest);
    try {
      await Deno.copyFile(srcPath, temp);
      const copied = await hashFile(temp);
      if (copied.hash !== contentHash(hash)) {
        throw new CacheError(`content of ${srcPath} does not match hash ${hash}`, {
          file: srcPath,
          hint: "the file changed while it was being saved; run again",
        });
      }
      await Deno.chmod(temp, 0o444);
      await Deno.rename(temp, dest);
    } catch (err) {
      await removeIfExists(temp);
      throw err;
    }
  }

  /** Store small bytes (a dir manifest) as `hash`. */
  async putObjectBytes(hash: string, bytes: Uint8Array): Promise<void> {
    const dest = this.objectPath(hash);
    if (hashBytes(bytes) !== contentHash(hash)) {
      throw new CacheError(`bytes do not match hash ${hash}`, { file: dest });
    }
    const existing = await statOrUndefined(dest);
    if (existing?.isFile && existing.size === bytes.length && await this.#intact(hash, dest)) {
      return;
    }
    await Deno.mkdir(dirname(dest), { recursive: true });
    await writeFileAtomic(dest, bytes, { mode: 0o444 });
  }

  /** Whether the stored object still hashes to its name (a corrupt one is logged). */
  async #intact(hash: string, path: string): Promise<boolean> {
    let actual: string;
    try {
      actual = (await hashFile(path)).hash;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
    if (actual === contentHash(hash)) return true;
    this.#log.warn("corrupt cache object replaced", { object: hash, file: path });
    return false;
  }

  /**
   * Re-hash the object: `ok`, `missing`, or `corrupt` (its bytes no longer
   * have its hash).
   *
   * @example
   * ```ts ignore
   * await new LocalStore(".cache").verifyObject("ab12…"); // "ok"
   * ```
   */
  async verifyObject(hash: string): Promise<GetResult> {
    try {
      return (await hashFile(this.objectPath(hash))).hash === contentHash(hash) ? "ok" : "corrupt";
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return "missing";
      throw err;
    }
  }

  /** Restore `hash` to `destPath`, verified; "missing"/"corrupt" leave dest alone. */
  async getObject(hash: string, destPath: string): Promise<GetResult> {
    const src = this.objectPath(hash);
    if (!(await statOrUndefined(src))?.isFile) return "missing";
    await Deno.mkdir(dirname(destPath), { recursive: true });
    const temp = tempSibling(destPath);
    let placed = false;
    try {
      try {
        await Deno.copyFile(src, temp);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return "missing"; // deleted meanwhile
        throw err;
      }
      if ((await hashFile(temp)).hash !== contentHash(hash)) return "corrupt";
      await Deno.chmod(temp, 0o644);
      await Deno.rename(temp, destPath);
      placed = true;
      return "ok";
    } finally {
      if (!placed) await removeIfExists(temp);
    }
  }

  /** The object's bytes, verified; undefined when missing. */
  async readObjectBytes(hash: string): Promise<Uint8Array | undefined> {
    const path = this.objectPath(hash);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    if (hashBytes(bytes) !== contentHash(hash)) {
      throw new CacheError(`cache object ${hash} is corrupt`, {
        file: path,
        hint: "delete it; the next run that produces it stores it again",
      });
    }
    return bytes;
  }

  /** Remove the object (no-op when missing). */
  async deleteObject(hash: string): Promise<void> {
    await removeIfExists(this.objectPath(hash));
  }

  /** Every object hash; temp files are skipped. */
  async *listObjects(): AsyncIterable<string> {
    for await (const name of walkShards(join(this.#dir, "files", HASH_ALGO))) {
      if (isValidHash(name)) yield name;
    }
  }

  /** The run entry for `signature`; unreadable entries are logged and treated as absent. */
  async getRun(signature: string): Promise<RunEntry | undefined> {
    const path = this.runPath(signature);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    let entry: RunEntry | undefined;
    try {
      entry = parseRunEntry(JSON.parse(text));
    } catch {
      entry = undefined;
    }
    if (entry?.signature !== signature) {
      this.#log.warn("ignoring unreadable run-cache entry", { file: path });
      return undefined;
    }
    return entry;
  }

  /** Record (or replace) a run entry. */
  async putRun(entry: RunEntry): Promise<void> {
    const valid = parseRunEntry(entry);
    if (!valid) throw new TypeError(`malformed run entry for stage '${entry.stage}'`);
    const path = this.runPath(valid.signature);
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, JSON.stringify(valid, null, 2) + "\n");
  }

  /** Remove a run entry (no-op when missing). */
  async deleteRun(signature: string): Promise<void> {
    await removeIfExists(this.runPath(signature));
  }

  /** Every readable run entry. */
  async *listRuns(): AsyncIterable<RunEntry> {
    for await (const name of walkShards(join(this.#dir, "runs"))) {
      if (!name.endsWith(".json")) continue;
      const signature = name.slice(0, -".json".length);
      if (!isValidHash(signature)) continue;
      const entry = await this.getRun(signature);
      if (entry) yield entry;
    }
  }
}
