/**
 * A multipart upload of one file for {@linkcode S3Bucket.uploadFile}: parts
 * read in order and sent a few at a time, the whole file hashed as it is
 * read, the upload aborted on any failure so no partial object appears.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type * as Sdk from "@aws-sdk/client-s3";
import { CacheError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { describeError } from "./_errors.ts";

/** One S3 request's SDK and `send`, as `S3Bucket`'s retry hands them out. */
export interface S3Call {
  /** The AWS SDK module. */
  sdk: typeof Sdk;
  /** The client's `send`. */
  send: Sdk.S3Client["send"];
}

/** Run one request with the bucket's retries. */
export type Retry = <T>(what: string, key: string, op: (c: S3Call) => Promise<T>) => Promise<T>;

/** Options of {@linkcode uploadMultipart}. */
export interface MultipartUpload {
  /** Bucket name. */
  bucket: string;
  /** Object key. */
  key: string;
  /** Local file. */
  path: string;
  /** Its size in bytes (it must not change while read). */
  size: number;
  /** Bytes per part. */
  partSize: number;
  /** Parts in flight at most. */
  partConcurrency: number;
  /** The caller's upload options. */
  upload: { verify?: (sha256: string) => void; contentType?: string };
  /** The bucket's retrying request runner. */
  retry: Retry;
  /** Where the failure to abort is reported. */
  log: Logger;
  /** `s3://bucket/key`, for messages. */
  url: string;
}

/** Size, sha256 and part count of an uploaded file. */
export interface UploadedFile {
  /** Bytes. */
  size: number;
  /** Hex sha256 of the bytes sent. */
  sha256: string;
  /** Parts. */
  parts: number;
}

/** Read until `buf` is full or the file ends; returns the bytes read. */
async function readFull(file: Deno.FsFile, buf: Uint8Array): Promise<number> {
  let filled = 0;
  while (filled < buf.length) {
    const n = await file.read(buf.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled;
}

/**
 * Upload `o.path` as a multipart upload; aborted on any failure.
 *
 * @example
 * ```ts ignore
 * import { uploadMultipart } from "./_multipart.ts";
 * ```
 */
export async function uploadMultipart(o: MultipartUpload): Promise<UploadedFile> {
  const { bucket: Bucket, key, path, size, partSize, retry } = o;
  const options = o.upload;
  const uploadId = await retry(`start multipart upload of ${key}`, key, async (c) => {
    const res = await c.send(
      new c.sdk.CreateMultipartUploadCommand({
        Bucket,
        Key: key,
        ContentType: options.contentType,
      }),
    );
    return res.UploadId!;
  });
  const inFlight = new Set<Promise<void>>();
  try {
    const hasher = createHash("sha256");
    const parts: { ETag: string; PartNumber: number }[] = [];
    let failure: { error: unknown } | undefined;
    let sent = 0;
    {
      using file = await Deno.open(path, { read: true });
      for (let n = 1; sent < size && !failure; n++) {
        const buf = new Uint8Array(Math.min(partSize, size - sent));
        if ((await readFull(file, buf)) < buf.length) {
          throw new CacheError(`${path} shrank while it was being uploaded`, { file: path });
        }
        hasher.update(buf);
        sent += buf.length;
        const task = retry(`upload part ${n} of ${key}`, key, async (c) => {
          const res = await c.send(
            new c.sdk.UploadPartCommand({
              Bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: n,
              Body: buf,
              ContentLength: buf.length,
            }),
          );
          parts.push({ ETag: res.ETag!, PartNumber: n });
        }).catch((error) => {
          failure ??= { error };
        }).finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= o.partConcurrency) await Promise.race(inFlight);
      }
      if ((await file.read(new Uint8Array(1))) !== null && !failure) {
        throw new CacheError(`${path} grew while it was being uploaded`, { file: path });
      }
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    const sha256 = hasher.digest("hex");
    options.verify?.(sha256);
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await retry(`complete multipart upload of ${key}`, key, async (c) => {
      await c.send(
        new c.sdk.CompleteMultipartUploadCommand({
          Bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    });
    return { size, sha256, parts: parts.length };
  } catch (err) {
    await Promise.all(inFlight); // settle every part first, or it could outlive the abort
    await retry(`abort multipart upload of ${key}`, key, async (c) => {
      await c.send(
        new c.sdk.AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }),
      );
    }).catch((abortErr) => {
      o.log.warn("could not abort a failed multipart upload (a lifecycle rule cleans it)", {
        key: o.url,
        error: describeError(abortErr),
      });
    });
    throw err;
  }
}
