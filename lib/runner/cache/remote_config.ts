/**
 * `threatline.yaml`: the optional project configuration at the workspace
 * root, read once with the environment into a typed {@linkcode ProjectConfig}.
 * Without the file and the variables everything stays local.
 *
 * ```yaml
 * cache:
 *   dir: .cache                    # local cache folder (default .cache)
 * remote:                          # the shared cache for push / pull / repro
 *   url: s3://ml-cache/threatline  # bucket and key prefix
 *   endpoint_url: http://127.0.0.1:9000  # S3-compatible server (MinIO …); omit for AWS
 *   region: us-east-1
 *   jobs: 4                        # transfers at once (default 4)
 *   connect_timeout: 5             # seconds to connect (default 5)
 *   timeout: 60                    # seconds per request / of silence (default 60)
 *   operation_timeout: 30          # seconds of silence per operation, retries included (default 30)
 *   retries: 3                     # retries of a failed request (default 3)
 * ```
 *
 * The environment wins over the file: `THREATLINE_CACHE_DIR`,
 * `THREATLINE_REMOTE_URL` (`none` turns a configured remote off),
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `AWS_REGION` /
 * `AWS_DEFAULT_REGION`. Credentials never go in the file: they come from
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, or the
 * AWS SDK's default chain (profiles, SSO, instance roles).
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { openSection, type Section } from "../../section.ts";
import { parseYaml } from "../../yaml.ts";
import {
  checkEndpoint,
  parseS3Url,
  S3_ENV_VARS,
  type S3Connection,
  s3ConnectionFromEnv,
  type S3Settings,
} from "../../s3/settings.ts";

/** File name of the project configuration, at the workspace root. */
export const CONFIG_FILE = "threatline.yaml";

/** Every environment variable {@linkcode resolveProjectConfig} reads. */
export const CONFIG_ENV_VARS = [
  "THREATLINE_CACHE_DIR",
  "THREATLINE_REMOTE_URL",
  ...S3_ENV_VARS,
] as const;

/** Default number of transfers at once. */
export const DEFAULT_JOBS = 4;

/** The remote cache, resolved. */
export interface RemoteConfig {
  /** `s3://bucket/prefix` as configured. */
  url: string;
  /** Key prefix in the bucket (no slashes at the ends; "" = bucket root). */
  prefix: string;
  /** Connection, bucket, timeouts and retries. */
  s3: S3Settings;
  /** Transfers at once. */
  jobs: number;
}

/** The resolved project configuration. */
export interface ProjectConfig {
  /** Path of the config file when there is one. */
  file?: string;
  /** Local cache folder, relative to the root or absolute (undefined: default). */
  cacheDir?: string;
  /** The remote cache, when one is configured. */
  remote?: RemoteConfig;
}

/** What `threatline.yaml` says about the remote, validated but not yet merged with env. */
interface FileRemote {
  url?: string;
  connection: Partial<S3Connection>;
  jobs?: number;
}

/** Run `fn`; a ConfigError it throws is re-located at `key` of `s` (file, line, column). */
function at<T>(s: Section, key: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const located = s.error(key, err.message);
    throw err.hint
      ? new ConfigError(located.message, { ...located.where, hint: err.hint })
      : located;
  }
}

function readRemote(s: Section): FileRemote {
  const url = s.has("url") ? s.string("url") : undefined;
  if (url !== undefined) at(s, "url", () => parseS3Url(url, "remote.url"));
  const endpoint = s.has("endpoint_url") ? s.string("endpoint_url") : undefined;
  const connection: Partial<S3Connection> = {};
  if (endpoint !== undefined) {
    connection.endpoint = at(
      s,
      "endpoint_url",
      () => checkEndpoint(endpoint, "remote.endpoint_url"),
    );
  }
  if (s.has("region")) connection.region = s.string("region");
  if (s.has("connect_timeout")) {
    connection.connectTimeoutMs = s.number("connect_timeout", { min: 0.001 }) * 1000;
  }
  if (s.has("timeout")) connection.requestTimeoutMs = s.number("timeout", { min: 0.001 }) * 1000;
  if (s.has("operation_timeout")) {
    connection.operationTimeoutMs = s.number("operation_timeout", { min: 0.001 }) * 1000;
  }
  if (s.has("retries")) {
    connection.maxAttempts = s.number("retries", { integer: true, min: 0, max: 20 }) + 1;
  }
  const jobs = s.has("jobs") ? s.number("jobs", { integer: true, min: 1, max: 256 }) : undefined;
  s.done();
  return { url, connection, jobs };
}

/**
 * Resolve the configuration from the text of `threatline.yaml` (undefined
 * when there is no such file) and the environment. Errors in the file name
 * its line and column; errors in a variable name the variable.
 *
 * @example
 * ```ts
 * import { resolveProjectConfig } from "./remote_config.ts";
 * const config = resolveProjectConfig(
 *   "remote:\n  url: s3://ml-cache/threatline\n",
 *   "threatline.yaml",
 *   { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000" },
 * );
 * config.remote?.s3.bucket; // "ml-cache"
 * config.remote?.prefix; // "threatline"
 * ```
 */
export function resolveProjectConfig(
  text: string | undefined,
  file: string,
  env: Record<string, string | undefined>,
): ProjectConfig {
  let cacheDir: string | undefined;
  let fromFile: FileRemote = { connection: {} };
  if (text !== undefined) {
    const y = parseYaml(text, file);
    if (y.value !== null) {
      const top = openSection(y, []);
      const cache = top.optionalSection("cache");
      if (cache) {
        if (cache.has("dir")) cacheDir = cache.string("dir");
        cache.done();
      }
      const remote = top.optionalSection("remote");
      if (remote) fromFile = readRemote(remote);
      top.done();
    }
  }
  cacheDir = env.THREATLINE_CACHE_DIR || cacheDir;
  const envUrl = env.THREATLINE_REMOTE_URL || undefined;
  const url = envUrl ?? fromFile.url;
  const config: ProjectConfig = {
    ...(text !== undefined ? { file } : {}),
    ...(cacheDir ? { cacheDir } : {}),
  };
  if (url === undefined || url === "none") return config;
  const { bucket, prefix } = parseS3Url(url, envUrl ? "THREATLINE_REMOTE_URL" : "remote.url");
  return {
    ...config,
    remote: {
      url,
      prefix,
      s3: { ...s3ConnectionFromEnv(env, fromFile.connection), bucket },
      jobs: fromFile.jobs ?? DEFAULT_JOBS,
    },
  };
}

/**
 * Read `threatline.yaml` at `root` (if present) and resolve it with the
 * environment. Synchronous: it runs once, before anything else.
 *
 * @example
 * ```ts ignore
 * import { loadProjectConfig } from "./remote_config.ts";
 * const { cacheDir, remote } = loadProjectConfig(Deno.cwd(), { THREATLINE_REMOTE_URL: "s3://b/p" });
 * ```
 */
export function loadProjectConfig(
  root: string,
  env: Record<string, string | undefined>,
): ProjectConfig {
  const path = join(root, CONFIG_FILE);
  let text: string | undefined;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return resolveProjectConfig(text, CONFIG_FILE, env);
}

/**
 * The error for a command that needs a remote when none is configured.
 *
 * @example
 * ```ts
 * import { noRemoteError } from "./remote_config.ts";
 * noRemoteError("push").exitCode; // 2
 * ```
 */
export function noRemoteError(command: string): ConfigError {
  return new ConfigError(`${command} needs a remote cache, and none is configured`, {
    file: CONFIG_FILE,
    field: "remote.url",
    hint: "set remote.url (s3://bucket/prefix) in threatline.yaml, or THREATLINE_REMOTE_URL",
  });
}
