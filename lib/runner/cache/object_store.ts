/**
 * The one storage interface of the runner: the local content-addressed cache
 * (`local_store.ts`) and, later, an S3 remote both implement
 * {@linkcode ObjectStore}, and both must pass `object_store_suite.ts`.
 *
 * Contract: objects are named by their content hash (a `.dir` suffix marks a
 * directory manifest) and are verified whenever they are read; a miss is a
 * return value, never an exception; nothing half-written is ever visible.
 *
 * @module
 */
import type { LockOut } from "./lock.ts";
import { isValidHash } from "./hash.ts";

/** Outcome of restoring an object: restored, not in the store, or failed verification. */
export type GetResult = "ok" | "missing" | "corrupt";

/** A run-cache entry: a stage signature and the outs that run produced. */
export interface RunEntry {
  /** {@linkcode stageSignature} of cmd + deps + params. */
  signature: string;
  /** Stage name (informational; the signature is the key). */
  stage: string;
  /** The outs the run produced, as in the lock. */
  outs: LockOut[];
  /** ISO time the entry was recorded. */
  createdAt: string;
}

/**
 * Content-addressed object storage plus the run cache.
 *
 * @example
 * ```ts ignore
 * import type { ObjectStore } from "./object_store.ts";
 * async function restore(store: ObjectStore, hash: string) {
 *   const result = await store.getObject(hash, "artifacts/model.bin");
 *   if (result !== "ok") console.log(`${store.description}: ${result}`);
 * }
 * ```
 */
export interface ObjectStore {
  /** Where the store lives, for messages: `.cache`, `s3://bucket/prefix`. */
  readonly description: string;
  /** Whether an object exists (not verified). */
  hasObject(hash: string): Promise<boolean>;
  /**
   * Store the file at `srcPath` under `hash`. Idempotent; verifies the content
   * matches `hash` (a `CacheError` if the file changed since it was hashed);
   * never leaves a half-written object visible.
   */
  putObject(hash: string, srcPath: string): Promise<void>;
  /** Store small bytes (directory manifests) under `hash`, verified. */
  putObjectBytes(hash: string, bytes: Uint8Array): Promise<void>;
  /**
   * Copy an object to `destPath` atomically, verifying its hash on the way; a
   * corrupt object is never restored (`"corrupt"`, dest left untouched).
   */
  getObject(hash: string, destPath: string): Promise<GetResult>;
  /** An object's bytes, verified; undefined when missing; corrupt -> `CacheError`. */
  readObjectBytes(hash: string): Promise<Uint8Array | undefined>;
  /** Remove an object; removing a missing object is a no-op. */
  deleteObject(hash: string): Promise<void>;
  /** Every object hash in the store, in no particular order. */
  listObjects(): AsyncIterable<string>;
  /** Byte size of an object, undefined when missing (optional; lets gc report freed bytes). */
  statObject?(hash: string): Promise<{ size: number } | undefined>;
  /** The run entry for a signature; undefined when absent or unreadable. */
  getRun(signature: string): Promise<RunEntry | undefined>;
  /** Record (or replace) a run entry. */
  putRun(entry: RunEntry): Promise<void>;
  /** Remove a run entry; removing a missing entry is a no-op. */
  deleteRun(signature: string): Promise<void>;
  /** Every readable run entry. */
  listRuns(): AsyncIterable<RunEntry>;
}

/**
 * Validate a decoded run entry (from JSON); undefined when malformed. Shared by
 * every store so they accept exactly the same entries.
 *
 * @example
 * ```ts
 * import { parseRunEntry } from "./object_store.ts";
 * parseRunEntry({ signature: "nope" }); // undefined
 * ```
 */
export function parseRunEntry(value: unknown): RunEntry | undefined {
  const v = value as Partial<RunEntry> | null;
  if (typeof v !== "object" || v === null) return undefined;
  const { signature, stage, outs, createdAt } = v;
  if (typeof signature !== "string" || !isValidHash(signature)) return undefined;
  if (typeof stage !== "string" || typeof createdAt !== "string" || !Array.isArray(outs)) {
    return undefined;
  }
  const parsed: LockOut[] = [];
  for (const o of outs as Partial<LockOut>[]) {
    if (
      typeof o !== "object" || o === null || typeof o.path !== "string" ||
      typeof o.hash !== "string" || !isValidHash(o.hash) || typeof o.size !== "number" ||
      typeof o.cache !== "boolean" || (o.nfiles !== undefined && typeof o.nfiles !== "number")
    ) return undefined;
    const out: LockOut = { path: o.path, hash: o.hash, size: o.size, cache: o.cache };
    if (o.nfiles !== undefined) out.nfiles = o.nfiles;
    parsed.push(out);
  }
  return { signature, stage, outs: parsed, createdAt };
}
