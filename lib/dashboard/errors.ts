/**
 * Errors of the dashboard's own routes (the `/v1` API keeps serve's): each
 * carries its HTTP status and is answered as serve answers its errors,
 * `{ "error": { "code", "message" } }`.
 *
 * @module
 */

/** Dashboard error codes and their statuses. */
export const DASH_ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BODY_TOO_LARGE: 413,
  UNAVAILABLE: 503,
} as const;

/** One of {@linkcode DASH_ERROR_CODES}. */
export type DashErrorCode = keyof typeof DASH_ERROR_CODES;

/**
 * A failed dashboard request.
 *
 * @example
 * ```ts
 * import { DashError } from "./errors.ts";
 * new DashError("CONFLICT", "a run is in progress").status; // 409
 * ```
 */
export class DashError extends Error {
  /** Stable code. */
  readonly code: DashErrorCode;
  /** HTTP status. */
  readonly status: number;
  /** Extra JSON fields of the answer. */
  readonly details?: Record<string, unknown>;

  /** An error with its code (status from the table). */
  constructor(code: DashErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "DashError";
    this.code = code;
    this.status = DASH_ERROR_CODES[code];
    this.details = details;
  }
}
