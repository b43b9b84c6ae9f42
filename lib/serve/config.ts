/**
 * The server's configuration, resolved once by the entry point
 * (`tasks/serve.ts`) from its command line and environment into a typed
 * {@linkcode ServeConfig}; nothing else reads flags or env.
 *
 * @module
 */
import { type OptionSpec, parseArgs, type ParsedArgs, positiveInt } from "../args.ts";
import { ConfigError } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./body.ts";

/** The environment variable holding the API key (unset or empty: no key). */
export const API_KEY_ENV = "THREATLINE_API_KEY";

/**
 * The permissions `deno task serve` needs to serve a local release folder:
 * network to listen, read for the folder and the npm cache, and only the
 * variables it reads (the API key; `LOG_TOKENS`/`LOG_STREAM` are read by the
 * `yaml` package). Remote sources need more (deno.json's `serve` line has
 * them): `--allow-write=$HOME/.cache/threatline/models` for the download
 * cache, `--allow-sys=osRelease` and `AWS_*,HOME,USERPROFILE,HOMEPATH,
 * HOMEDRIVE,_X_AMZN_TRACE_ID` for `s3://` (the AWS SDK), `MLFLOW_*` for
 * `models:/`.
 *
 * @example
 * ```ts
 * import { SERVE_PERMISSIONS } from "./config.ts";
 * ["run", ...SERVE_PERMISSIONS, "tasks/serve.ts"]; // a subprocess serving a local folder
 * ```
 */
export const SERVE_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  `--allow-env=${API_KEY_ENV},LOG_TOKENS,LOG_STREAM`,
];

/** The command line of `deno task serve`. */
export const SERVE_USAGE = "deno task serve [--port N] [--host H] [--model SRC] " +
  "[--reload-seconds S] [--max-body-bytes N] [--max-batch N] [--request-timeout-seconds S] " +
  "[--url-model DIR]";

/** Resolved server settings. */
export interface ServeConfig {
  /** Address to bind (default 127.0.0.1). */
  host: string;
  /** Port (default 8080; 0 picks a free one). */
  port: number;
  /** Model source: a release folder (default `artifacts/model`), `s3://bucket/prefix/` or `models:/name@alias`. */
  model: string;
  /** Seconds between checks for a new model; 0 turns reloading off (default 5). */
  reloadSeconds: number;
  /** The API key protecting the predict routes, if any. Never logged. */
  apiKey?: string;
  /** Request limits. */
  limits: Limits;
  /** The URL model folder of `/v1/check-url` (default `artifacts/url/model`, skipped when absent). */
  urlModel: string;
  /** Whether `--url-model` was given (then a missing folder is an error). */
  urlModelRequired: boolean;
}

function nonNegative(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`${name} must be a number ≥ 0, got '${value}'`, { field: name });
  }
  return n;
}

/**
 * Parse `deno task serve`'s arguments and environment (a plain record the
 * entry point reads once). Bad values are {@linkcode ConfigError}s naming the
 * flag or variable; the key's value never appears in a message.
 *
 * @example
 * ```ts
 * import { parseServeConfig } from "./config.ts";
 * const config = parseServeConfig(["--port", "9000"], { THREATLINE_API_KEY: "s3cret" });
 * [config.port, config.host, config.apiKey !== undefined]; // [9000, "127.0.0.1", true]
 * ```
 */
export function parseServeConfig(
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
): ServeConfig {
  const { values } = parseArgs(args, {
    usage: SERVE_USAGE,
    maxPositionals: 0,
    options: SERVE_OPTIONS,
  });
  return resolveServeConfig(values, env);
}

/** The flags of `deno task serve` (and of `deno task dashboard`, which has its own usage line). */
export const SERVE_OPTIONS: Record<string, OptionSpec> = {
  port: { type: "string" },
  host: { type: "string" },
  model: { type: "string" },
  "reload-seconds": { type: "string" },
  "max-body-bytes": { type: "string" },
  "max-batch": { type: "string" },
  "request-timeout-seconds": { type: "string" },
  "url-model": { type: "string" },
};

/**
 * Check parsed {@linkcode SERVE_OPTIONS} values and the environment and
 * resolve them into a {@linkcode ServeConfig} (defaults filled in).
 *
 * @example
 * ```ts
 * import { resolveServeConfig } from "./config.ts";
 * resolveServeConfig({ port: "0" }, {}).model; // "artifacts/model"
 * ```
 */
export function resolveServeConfig(
  values: ParsedArgs["values"],
  env: Readonly<Record<string, string | undefined>>,
): ServeConfig {
  const str = (name: string) => values[name] as string | undefined;
  let port = 8080;
  if (str("port") !== undefined) {
    port = Number(str("port"));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError(`--port must be an integer in 0..65535, got '${str("port")}'`, {
        field: "--port",
      });
    }
  }
  const host = str("host") ?? "127.0.0.1";
  if (host.trim() === "") throw new ConfigError("--host must not be empty", { field: "--host" });
  const model = str("model") ?? "artifacts/model";
  if (model.trim() === "") throw new ConfigError("--model must not be empty", { field: "--model" });
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (str("max-body-bytes") !== undefined) {
    limits.maxBodyBytes = positiveInt(str("max-body-bytes")!, "--max-body-bytes");
  }
  if (str("max-batch") !== undefined) {
    limits.maxBatchRecords = positiveInt(str("max-batch")!, "--max-batch");
  }
  if (str("request-timeout-seconds") !== undefined) {
    const s = nonNegative(str("request-timeout-seconds")!, "--request-timeout-seconds");
    if (s === 0) {
      throw new ConfigError("--request-timeout-seconds must be > 0", {
        field: "--request-timeout-seconds",
      });
    }
    limits.requestTimeoutMs = Math.round(s * 1000);
  }
  const reloadSeconds = str("reload-seconds") === undefined
    ? 5
    : nonNegative(str("reload-seconds")!, "--reload-seconds");
  const rawKey = env[API_KEY_ENV];
  let apiKey: string | undefined;
  if (rawKey !== undefined && rawKey !== "") {
    apiKey = rawKey.trim();
    if (apiKey.length < 16 || /\s/.test(apiKey)) {
      throw new ConfigError(
        `${API_KEY_ENV} must be at least 16 characters without whitespace`,
        { field: API_KEY_ENV, hint: "e.g. openssl rand -hex 32" },
      );
    }
  }
  const urlModelRequired = str("url-model") !== undefined;
  const urlModel = str("url-model") ?? "artifacts/url/model";
  return { host, port, model, reloadSeconds, apiKey, limits, urlModel, urlModelRequired };
}
