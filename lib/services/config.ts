/**
 * The resolved configuration of the test services: where their state, logs
 * and data live in the workspace, where installed servers are cached, and
 * which `go` and `python3` build them. Read once from the environment by
 * {@linkcode servicesConfigFromEnv}; the rest of the code takes this object.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Resolved configuration of `tasks/services.ts` and `tasks/test.ts`. */
export interface ServicesConfig {
  /** Workspace root (absolute). */
  workspace: string;
  /** `<workspace>/.cache/services`: state file, logs, data directories. */
  stateDir: string;
  /** Tool cache outside the repository (absolute). */
  toolCache: string;
  /** `go` executable, or undefined when none was found (only needed to build). */
  go?: string;
  /** Python 3 executable used to create venvs. */
  python: string;
}

/** Environment variables read by {@linkcode servicesConfigFromEnv}. */
export type Env = Record<string, string | undefined>;

/**
 * Resolve the configuration from environment variables:
 * `THREATLINE_TOOL_CACHE` (default `$XDG_CACHE_HOME/threatline`, else
 * `$HOME/.cache/threatline`), `THREATLINE_GO` (default `go` on PATH, else
 * `/usr/local/go/bin/go`) and `THREATLINE_PYTHON` (default `python3`).
 *
 * @example
 * ```ts
 * import { servicesConfigFromEnv } from "./config.ts";
 * const config = servicesConfigFromEnv("/work/main", { HOME: "/home/me", PATH: "" });
 * config.toolCache; // "/home/me/.cache/threatline"
 * config.stateDir; // "/work/main/.cache/services"
 * ```
 */
export function servicesConfigFromEnv(workspace: string, env: Env): ServicesConfig {
  if (!workspace.startsWith("/")) {
    throw new TypeError(`workspace must be absolute, got '${workspace}'`);
  }
  const root = workspace.replace(/\/+$/, "");
  return {
    workspace: root,
    stateDir: `${root}/.cache/services`,
    toolCache: toolCacheDir(env),
    go: env.THREATLINE_GO || findOnPath("go", env.PATH ?? "") || existing("/usr/local/go/bin/go"),
    python: env.THREATLINE_PYTHON || "python3",
  };
}

function toolCacheDir(env: Env): string {
  const explicit = env.THREATLINE_TOOL_CACHE;
  if (explicit) {
    if (!explicit.startsWith("/")) {
      throw new ConfigError(`THREATLINE_TOOL_CACHE must be an absolute path, got '${explicit}'`, {
        field: "THREATLINE_TOOL_CACHE",
      });
    }
    return explicit.replace(/\/+$/, "");
  }
  if (env.XDG_CACHE_HOME?.startsWith("/")) return `${env.XDG_CACHE_HOME}/threatline`;
  if (!env.HOME) {
    throw new ConfigError("cannot place the tool cache: neither HOME nor XDG_CACHE_HOME is set", {
      hint: "set THREATLINE_TOOL_CACHE to an absolute directory outside the repository",
    });
  }
  return `${env.HOME}/.cache/threatline`;
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(":")) {
    if (dir && existing(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function existing(file: string): string | undefined {
  try {
    return Deno.statSync(file).isFile ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The workspace root: the directory two levels above this module
 * (`lib/services/` → the repository root).
 *
 * @example
 * ```ts
 * import { defaultWorkspace } from "./config.ts";
 * defaultWorkspace().endsWith("/lib/services"); // false
 * ```
 */
export function defaultWorkspace(): string {
  return decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");
}
