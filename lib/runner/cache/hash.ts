/**
 * Content hashing for the pipeline runner: files are hashed by streaming them
 * through `node:crypto` in fixed-size chunks (never read whole), directories
 * by hashing a canonical manifest of their files, DVC-style.
 *
 * The algorithm, chunk size and file hashing live in lib/file_hash.ts (with
 * the measurements behind them); this module re-exports them.
 *
 * @module
 */
import { join } from "node:path";
import { CacheError } from "../../errors.ts";
import { type FileHash, hashBytes, hashFile } from "../../file_hash.ts";
import type { HashMemo } from "./hash_memo.ts";

export {
  type FileHash,
  HASH_ALGO,
  HASH_CHUNK_SIZE,
  hashBytes,
  hashFile,
  type HashFileOptions,
  hashFileWith,
} from "../../file_hash.ts";

/** Suffix marking the hash of a directory manifest (as in DVC). */
export const DIR_SUFFIX = ".dir";

/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit), no whitespace,
 * `undefined` fields dropped. The one canonicalisation behind directory
 * manifests and run-cache signatures; `lock.ts` re-exports it.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./hash.ts";
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalise ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  throw new TypeError(`cannot canonicalise a value of type ${typeof value}`);
}

/** One file of a directory, as listed in its manifest. */
export interface DirEntry {
  /** Path relative to the directory, with `/` separators. */
  relpath: string;
  /** Content hash of the file. */
  hash: string;
  /** Byte size of the file. */
  size: number;
}

/** What {@linkcode hashPath} found at a path. */
export interface PathInfo {
  /** File hash, or manifest hash + {@linkcode DIR_SUFFIX} for a directory. */
  hash: string;
  /** Bytes of the file, or total bytes of the directory's files. */
  size: number;
  /** Whether the path is a directory. */
  isDir: boolean;
  /** Number of files (directories only). */
  nfiles?: number;
  /** The manifest: files sorted by relpath (directories only). */
  files?: DirEntry[];
}

/**
 * Whether a hash names a directory manifest.
 *
 * @example
 * ```ts
 * import { isDirHash } from "./hash.ts";
 * isDirHash("ab12.dir"); // true
 * ```
 */
export function isDirHash(hash: string): boolean {
  return hash.endsWith(DIR_SUFFIX);
}

const HASH_RE = /^[0-9a-f]{32,128}(\.dir)?$/;

/**
 * Whether a string is a well-formed object hash (hex, optional `.dir`); guards
 * every place a hash becomes a path.
 *
 * @example
 * ```ts
 * import { isValidHash } from "./hash.ts";
 * isValidHash("../../etc/passwd"); // false
 * ```
 */
export function isValidHash(hash: string): boolean {
  return HASH_RE.test(hash);
}

const byRelpath = (a: DirEntry, b: DirEntry) =>
  a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0;

/**
 * The canonical bytes of a directory manifest (entries sorted by relpath,
 * canonical JSON). Its hash plus {@linkcode DIR_SUFFIX} is the directory hash.
 *
 * @example
 * ```ts
 * import { encodeManifest, hashBytes } from "./hash.ts";
 * const bytes = encodeManifest([{ relpath: "a.txt", hash: hashBytes("a"), size: 1 }]);
 * const dirHash = hashBytes(bytes) + ".dir";
 * ```
 */
export function encodeManifest(files: readonly DirEntry[]): Uint8Array {
  const sorted = files.map(({ relpath, hash, size }) => ({ relpath, hash, size })).sort(
    byRelpath,
  );
  return new TextEncoder().encode(canonicalJson(sorted));
}

function isSafeRelpath(relpath: string): boolean {
  return relpath !== "" && !relpath.startsWith("/") && !relpath.includes("\\") &&
    !relpath.includes("\0") &&
    relpath.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

/**
 * Parse manifest bytes back into entries, rejecting anything that could not
 * have come from {@linkcode encodeManifest} (including paths escaping the
 * directory) with a {@linkcode CacheError}.
 *
 * @example
 * ```ts
 * import { decodeManifest, encodeManifest } from "./hash.ts";
 * decodeManifest(encodeManifest([]), "e3b0….dir"); // []
 * ```
 */
export function decodeManifest(bytes: Uint8Array, hash: string): DirEntry[] {
  const bad = (why: string) => new CacheError(`directory manifest ${hash} is invalid: ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err));
  }
  if (!Array.isArray(value)) throw bad("not a list");
  return value.map((e, i) => {
    const { relpath, hash: h, size } = (e ?? {}) as Record<string, unknown>;
    if (typeof relpath !== "string" || !isSafeRelpath(relpath)) throw bad(`entry ${i}: relpath`);
    if (typeof h !== "string" || !isValidHash(h) || isDirHash(h)) throw bad(`entry ${i}: hash`);
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw bad(`entry ${i}: size`);
    }
    return { relpath, hash: h, size };
  });
}

/** Options of {@linkcode hashPath}. */
export interface HashPathOptions {
  /** Stat cache: unchanged files are not re-read. */
  memo?: HashMemo;
}

async function hashRegularFile(
  path: string,
  stat: Deno.FileInfo,
  memo: HashMemo | undefined,
): Promise<FileHash> {
  const observedAt = Date.now();
  const known = memo?.lookup(path, stat);
  if (known !== undefined) return { hash: known, size: stat.size };
  const result = await hashFile(path);
  // A size change means the file was written while we read it: not memoized.
  if (memo && result.size === stat.size) memo.record(path, stat, result.hash, observedAt);
  return result;
}

function followLink(path: string): Deno.FileInfo {
  try {
    return Deno.statSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new CacheError("broken symlink inside a directory", { file: path, cause: err });
  }
}

// Metadata calls are synchronous on purpose: a no-op `status` stats
// thousands of files, and an awaited async lstat costs ~5x a sync one here
// (bench/status_profile.ts). Content hashing stays async and streamed.
async function walkDir(
  root: string,
  rel: string,
  memo: HashMemo | undefined,
  seen: Set<string>,
  out: DirEntry[],
): Promise<void> {
  const dir = rel === "" ? root : join(root, rel);
  const real = Deno.realPathSync(dir);
  if (seen.has(real)) throw new CacheError("symlink loop in directory", { file: dir });
  seen.add(real);
  for (const entry of Deno.readDirSync(dir)) {
    const relpath = rel === "" ? entry.name : `${rel}/${entry.name}`;
    const full = join(root, relpath);
    const stat = entry.isSymlink ? followLink(full) : Deno.lstatSync(full);
    if (stat.isDirectory) {
      await walkDir(root, relpath, memo, seen, out);
    } else if (stat.isFile) {
      const { hash, size } = await hashRegularFile(full, stat, memo);
      out.push({ relpath, hash, size });
    } else {
      throw new CacheError("cannot hash a special file (socket, fifo or device)", { file: full });
    }
  }
  seen.delete(real);
}

/**
 * Hash a file or a directory; `undefined` when nothing exists at `path`.
 * Symlinks are followed. A directory's hash is the hash of its canonical
 * manifest plus `.dir`; empty subdirectories do not count (as in DVC).
 *
 * @example
 * ```ts ignore
 * import { hashPath } from "./hash.ts";
 * const info = await hashPath("artifacts/model");
 * if (info?.isDir) console.log(info.hash, info.nfiles, info.size);
 * ```
 */
export async function hashPath(
  path: string,
  options: HashPathOptions = {},
): Promise<PathInfo | undefined> {
  let stat: Deno.FileInfo;
  try {
    stat = Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  if (stat.isFile) {
    const { hash, size } = await hashRegularFile(path, stat, options.memo);
    return { hash, size, isDir: false };
  }
  if (!stat.isDirectory) {
    throw new CacheError("cannot hash a special file (socket, fifo or device)", { file: path });
  }
  const entries: DirEntry[] = [];
  await walkDir(path, "", options.memo, new Set(), entries);
  entries.sort(byRelpath);
  return {
    hash: hashBytes(encodeManifest(entries)) + DIR_SUFFIX,
    size: entries.reduce((sum, e) => sum + e.size, 0),
    isDir: true,
    nfiles: entries.length,
    files: entries,
  };
}
