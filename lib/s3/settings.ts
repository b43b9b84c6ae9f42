/**
 * Resolved S3 connection settings (endpoint, region, credentials, bucket and
 * the timeouts and retries of every request), and the parsing of the
 * standard AWS environment variables and `s3://bucket/prefix` URLs into them.
 * Read once by an entry point; the rest of the code never reads env vars.
 *
 * Environment variables (empty counts as unset):
 *
 * | variable                                   | meaning                                    |
 * | ------------------------------------------ | ------------------------------------------ |
 * | `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`  | S3-compatible server (MinIO …); path-style |
 * | `AWS_REGION`, `AWS_DEFAULT_REGION`         | region (default `us-east-1`)               |
 * | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | credentials         |
 * | `THREATLINE_MODEL_BUCKET`                  | bucket of model releases (model_upload.ts) |
 *
 * Without credentials in the environment the AWS SDK's default chain is used
 * (profiles in `~/.aws`, SSO, instance roles).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Static credentials. */
export interface S3Credentials {
  /** `AWS_ACCESS_KEY_ID`. */
  accessKeyId: string;
  /** `AWS_SECRET_ACCESS_KEY`. */
  secretAccessKey: string;
  /** `AWS_SESSION_TOKEN` (temporary credentials). */
  sessionToken?: string;
}

/** Everything needed to talk to one bucket. */
export interface S3Settings {
  /** Custom endpoint URL of an S3-compatible server; undefined for AWS itself. */
  endpoint?: string;
  /** Region (signing region for S3-compatible servers). */
  region: string;
  /** Static credentials; undefined: the AWS SDK's default provider chain. */
  credentials?: S3Credentials;
  /** Bucket name. */
  bucket: string;
  /** Milliseconds to wait for a TCP connection (default 5000). */
  connectTimeoutMs?: number;
  /** Milliseconds a request may take, and a socket may stay silent (default 60000). */
  requestTimeoutMs?: number;
  /**
   * Milliseconds one operation may spend waiting on a silent server, retries
   * included (default 30000). The first time it runs out the bucket is given
   * up on for the rest of the command, so a server that accepts connections
   * but never answers fails a whole push or pull within about this long.
   */
  operationTimeoutMs?: number;
  /** Attempts per request, transient errors only (default 4: first try + 3 retries). */
  maxAttempts?: number;
}

/** The connection part of {@linkcode S3Settings}: everything but the bucket. */
export type S3Connection = Omit<S3Settings, "bucket">;

/** The environment variables {@linkcode s3ConnectionFromEnv} reads. */
export const S3_ENV_VARS = [
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/** Default region when neither the config nor the environment names one. */
export const DEFAULT_REGION = "us-east-1";

/**
 * Check an endpoint URL (`http(s)://host[:port]`), naming `field` on error.
 *
 * @example
 * ```ts
 * import { checkEndpoint } from "./settings.ts";
 * checkEndpoint("http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3"); // "http://127.0.0.1:9000"
 * ```
 */
export function checkEndpoint(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${field} is not a URL: '${value}'`, { field });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${field} must be an http(s) URL, got '${value}'`, { field });
  }
  return value.replace(/\/+$/, "");
}

/**
 * The connection settings from the standard AWS variables: endpoint override,
 * region and static credentials (both key id and secret, or neither). Values
 * in `fallback` (from a config file) are used where no variable is set.
 *
 * @example
 * ```ts
 * import { s3ConnectionFromEnv } from "./settings.ts";
 * const c = s3ConnectionFromEnv({ AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000" });
 * c.region; // "us-east-1"
 * ```
 */
export function s3ConnectionFromEnv(
  env: Record<string, string | undefined>,
  fallback: Partial<S3Connection> = {},
): S3Connection {
  const get = (name: string) => (env[name] ? env[name] : undefined);
  const endpointVar = get("AWS_ENDPOINT_URL_S3") ? "AWS_ENDPOINT_URL_S3" : "AWS_ENDPOINT_URL";
  const fromEnv = get(endpointVar);
  const endpoint = fromEnv ? checkEndpoint(fromEnv, endpointVar) : fallback.endpoint;
  const accessKeyId = get("AWS_ACCESS_KEY_ID");
  const secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    const missing = accessKeyId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID";
    throw new ConfigError(`${missing} is not set, but its partner is`, {
      field: missing,
      hint: "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither",
    });
  }
  const sessionToken = get("AWS_SESSION_TOKEN");
  return {
    ...fallback,
    ...(endpoint ? { endpoint } : {}),
    region: get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ?? fallback.region ?? DEFAULT_REGION,
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  };
}

/**
 * The settings for model releases: the standard AWS variables plus the
 * bucket (`options.bucket`, else `THREATLINE_MODEL_BUCKET`). Undefined when
 * no bucket is configured, which means "keep everything local".
 *
 * @example
 * ```ts
 * import { s3SettingsFromEnv } from "./settings.ts";
 * s3SettingsFromEnv({}); // undefined: not configured
 * s3SettingsFromEnv({ THREATLINE_MODEL_BUCKET: "models" })?.bucket; // "models"
 * ```
 */
export function s3SettingsFromEnv(
  env: Record<string, string | undefined>,
  options: { bucket?: string } = {},
): S3Settings | undefined {
  const bucket = options.bucket || env.THREATLINE_MODEL_BUCKET || undefined;
  if (!bucket) return undefined;
  checkBucket(bucket, options.bucket ? "bucket" : "THREATLINE_MODEL_BUCKET");
  return { ...s3ConnectionFromEnv(env), bucket };
}

/** Check an S3 bucket name (3–63 of a-z, 0-9, `.`, `-`), naming `field` on error. */
function checkBucket(bucket: string, field: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(`invalid S3 bucket name '${bucket}'`, {
      field,
      hint: "3-63 characters: lower-case letters, digits, '.' and '-'",
    });
  }
}

/**
 * Split `s3://bucket/some/prefix` into bucket and prefix (no leading or
 * trailing slash; empty for the bucket root). `field` names the setting in
 * errors.
 *
 * @example
 * ```ts
 * import { parseS3Url } from "./settings.ts";
 * parseS3Url("s3://cache/threatline/", "remote.url"); // { bucket: "cache", prefix: "threatline" }
 * ```
 */
export function parseS3Url(url: string, field: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!match) {
    throw new ConfigError(`${field} must look like s3://bucket/prefix, got '${url}'`, { field });
  }
  checkBucket(match[1], field);
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix !== "" && prefix.split("/").some((p) => p === "" || p === "." || p === "..")) {
    throw new ConfigError(`${field} has an empty, '.' or '..' path segment: '${url}'`, { field });
  }
  return { bucket: match[1], prefix };
}

/**
 * How to name the server in messages: the endpoint URL, or AWS S3 in a region.
 *
 * @example
 * ```ts
 * import { describeEndpoint } from "./settings.ts";
 * describeEndpoint({ region: "eu-west-1" }); // "AWS S3 (eu-west-1)"
 * ```
 */
export function describeEndpoint(settings: Pick<S3Settings, "endpoint" | "region">): string {
  return settings.endpoint ?? `AWS S3 (${settings.region})`;
}
