/**
 * The HTTP layer of the MLflow client: one request with a timeout, retries
 * of busy answers, and every failure turned into a {@linkcode ServiceError}
 * naming the server and the endpoint.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { MlflowAuth } from "./config.ts";

/**
 * MLflow answered with an error: HTTP `status` and MLflow's `errorCode`
 * (e.g. `RESOURCE_DOES_NOT_EXIST`). A {@linkcode ServiceError}, exit status 7.
 *
 * @example
 * ```ts
 * import { MlflowApiError } from "./client.ts";
 * const err = new MlflowApiError("no such run", { status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
 * err.exitCode; // 7
 * ```
 */
export class MlflowApiError extends ServiceError {
  /** HTTP status. */
  readonly status: number;
  /** MLflow's `error_code`, or `HTTP_<status>` when the body had none. */
  readonly errorCode: string;
  /** Create the error. */
  constructor(message: string, init: { status: number; errorCode: string; hint?: string }) {
    super(message, { field: init.errorCode, hint: init.hint });
    this.status = init.status;
    this.errorCode = init.errorCode;
  }
}

const BUSY = new Set([429, 502, 503, 504]);

/** HTTP methods the API uses. */
export type Method = "GET" | "POST" | "PATCH" | "DELETE" | "PUT";

/** Where and how to send requests. */
export interface HttpSettings {
  /** Base URL, no trailing slash, no credentials. */
  base: string;
  /** Authentication. */
  auth: MlflowAuth;
  /** Milliseconds per request. */
  timeoutMs: number;
  /** Retries of a busy answer. */
  retries: number;
  /** First backoff before a retry, doubled each time. */
  retryBaseMs: number;
  /** The fetch to use. */
  fetch: typeof fetch;
  /** Debug lines. */
  log: Logger;
}

/** One request's payload and options. */
export interface CallOptions {
  /** Query parameters (lists repeat the key). */
  query?: Record<string, string | number | string[] | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Raw body (artifact upload). */
  raw?: Uint8Array;
  /** Return the answer as bytes, not JSON. */
  bytes?: boolean;
  /** Override the timeout. */
  timeoutMs?: number;
}

function authHeader(auth: MlflowAuth): Record<string, string> {
  if (auth.kind === "bearer") return { authorization: `Bearer ${auth.token}` };
  if (auth.kind === "basic") {
    const pair = new TextEncoder().encode(`${auth.username}:${auth.password}`);
    return { authorization: `Basic ${btoa(String.fromCharCode(...pair))}` };
  }
  return {};
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/refused/i.test(msg)) return "connection refused";
  return msg.replace(/\s+/g, " ").slice(0, 200);
}

function apiError(where: string, what: string, status: number, text: string): MlflowApiError {
  let errorCode = `HTTP_${status}`;
  let detail = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300);
  try {
    const json = JSON.parse(text) as { error_code?: string; message?: string };
    if (json.error_code) errorCode = json.error_code;
    if (json.message) detail = json.message;
  } catch {
    // not MLflow's JSON error: keep the text
  }
  const hint = status === 401 || status === 403
    ? "check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD"
    : undefined;
  return new MlflowApiError(
    `${where}: ${what} failed with HTTP ${status} ${errorCode}${detail ? `: ${detail}` : ""}`,
    { status, errorCode, hint },
  );
}

/**
 * Send one request to `<base>/api/2.0/<endpoint>` and parse the answer.
 *
 * @example
 * ```ts ignore
 * const got = await mlflowRequest<{ run: Run }>(settings, "GET", "mlflow/runs/get", { query: { run_id } });
 * ```
 */
export async function mlflowRequest<T>(
  s: HttpSettings,
  method: Method,
  endpoint: string,
  o: CallOptions = {},
): Promise<T> {
  const url = new URL(`${s.base}/api/2.0/${endpoint}`);
  for (const [k, v] of Object.entries(o.query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const what = `${method} /api/2.0/${endpoint.replace(/\?.*/, "")}`;
  const where = `MLflow at ${s.base}`;
  const headers: Record<string, string> = { ...authHeader(s.auth) };
  let body: BodyInit | undefined;
  if (o.raw) {
    headers["content-type"] = "application/octet-stream";
    body = o.raw as Uint8Array<ArrayBuffer>;
  } else if (o.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(o.body);
  }
  const timeoutMs = o.timeoutMs ?? s.timeoutMs;
  for (let attempt = 0;; attempt++) {
    let res: Response;
    let payload: Uint8Array;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      res = await s.fetch(url, { method, headers, body, signal });
      payload = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new ServiceError(`${where} did not answer ${what} in ${seconds(timeoutMs)}`, {
          cause: err,
          hint: "is the server up and reachable? MLFLOW_HTTP_REQUEST_TIMEOUT sets the timeout",
        });
      }
      throw new ServiceError(`${where} is unreachable (${what}): ${reason(err)}`, {
        cause: err,
        hint: "is the tracking server running? check MLFLOW_TRACKING_URI",
      });
    }
    s.log.debug("mlflow request", { method, endpoint: url.pathname, status: res.status });
    if (res.ok) {
      if (o.bytes) return payload as T;
      const text = new TextDecoder().decode(payload).trim();
      if (!text) return {} as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ServiceError(`${where}: ${what} answered with something that is not JSON`, {
          hint: "does MLFLOW_TRACKING_URI point at an MLflow tracking server?",
        });
      }
    }
    if (BUSY.has(res.status) && attempt < s.retries) {
      await new Promise((r) => setTimeout(r, s.retryBaseMs * 2 ** attempt));
      continue;
    }
    throw apiError(where, what, res.status, new TextDecoder().decode(payload));
  }
}
