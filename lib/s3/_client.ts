/**
 * The AWS SDK and the S3 client of a bucket: the SDK is imported on first
 * use, and the client carries the settings' connect, response and
 * idle-socket timeouts with the SDK's own retries off (the bucket retries
 * whole operations). Private to lib/s3 (used by `bucket.ts`).
 *
 * @module
 */
import type * as Sdk from "@aws-sdk/client-s3";
import type { S3Settings } from "./settings.ts";

/** The loaded SDK and a client of one bucket's endpoint. */
export interface S3Connection {
  /** The AWS SDK module. */
  sdk: typeof Sdk;
  /** The client, with the settings' timeouts. */
  client: Sdk.S3Client;
}

let sdkModule: Promise<typeof Sdk> | undefined;
/** The AWS SDK, loaded once on first use. */
export function loadSdk(): Promise<typeof Sdk> {
  return sdkModule ??= import("@aws-sdk/client-s3");
}

/**
 * Load the SDK and make a client for `s`; a request may take at most
 * `budgetMs` (the bucket's per-operation budget).
 *
 * @example
 * ```ts ignore
 * import { connectS3 } from "./_client.ts";
 * const { sdk, client } = await connectS3(settings, 30_000);
 * ```
 */
export function connectS3(s: Readonly<S3Settings>, budgetMs: number): Promise<S3Connection> {
  return loadSdk().then((sdk) => {
    const requestTimeout = Math.min(s.requestTimeoutMs ?? 60_000, budgetMs);
    const client = new sdk.S3Client({
      region: s.region,
      ...(s.endpoint ? { endpoint: s.endpoint, forcePathStyle: true } : {}),
      ...(s.credentials ? { credentials: s.credentials } : {}),
      // Retries happen in the bucket (S3Bucket#retry), around whole operations including streamed bodies.
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: s.connectTimeoutMs ?? 5_000,
        requestTimeout,
        throwOnRequestTimeout: true,
        socketTimeout: requestTimeout,
      },
    });
    return { sdk, client };
  });
}
