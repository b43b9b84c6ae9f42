/**
 * Classifying AWS SDK and network errors: which are worth a retry, which
 * mean "no such object", and the `ServiceError` (or `ConfigError`) a user
 * sees when a request finally fails.
 *
 * @module
 */
import { ConfigError, type PipelineError, ServiceError } from "../errors.ts";
import { describeEndpoint, type S3Settings } from "./settings.ts";

/** The shape of AWS SDK errors (and node network errors) we look at. */
interface AwsishError extends Error {
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Network error codes that are worth another try. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
]);

/** S3 error names that are worth another try (besides any 5xx, 408 and 429). */
const TRANSIENT_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "SlowDown",
  "ServiceUnavailable",
  "InternalError",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestThrottled",
  "BadDigest",
]);

/** Network error codes meaning the server could not be reached at all. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Whether `err` says the key (or object) does not exist.
 *
 * @example
 * ```ts
 * import { isNotFound } from "./_errors.ts";
 * isNotFound(Object.assign(new Error("gone"), { name: "NoSuchKey" })); // true
 * ```
 */
export function isNotFound(err: unknown): boolean {
  const e = err as AwsishError;
  return e?.name === "NoSuchKey" || e?.name === "NotFound" ||
    (e?.$metadata?.httpStatusCode === 404 && e?.name !== "NoSuchBucket");
}

/**
 * Whether another attempt may succeed: network failures, timeouts, 5xx,
 * 408/429 and S3's throttling errors.
 *
 * @example
 * ```ts
 * import { isTransient } from "./_errors.ts";
 * isTransient(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })); // true
 * ```
 */
export function isTransient(err: unknown): boolean {
  const e = err as AwsishError;
  if (e?.code && TRANSIENT_CODES.has(e.code)) return true;
  if (TRANSIENT_NAMES.has(e?.name ?? "")) return true;
  const status = e?.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 408 || status === 429);
}

/**
 * A short description of an error for logs: name, code, HTTP status, message.
 *
 * @example
 * ```ts
 * import { describeError } from "./_errors.ts";
 * describeError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
 * // "ECONNREFUSED: connect ECONNREFUSED"
 * ```
 */
export function describeError(err: unknown): string {
  const e = err as AwsishError;
  if (!(e instanceof Error)) return String(err);
  const status = e.$metadata?.httpStatusCode;
  const label = e.code ?? (e.name !== "Error" ? e.name : undefined);
  const parts = [label, status && status > 0 ? `HTTP ${status}` : undefined].filter(Boolean);
  const message = e.message && e.message !== "UnknownError" ? e.message : "";
  return [parts.join(" "), message].filter(Boolean).join(": ") || "unknown error";
}

/** What {@linkcode toServiceError} needs to say where it happened. */
export interface FailureContext {
  /** Endpoint, region and bucket. */
  settings: Pick<S3Settings, "endpoint" | "region" | "bucket">;
  /** The operation, e.g. `PUT runs/ab/cd.json`. */
  what: string;
  /** `s3://bucket/key` of the object. */
  url: string;
  /** Attempts made. */
  attempt: number;
}

/**
 * The user-facing error for a request that failed for good: a
 * `ServiceError` naming the endpoint, what was tried and how often, with a
 * hint; missing credentials are a `ConfigError`.
 *
 * @example
 * ```ts
 * import { toServiceError } from "./_errors.ts";
 * const err = toServiceError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), {
 *   settings: { endpoint: "http://127.0.0.1:1", region: "us-east-1", bucket: "b" },
 *   what: "HEAD x",
 *   url: "s3://b/x",
 *   attempt: 4,
 * });
 * err.message; // "cannot reach S3 at http://127.0.0.1:1 (ECONNREFUSED) after 4 attempts"
 * ```
 */
export function toServiceError(err: Error, ctx: FailureContext): PipelineError {
  const e = err as AwsishError;
  const endpoint = describeEndpoint(ctx.settings);
  const tries = `${ctx.attempt} attempt${ctx.attempt === 1 ? "" : "s"}`;
  const options = { cause: err, file: ctx.url };
  const endpointHint = "is the server running? check remote.endpoint_url in threatline.yaml " +
    "or AWS_ENDPOINT_URL_S3";
  if (e.name === "CredentialsProviderError") {
    return new ConfigError(`no AWS credentials for S3 at ${endpoint}: ${e.message}`, {
      ...options,
      hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or configure an AWS profile)",
    });
  }
  if (e.code && UNREACHABLE_CODES.has(e.code)) {
    return new ServiceError(`cannot reach S3 at ${endpoint} (${e.code}) after ${tries}`, {
      cause: err,
      hint: endpointHint,
    });
  }
  if (e.name === "TimeoutError" || e.code === "ETIMEDOUT") {
    return new ServiceError(
      `S3 at ${endpoint} did not answer in time after ${tries} (${describeError(e)})`,
      { cause: err, hint: endpointHint },
    );
  }
  if (e.name === "NoSuchBucket") {
    return new ServiceError(`bucket '${ctx.settings.bucket}' does not exist at ${endpoint}`, {
      ...options,
      hint: "create it, or fix the bucket in remote.url / THREATLINE_REMOTE_URL",
    });
  }
  const status = e.$metadata?.httpStatusCode;
  if (
    status === 401 || status === 403 ||
    ["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"].includes(e.name)
  ) {
    return new ServiceError(`S3 at ${endpoint} refused ${ctx.what}: ${describeError(e)}`, {
      ...options,
      hint: "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the region and the bucket policy",
    });
  }
  return new ServiceError(
    `S3 request failed at ${endpoint} after ${tries}: ${ctx.what}: ${describeError(e)}`,
    options,
  );
}

/**
 * A `ConfigError` when `err` is Deno refusing a permission the AWS SDK needs
 * (network, its environment variables), else undefined.
 *
 * @example
 * ```ts
 * import { permissionError } from "./_errors.ts";
 * const err = new Deno.errors.NotCapable('Requires net access to "127.0.0.1:9000"');
 * permissionError(err, { region: "us-east-1", endpoint: "http://127.0.0.1:9000" })?.exitCode; // 2
 * ```
 */
export function permissionError(
  err: unknown,
  settings: Pick<S3Settings, "endpoint" | "region">,
): ConfigError | undefined {
  if (!(err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied)) {
    return undefined;
  }
  return new ConfigError(
    `no permission to use S3 at ${describeEndpoint(settings)}: ${err.message}`,
    {
      cause: err,
      hint: "run with --allow-net, --allow-sys=osRelease and --allow-env=AWS_*,HOME,USERPROFILE," +
        "HOMEPATH,HOMEDRIVE,_X_AMZN_TRACE_ID (as deno.json's push task does)",
    },
  );
}

/**
 * Whether `err` is a local failure (file system, permissions) rather than
 * one of the network or S3, so retrying cannot fix it.
 *
 * @example
 * ```ts
 * import { isLocalError } from "./_errors.ts";
 * isLocalError(new Deno.errors.NotFound("no such file")); // true
 * ```
 */
export function isLocalError(err: Error): boolean {
  return Object.values(Deno.errors).some((E) => err instanceof E) &&
    !(err instanceof Deno.errors.ConnectionRefused || err instanceof Deno.errors.ConnectionReset ||
      err instanceof Deno.errors.TimedOut || err instanceof Deno.errors.BrokenPipe);
}

/**
 * Whether an error answer carries S3's marks: a request id header
 * (`x-amz-request-id`, `x-amz-id-2`, which AWS, MinIO and Ceph send on every
 * answer) or an S3 error code parsed from an XML body. A plain web server's
 * 404 has neither.
 *
 * @example
 * ```ts
 * import { looksLikeS3 } from "./_errors.ts";
 * looksLikeS3(Object.assign(new Error("x"), { name: "NotFound", $metadata: { httpStatusCode: 404 } })); // false
 * looksLikeS3(Object.assign(new Error("x"), { name: "NoSuchKey", Code: "NoSuchKey" })); // true
 * ```
 */
export function looksLikeS3(err: unknown): boolean {
  const e = err as AwsishError & {
    $metadata?: { requestId?: string; extendedRequestId?: string };
    $response?: { headers?: Record<string, string> };
  };
  if (e?.$metadata?.requestId || e?.$metadata?.extendedRequestId) return true;
  if (typeof e?.Code === "string" && e.Code !== "") return true;
  const headers = e?.$response?.headers ?? {};
  return Object.keys(headers).some((h) => h.toLowerCase().startsWith("x-amz-"));
}

/**
 * The error for an endpoint that answers, but not as S3 does: a plain HTTP
 * status with no S3 error body or headers (a web server, a wrong port or
 * path), instead of reporting every object as missing.
 *
 * @example
 * ```ts
 * import { notS3Error } from "./_errors.ts";
 * notS3Error({ endpoint: "http://127.0.0.1:8080", region: "us-east-1" }, 404).message;
 * // "the server at http://127.0.0.1:8080 is not S3: it answered HTTP 404 without any S3 error body or headers"
 * ```
 */
export function notS3Error(
  settings: Pick<S3Settings, "endpoint" | "region">,
  status: number | undefined,
): ServiceError {
  return new ServiceError(
    `the server at ${describeEndpoint(settings)} is not S3: it answered HTTP ${
      status ?? "?"
    } without any S3 error body or headers`,
    {
      hint: "check remote.endpoint_url in threatline.yaml or AWS_ENDPOINT_URL_S3 " +
        "(host, port, no path)",
    },
  );
}

/** What {@linkcode silentServerError} reports. */
export interface SilentServer {
  /** The operation, e.g. `GET runs/ab/cd.json`. */
  what: string;
  /** Milliseconds spent on it. */
  spentMs: number;
  /** The operation budget (`remote.operation_timeout`), ms. */
  budgetMs: number;
  /** Attempts made. */
  attempts: number;
  /** The last timeout. */
  cause?: unknown;
}

/**
 * The error for a server that stayed silent until the operation's retries
 * or its time budget ran out.
 *
 * @example
 * ```ts
 * import { silentServerError } from "./_errors.ts";
 * const settings = { endpoint: "http://127.0.0.1:9", region: "us-east-1" };
 * silentServerError(settings, { what: "GET k", spentMs: 30_012, budgetMs: 30_000, attempts: 1 })
 *   .message;
 * // "S3 at http://127.0.0.1:9 did not answer GET k: timed out after 30 s (1 attempt; remote.operation_timeout 30 s); giving up on it"
 * ```
 */
export function silentServerError(
  settings: Pick<S3Settings, "endpoint" | "region">,
  s: SilentServer,
): ServiceError {
  const tries = `${s.attempts} attempt${s.attempts === 1 ? "" : "s"}`;
  return new ServiceError(
    `S3 at ${describeEndpoint(settings)} did not answer ${s.what}: timed out after ${
      Math.round(s.spentMs / 100) / 10
    } s (${tries}; remote.operation_timeout ${s.budgetMs / 1000} s); giving up on it`,
    {
      cause: s.cause,
      hint: "is the endpoint an S3 server, and is it overloaded? " +
        "raise remote.operation_timeout in threatline.yaml if it is just slow",
    },
  );
}

/**
 * Whether `err` is a timeout (of the request, the socket or the connection).
 *
 * @example
 * ```ts
 * import { isTimeout } from "./_errors.ts";
 * isTimeout(Object.assign(new Error("slow"), { name: "TimeoutError" })); // true
 * ```
 */
export function isTimeout(err: unknown): boolean {
  const e = err as AwsishError;
  return e?.name === "TimeoutError" || e?.code === "ETIMEDOUT" || e?.name === "RequestTimeout" ||
    e instanceof Deno.errors.TimedOut;
}
