/**
 * One S3 bucket, as the runner's remote cache and the model uploads use it:
 * every request has a connect timeout, a response timeout and an idle-socket
 * timeout, transient failures (network, 5xx, throttling, timeouts) are
 * retried with exponential backoff, and anything else becomes a
 * `ServiceError` (exit 7) naming the endpoint and the key.
 *
 * Uploads of files above {@linkcode S3BucketOptions.multipartThreshold} are
 * multipart with a bounded number of parts in flight; the file is hashed
 * (sha256) as it is read, and the caller's `verify` runs before
 * `CompleteMultipartUpload`: S3 makes a multipart object visible only on
 * complete, so a failed or rejected upload is aborted and never appears.
 * Downloads stream into a temporary sibling while hashing and are renamed
 * into place only when the hash matches.
 *
 * The AWS SDK is imported on first use, so importing this module is cheap
 * and needs no permissions.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type * as Sdk from "@aws-sdk/client-s3";
import { PipelineError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { tempSibling } from "../atomic.ts";
import {
  describeError,
  isLocalError,
  isNotFound,
  isTimeout,
  isTransient,
  looksLikeS3,
  notS3Error,
  permissionError,
  silentServerError,
  toServiceError,
} from "./_errors.ts";
import type { S3Settings } from "./settings.ts";
import { uploadMultipart } from "./_multipart.ts";
import { connectS3, type S3Connection } from "./_client.ts";

/** Tuning of {@linkcode S3Bucket}; the defaults suit AWS and MinIO alike. */
export interface S3BucketOptions {
  /** Retries and failures are reported here (default: nowhere). */
  log?: Logger;
  /** Files larger than this are uploaded in parts (default 16 MiB). */
  multipartThreshold?: number;
  /** Bytes per part (default 8 MiB; S3's minimum is 5 MiB except for the last part). */
  partSize?: number;
  /** Parts of one file in flight at once (default 4). */
  partConcurrency?: number;
  /** First retry delay in ms, doubled each time, with jitter (default 200). */
  retryBaseMs?: number;
}

/** What an upload stored. */
export interface UploadResult {
  /** Bytes uploaded. */
  size: number;
  /** sha256 (hex) of the bytes uploaded. */
  sha256: string;
  /** Number of parts (1 for a single PUT). */
  parts: number;
}

/** Options of {@linkcode S3Bucket.uploadFile}. */
export interface UploadFileOptions {
  /** Called with the sha256 of what was read, before the object becomes visible; throw to abort. */
  verify?: (sha256: string) => void;
  /** `Content-Type` of the object. */
  contentType?: string;
}

const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

function sha256Base64(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}

async function removeIfExists(path: string): Promise<void> {
  await Deno.remove(path).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

/**
 * A bucket with timeouts, retries and verified transfers. Close it when done
 * (it holds keep-alive connections).
 *
 * @example
 * ```ts ignore
 * import { S3Bucket } from "./bucket.ts";
 * const bucket = new S3Bucket({ bucket: "models", region: "us-east-1", endpoint: "http://127.0.0.1:9000" });
 * try {
 *   const { sha256 } = await bucket.uploadFile("models/v1/weights.bin", "artifacts/model/weights.bin");
 *   await bucket.download("models/v1/weights.bin", "/tmp/weights.bin", sha256); // "ok"
 * } finally {
 *   bucket.close();
 * }
 * ```
 */
export class S3Bucket {
  /** The settings it was opened with. */
  readonly settings: Readonly<S3Settings>;
  readonly #log: Logger;
  readonly #threshold: number;
  readonly #partSize: number;
  readonly #partConcurrency: number;
  readonly #retryBaseMs: number;
  #client: Promise<S3Connection> | undefined;
  /** Set once the server stayed silent for a whole operation: every later request fails fast. */
  #gaveUp: Error | undefined;
  /** Settles once a bare 404 made us ask whether the server speaks S3 at all. */
  #isS3: Promise<void> | undefined;
  #warnedTimeout = false;

  /** A bucket handle; nothing is loaded or connected until the first request. */
  constructor(settings: S3Settings, options: S3BucketOptions = {}) {
    this.settings = settings;
    this.#log = options.log ?? nullLogger;
    this.#partSize = Math.max(5 * MiB, options.partSize ?? 8 * MiB);
    this.#threshold = Math.max(this.#partSize, options.multipartThreshold ?? 16 * MiB);
    this.#partConcurrency = Math.max(1, options.partConcurrency ?? 4);
    this.#retryBaseMs = options.retryBaseMs ?? 200;
  }

  /**
   * `s3://bucket/key`, for messages.
   *
   * @example
   * ```ts ignore
   * bucket.url("models/v1/"); // "s3://models/models/v1/"
   * ```
   */
  url(key = ""): string {
    return `s3://${this.settings.bucket}/${key}`;
  }

  /** Close the connections (a later request opens new ones). */
  close(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.then(({ client }) => client.destroy(), () => {});
  }

  /** Size of an object, undefined when there is none. */
  async head(key: string): Promise<{ size: number } | undefined> {
    return await this.#retry(`HEAD ${key}`, key, async ({ sdk, send }) => {
      const res = await this.#unlessMissing(
        send(new sdk.HeadObjectCommand({ Bucket: this.settings.bucket, Key: key })),
      );
      return res && { size: res.ContentLength ?? 0 };
    });
  }

  /** An object's bytes (unverified), undefined when there is none. */
  async getBytes(key: string): Promise<Uint8Array | undefined> {
    return await this.#retry(`GET ${key}`, key, async ({ sdk, send }) => {
      const res = await this.#unlessMissing(
        send(new sdk.GetObjectCommand({ Bucket: this.settings.bucket, Key: key })),
      );
      return res && await res.Body!.transformToByteArray();
    });
  }

  /** Store small bytes in one PUT (with a sha256 checksum the server verifies). */
  async putBytes(key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    await this.#retry(`PUT ${key}`, key, async ({ sdk, send }) => {
      await send(
        new sdk.PutObjectCommand({
          Bucket: this.settings.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ChecksumSHA256: sha256Base64(bytes),
          ContentType: contentType,
        }),
      );
    });
  }

  /**
   * Upload a file: one PUT up to the multipart threshold, else a multipart
   * upload that is aborted on any failure. `options.verify` sees the sha256
   * of exactly the bytes sent, before the object becomes visible.
   */
  async uploadFile(
    key: string,
    path: string,
    options: UploadFileOptions = {},
  ): Promise<UploadResult> {
    const size = (await Deno.stat(path)).size;
    if (size > this.#threshold) {
      return await uploadMultipart({
        bucket: this.settings.bucket,
        key,
        path,
        size,
        partSize: Math.max(this.#partSize, Math.ceil(size / MAX_PARTS)),
        partConcurrency: this.#partConcurrency,
        upload: options,
        retry: (what, key, op) => this.#retry(what, key, op),
        log: this.#log,
        url: this.url(key),
      });
    }
    const bytes = await Deno.readFile(path);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    options.verify?.(sha256);
    await this.putBytes(key, bytes, options.contentType);
    return { size: bytes.length, sha256, parts: 1 };
  }

  /**
   * Download `key` to `destPath` (parent folders created), streaming into a
   * temporary sibling (memory stays flat whatever the object's size); renamed
   * into place only when its sha256 is `expectedSha256` (when given).
   * `destPath` is untouched on "missing" and "corrupt".
   */
  async download(
    key: string,
    destPath: string,
    expectedSha256?: string,
  ): Promise<"ok" | "missing" | "corrupt"> {
    await Deno.mkdir(dirname(destPath), { recursive: true });
    return await this.#retry(`GET ${key}`, key, async ({ sdk, send }) => {
      const res = await this.#unlessMissing(
        send(new sdk.GetObjectCommand({ Bucket: this.settings.bucket, Key: key })),
      );
      if (!res) return "missing";
      const temp = tempSibling(destPath);
      let placed = false;
      try {
        const hasher = createHash("sha256");
        {
          using out = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
          for await (const chunk of res.Body as AsyncIterable<Uint8Array>) {
            hasher.update(chunk);
            let written = 0;
            while (written < chunk.length) written += await out.write(chunk.subarray(written));
          }
        }
        if (expectedSha256 !== undefined && hasher.digest("hex") !== expectedSha256) {
          return "corrupt";
        }
        await Deno.rename(temp, destPath);
        placed = true;
        return "ok";
      } finally {
        if (!placed) await removeIfExists(temp);
      }
    });
  }

  /** Every object under `prefix` with its size, page by page. */
  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    let token: string | undefined;
    do {
      const page = await this.#retry(`LIST ${prefix}`, prefix, async ({ sdk, send }) =>
        await send(
          new sdk.ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        ));
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Delete an object; deleting a missing one is a no-op. */
  async delete(key: string): Promise<void> {
    await this.#retry(`DELETE ${key}`, key, async ({ sdk, send }) => {
      await send(new sdk.DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
    });
  }

  /** `request`'s result, or undefined when S3 says there is no such key. */
  async #unlessMissing<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await request;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (!looksLikeS3(err)) await this.#checkIsS3();
      return undefined;
    }
  }

  /**
   * A 404 without S3's headers or body: list the bucket once to learn
   * whether this server speaks S3 at all (a real one answers the list, or
   * refuses it S3-style), so a plain web server is reported as "not S3"
   * rather than as every object missing.
   */
  #checkIsS3(): Promise<void> {
    const check = this.#isS3 ??= this.#retry("LIST (is this S3?)", "", async ({ sdk, send }) => {
      try {
        await send(new sdk.ListObjectsV2Command({ Bucket: this.settings.bucket, MaxKeys: 1 }));
      } catch (err) {
        if (looksLikeS3(err)) return;
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if (status !== undefined && status >= 300 && status < 500) {
          throw notS3Error(this.settings, status);
        }
        throw err;
      }
    });
    // Only a verdict is kept; a failed check (network) is asked again next time.
    check.catch((err) => {
      if (!(err instanceof PipelineError && err.message.includes("is not S3"))) {
        this.#isS3 = undefined;
      }
    });
    return check;
  }

  /** Per-operation budget of silence (ms), retries included. */
  get #budgetMs(): number {
    return this.settings.operationTimeoutMs ?? 30_000;
  }

  #connect(): Promise<S3Connection> {
    return this.#client ??= connectS3(this.settings, this.#budgetMs);
  }

  /**
   * Run `op` with retries on transient errors (exponential backoff with
   * jitter); the last failure becomes a `ServiceError`. Errors of our own
   * (`CacheError`, local file errors) pass through untouched. Timeouts stop
   * retrying once the operation budget is spent, and then every later
   * request of this bucket fails at once with the same error.
   */
  async #retry<T>(
    what: string,
    key: string,
    op: (c: { sdk: typeof Sdk; send: Sdk.S3Client["send"] }) => Promise<T>,
  ): Promise<T> {
    const { sdk, client } = await this.#connect().catch((err) => {
      throw permissionError(err, this.settings) ?? err;
    });
    const send = client.send.bind(client) as Sdk.S3Client["send"];
    const attempts = Math.max(1, this.settings.maxAttempts ?? 4);
    const started = performance.now();
    for (let attempt = 1;; attempt++) {
      if (this.#gaveUp) throw this.#gaveUp;
      try {
        return await op({ sdk, send });
      } catch (err) {
        if (err instanceof PipelineError || !(err instanceof Error)) throw err;
        if (isLocalError(err)) throw permissionError(err, this.settings) ?? err;
        const delay = this.#retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        if (isTimeout(err)) {
          const spent = performance.now() - started;
          if (attempt >= attempts || spent + delay >= this.#budgetMs) {
            throw this.#gaveUp ??= silentServerError(this.settings, {
              what,
              spentMs: spent,
              budgetMs: this.#budgetMs,
              attempts: attempt,
              cause: err,
            });
          }
          if (!this.#warnedTimeout) {
            this.#warnedTimeout = true;
            this.#log.warn("S3 did not answer in time; retrying within the operation budget", {
              what,
              seconds: Math.round(spent) / 1000,
              budget_seconds: this.#budgetMs / 1000,
            });
          }
        }
        if (attempt >= attempts || !isTransient(err)) {
          throw toServiceError(err, { settings: this.settings, what, url: this.url(key), attempt });
        }
        this.#log.warn("S3 request failed; retrying", {
          what,
          attempt,
          of: attempts,
          in_ms: Math.round(delay),
          error: describeError(err),
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
