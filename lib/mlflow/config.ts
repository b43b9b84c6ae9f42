/**
 * MLflow settings, resolved once from an environment record into a typed
 * {@linkcode MlflowConfig}. The variables are MLflow's own, so a shell set up
 * for the Python client works unchanged:
 *
 * - `MLFLOW_TRACKING_URI`: the tracking server, `http(s)://host:port[/prefix]`.
 *   Unset or empty: MLflow is off and everything stays local.
 * - `MLFLOW_TRACKING_TOKEN`: sent as `Authorization: Bearer …`.
 * - `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`: HTTP basic auth
 *   (wins over the token, as in the Python client). Credentials written into
 *   the URI (`http://user:pass@host`) are moved here too.
 * - `MLFLOW_EXPERIMENT_NAME`: the experiment runs go to (default `threatline`).
 * - `MLFLOW_HTTP_REQUEST_TIMEOUT`: seconds per request (default 30).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Every variable {@linkcode mlflowConfigFromEnv} reads (for `--allow-env=`). */
export const MLFLOW_ENV_VARS = [
  "MLFLOW_TRACKING_URI",
  "MLFLOW_TRACKING_TOKEN",
  "MLFLOW_TRACKING_USERNAME",
  "MLFLOW_TRACKING_PASSWORD",
  "MLFLOW_EXPERIMENT_NAME",
  "MLFLOW_HTTP_REQUEST_TIMEOUT",
] as const;

/** The experiment used when `MLFLOW_EXPERIMENT_NAME` is not set. */
export const DEFAULT_EXPERIMENT = "threatline";

/** Seconds per request when `MLFLOW_HTTP_REQUEST_TIMEOUT` is not set. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** How requests authenticate. */
export type MlflowAuth =
  | { kind: "none" }
  | { kind: "bearer"; token: string }
  | { kind: "basic"; username: string; password: string };

/** Resolved MLflow settings. */
export interface MlflowConfig {
  /** Base URL of the tracking server, without credentials or trailing slash. */
  trackingUri: string;
  /** Authentication (secrets live only here and in the client's private fields). */
  auth: MlflowAuth;
  /** Experiment name for runs. */
  experimentName: string;
  /** Milliseconds before a request is abandoned. */
  timeoutMs: number;
}

/**
 * Resolve the MLflow settings from `env` (a plain record; the caller reads
 * the process environment once). Returns `undefined` when
 * `MLFLOW_TRACKING_URI` is unset or empty. A URI that is not http(s), a
 * username without a password (or the reverse) and a bad timeout are
 * {@linkcode ConfigError}s naming the variable.
 *
 * @example
 * ```ts
 * import { mlflowConfigFromEnv } from "./config.ts";
 * const config = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: "http://127.0.0.1:5000/" });
 * config?.trackingUri; // "http://127.0.0.1:5000"
 * config?.experimentName; // "threatline"
 * mlflowConfigFromEnv({}); // undefined: MLflow is off
 * ```
 */
export function mlflowConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): MlflowConfig | undefined {
  const get = (name: (typeof MLFLOW_ENV_VARS)[number]) => env[name]?.trim() || undefined;
  const raw = get("MLFLOW_TRACKING_URI");
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(
      `MLFLOW_TRACKING_URI must be an http(s) URL of a tracking server, got '${redactUri(raw)}'`,
      {
        field: "MLFLOW_TRACKING_URI",
        hint: "e.g. http://127.0.0.1:5000; unset it to keep everything local",
      },
    );
  }
  let username = get("MLFLOW_TRACKING_USERNAME");
  let password = get("MLFLOW_TRACKING_PASSWORD");
  if (url.username || url.password) {
    username ??= decodeURIComponent(url.username);
    password ??= decodeURIComponent(url.password);
    url.username = "";
    url.password = "";
  }
  if (Boolean(username) !== Boolean(password)) {
    const missing = username ? "MLFLOW_TRACKING_PASSWORD" : "MLFLOW_TRACKING_USERNAME";
    throw new ConfigError(`basic auth needs both a username and a password; ${missing} is empty`, {
      field: missing,
    });
  }
  const token = get("MLFLOW_TRACKING_TOKEN");
  const auth: MlflowAuth = username && password
    ? { kind: "basic", username, password }
    : token
    ? { kind: "bearer", token }
    : { kind: "none" };
  const timeoutRaw = get("MLFLOW_HTTP_REQUEST_TIMEOUT");
  const seconds = timeoutRaw === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(timeoutRaw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(
      `MLFLOW_HTTP_REQUEST_TIMEOUT must be a positive number of seconds, got '${timeoutRaw}'`,
      { field: "MLFLOW_HTTP_REQUEST_TIMEOUT" },
    );
  }
  url.search = "";
  url.hash = "";
  return {
    trackingUri: url.href.replace(/\/+$/, ""),
    auth,
    experimentName: get("MLFLOW_EXPERIMENT_NAME") ?? DEFAULT_EXPERIMENT,
    timeoutMs: Math.round(seconds * 1000),
  };
}

/**
 * A URI with any `user:password@` replaced by `***@`, for messages.
 *
 * @example
 * ```ts
 * import { redactUri } from "./config.ts";
 * redactUri("http://bob:s3cret@mlflow:5000"); // "http://***@mlflow:5000"
 * ```
 */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}
