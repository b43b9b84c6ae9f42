/**
 * An S3 bucket (or an S3-compatible server such as MinIO) as an
 * {@linkcode ObjectStore}: the runner's remote cache. Same layout as the
 * local cache, under a prefix:
 *
 * ```text
 * <prefix>/files/sha256/ab/cdef…        object (file content or dir manifest, `….dir`)
 * <prefix>/runs/ab/cdef….json           run-cache entry, keyed by stage signature
 * ```
 *
 * Integrity: an upload is hashed as it is read and is only committed (PUT, or
 * CompleteMultipartUpload for large objects) when the hash matches the
 * object's name, so a half-finished or wrong upload never becomes visible;
 * a download is hashed as it streams into a temporary file that is renamed
 * into place only when it matches. Timeouts, retries and the error a user
 * sees come from {@linkcode S3Bucket}.
 *
 * @module
 */
import { CacheError } from "../../errors.ts";
import { type Logger, nullLogger } from "../../log.ts";
import { S3Bucket, type S3BucketOptions } from "../../s3/bucket.ts";
import type { S3Settings } from "../../s3/settings.ts";
import { DIR_SUFFIX, HASH_ALGO, hashBytes, isDirHash, isValidHash } from "./hash.ts";
import { type GetResult, type ObjectStore, parseRunEntry, type RunEntry } from "./object_store.ts";

/** Options of {@linkcode S3Store}. */
export interface S3StoreOptions extends S3BucketOptions {
  /** Key prefix of the cache in the bucket, without slashes at the ends ("" = bucket root). */
  prefix?: string;
  /** Where to report retries and unreadable run entries (default: nowhere). */
  log?: Logger;
}

/** The digest an object's content must have: its name without `.dir`. */
function contentHash(hash: string): string {
  return isDirHash(hash) ? hash.slice(0, -DIR_SUFFIX.length) : hash;
}

function checkHash(hash: string): void {
  if (!isValidHash(hash)) throw new TypeError(`invalid object hash '${hash}'`);
}

/**
 * The remote cache in an S3 bucket. Close it when done (`await using`, or
 * {@linkcode S3Store.close}).
 *
 * @example
 * ```ts ignore
 * import { S3Store } from "./s3_store.ts";
 * await using remote = new S3Store(
 *   { bucket: "ml-cache", region: "us-east-1", endpoint: "http://127.0.0.1:9000" },
 *   { prefix: "threatline" },
 * );
 * if (!(await remote.hasObject(hash))) await remote.putObject(hash, ".cache/files/sha256/ab/cd…");
 * ```
 */
export class S3Store implements ObjectStore, AsyncDisposable {
  /** `s3://bucket/prefix`. */
  readonly description: string;
  readonly #bucket: S3Bucket;
  readonly #root: string;
  readonly #log: Logger;

  /** A store in `settings.bucket` under `options.prefix`; nothing connects until first use. */
  constructor(settings: S3Settings, options: S3StoreOptions = {}) {
    const prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.#root = prefix ? `${prefix}/` : "";
    this.description = `s3://${settings.bucket}/${prefix}`;
    this.#log = options.log ?? nullLogger;
    this.#bucket = new S3Bucket(settings, { ...options, log: this.#log });
  }

  /**
   * The key of the object `hash`.
   *
   * @example
   * ```ts ignore
   * store.objectKey("ab12…"); // "threatline/files/sha256/ab/12…"
   * ```
   */
  objectKey(hash: string): string {
    checkHash(hash);
    return `${this.#root}files/${HASH_ALGO}/${hash.slice(0, 2)}/${hash.slice(2)}`;
  }

  /**
   * The key of the run entry for `signature`.
   *
   * @example
   * ```ts ignore
   * store.runKey("ab12…"); // "threatline/runs/ab/12….json"
   * ```
   */
  runKey(signature: string): string {
    checkHash(signature);
    return `${this.#root}runs/${signature.slice(0, 2)}/${signature.slice(2)}.json`;
  }

  /** Whether the object exists (one HEAD request). */
  async hasObject(hash: string): Promise<boolean> {
    return (await this.#bucket.head(this.objectKey(hash))) !== undefined;
  }

  /** Byte size of the object, undefined when missing. */
  async statObject(hash: string): Promise<{ size: number } | undefined> {
    return await this.#bucket.head(this.objectKey(hash));
  }

  /** Upload `srcPath` as `hash` (skipped when an object of the same size is there). */
  async putObject(hash: string, srcPath: string): Promise<void> {
    const key = this.objectKey(hash);
    const existing = await this.#bucket.head(key);
    if (existing && existing.size === (await Deno.stat(srcPath)).size) return;
    await this.#bucket.uploadFile(key, srcPath, {
      verify: (sha256) => {
        if (sha256 !== contentHash(hash)) {
          throw new CacheError(`content of ${srcPath} does not match hash ${hash}`, {
            file: srcPath,
            hint: "the file changed while it was being saved; run again",
          });
        }
      },
    });
  }

  /** Upload small bytes (a dir manifest) as `hash`. */
  async putObjectBytes(hash: string, bytes: Uint8Array): Promise<void> {
    const key = this.objectKey(hash);
    if (hashBytes(bytes) !== contentHash(hash)) {
      throw new CacheError(`bytes do not match hash ${hash}`, { file: this.#bucket.url(key) });
    }
    if ((await this.#bucket.head(key))?.size === bytes.length) return;
    await this.#bucket.putBytes(key, bytes);
  }

  /** Download `hash` to `destPath`, verified; "missing"/"corrupt" leave dest alone. */
  async getObject(hash: string, destPath: string): Promise<GetResult> {
    return await this.#bucket.download(this.objectKey(hash), destPath, contentHash(hash));
  }

  /** The object's bytes, verified; undefined when missing. */
  async readObjectBytes(hash: string): Promise<Uint8Array | undefined> {
    const key = this.objectKey(hash);
    const bytes = await this.#bucket.getBytes(key);
    if (bytes && hashBytes(bytes) !== contentHash(hash)) {
      throw new CacheError(`remote cache object ${hash} is corrupt`, {
        file: this.#bucket.url(key),
        hint: "delete it from the remote; the next push uploads it again",
      });
    }
    return bytes;
  }

  /** Delete the object (no-op when missing). */
  async deleteObject(hash: string): Promise<void> {
    await this.#bucket.delete(this.objectKey(hash));
  }

  /** Every object hash under the prefix (multipart uploads in progress are not listed). */
  async *listObjects(): AsyncIterable<string> {
    const base = `${this.#root}files/${HASH_ALGO}/`;
    for await (const { key } of this.#bucket.list(base)) {
      const [shard, rest, ...more] = key.slice(base.length).split("/");
      if (more.length === 0 && /^[0-9a-f]{2}$/.test(shard) && isValidHash(shard + rest)) {
        yield shard + rest;
      }
    }
  }

  /** The run entry for `signature`; unreadable entries are logged and treated as absent. */
  async getRun(signature: string): Promise<RunEntry | undefined> {
    const key = this.runKey(signature);
    const bytes = await this.#bucket.getBytes(key);
    if (!bytes) return undefined;
    let entry: RunEntry | undefined;
    try {
      entry = parseRunEntry(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      entry = undefined;
    }
    if (entry?.signature !== signature) {
      this.#log.warn("ignoring unreadable run-cache entry", { file: this.#bucket.url(key) });
      return undefined;
    }
    return entry;
  }

  /** Record (or replace) a run entry. */
  async putRun(entry: RunEntry): Promise<void> {
    const valid = parseRunEntry(entry);
    if (!valid) throw new TypeError(`malformed run entry for stage '${entry.stage}'`);
    const bytes = new TextEncoder().encode(JSON.stringify(valid, null, 2) + "\n");
    await this.#bucket.putBytes(this.runKey(valid.signature), bytes, "application/json");
  }

  /** Remove a run entry (no-op when missing). */
  async deleteRun(signature: string): Promise<void> {
    await this.#bucket.delete(this.runKey(signature));
  }

  /** Every readable run entry. */
  async *listRuns(): AsyncIterable<RunEntry> {
    const base = `${this.#root}runs/`;
    for await (const { key } of this.#bucket.list(base)) {
      const [shard, rest, ...more] = key.slice(base.length).split("/");
      if (more.length > 0 || !/^[0-9a-f]{2}$/.test(shard) || !rest?.endsWith(".json")) continue;
      const signature = shard + rest.slice(0, -".json".length);
      if (!isValidHash(signature)) continue;
      const entry = await this.getRun(signature);
      if (entry) yield entry;
    }
  }

  /** Close the connections. */
  close(): Promise<void> {
    this.#bucket.close();
    return Promise.resolve();
  }

  /** Same as {@linkcode S3Store.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
