/**
 * Errors of the HTTP API: each carries its HTTP status and a stable,
 * machine-readable code, and {@linkcode errorBody} turns any of them into the
 * one JSON shape every error response has:
 * `{ "error": { "code": "…", "message": "…", "field"?: "…" } }`.
 *
 * The codes are part of the API (README, `/openapi.json`); add new ones, never
 * rename them.
 *
 * @module
 */
import { DataError } from "../errors.ts";

/** Every error code the API answers with, and its HTTP status. */
export const ERROR_CODES = {
  /** The body is not valid JSON (or not UTF-8). */
  MALFORMED_JSON: 400,
  /** Valid JSON of the wrong shape (not a record or a list of records, empty list, …). */
  INVALID_BODY: 400,
  /** A CSV body that cannot be parsed or has no header row. */
  MALFORMED_CSV: 400,
  /** No or a wrong API key on a protected route. */
  UNAUTHORIZED: 401,
  /** No such route. */
  NOT_FOUND: 404,
  /** The route exists but not with this method. */
  METHOD_NOT_ALLOWED: 405,
  /** The body did not arrive within the request timeout. */
  REQUEST_TIMEOUT: 408,
  /** The body is larger than the limit. */
  BODY_TOO_LARGE: 413,
  /** More records in one request than the batch limit. */
  TOO_MANY_RECORDS: 413,
  /** A Content-Type the route does not take. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** A field the schema does not know. */
  UNKNOWN_FIELD: 422,
  /** A required field is missing (or null). */
  MISSING_FIELD: 422,
  /** A field has the wrong type or a value outside its domain. */
  INVALID_VALUE: 422,
  /** `/v1/check-url`: the URL is refused (not a URL, scheme, length, control characters, %-escapes). */
  INVALID_URL: 422,
  /** A bug: logged, answered without details. */
  INTERNAL: 500,
  /** No model is loaded yet. */
  NOT_READY: 503,
  /** The server is shutting down: retry on another instance. */
  SHUTTING_DOWN: 503,
} as const;

/** A stable error code of the API. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error response. */
export interface ErrorBody {
  /** The error. */
  error: {
    /** Stable code ({@linkcode ErrorCode}). */
    code: ErrorCode;
    /** Human message, naming the field where there is one. */
    message: string;
    /** The offending field (`url_length`, `records[3].url_length`, `line 4: sfh`). */
    field?: string;
  };
}

/**
 * An error with its HTTP status and stable code; the app's error handler
 * answers it as JSON ({@linkcode errorBody}).
 *
 * @example
 * ```ts
 * import { HttpError } from "./errors.ts";
 * const err = new HttpError("UNSUPPORTED_MEDIA_TYPE", "send application/json");
 * err.status; // 415
 * ```
 */
export class HttpError extends Error {
  /** Stable code. */
  readonly code: ErrorCode;
  /** HTTP status (from {@linkcode ERROR_CODES}). */
  readonly status: number;
  /** The offending field, if any. */
  readonly field?: string;
  /** Extra response headers (`Allow`, `WWW-Authenticate`). */
  readonly headers?: Record<string, string>;

  /** Create an error with `code`'s status. */
  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.code = code;
    this.status = ERROR_CODES[code];
    this.field = options.field;
    this.headers = options.headers;
  }
}

/**
 * The JSON body of an error response.
 *
 * @example
 * ```ts
 * import { errorBody, HttpError } from "./errors.ts";
 * errorBody(new HttpError("MISSING_FIELD", "field 'sfh' is missing", { field: "sfh" }));
 * // { error: { code: "MISSING_FIELD", message: "field 'sfh' is missing", field: "sfh" } }
 * ```
 */
export function errorBody(err: HttpError): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.field !== undefined) body.error.field = err.field;
  return body;
}

/**
 * Turn a scorer's {@linkcode DataError} about a record into a 422
 * {@linkcode HttpError}. The code is decided from the record itself, not from
 * the message's wording: a key the schema does not know is `UNKNOWN_FIELD`,
 * an absent/null/empty value `MISSING_FIELD`, anything else `INVALID_VALUE`.
 * `prefix` names where the record is (`records[3].`) in `field`.
 *
 * @example
 * ```ts
 * import { DataError } from "../errors.ts";
 * import { recordError } from "./errors.ts";
 * const err = recordError(new DataError("field 'sfh' is missing", { field: "sfh" }), {}, new Set(["sfh"]));
 * err.code; // "MISSING_FIELD"
 * ```
 */
export function recordError(
  err: DataError,
  record: Record<string, unknown> | undefined,
  known: ReadonlySet<string>,
  prefix = "",
): HttpError {
  const field = err.where.field;
  if (field === undefined) return new HttpError("INVALID_VALUE", err.message, { cause: err });
  const value = record?.[field];
  const code: ErrorCode = !known.has(field)
    ? "UNKNOWN_FIELD"
    : value === undefined || value === null || value === ""
    ? "MISSING_FIELD"
    : "INVALID_VALUE";
  const message = prefix ? `${prefix.replace(/\.$/, "")}: ${err.message}` : err.message;
  return new HttpError(code, message, { field: prefix + field, cause: err });
}
