/**
 * What every pipeline task does first: resolve the workspace settings from
 * `threatline.yaml` and the environment (read here, once), open the
 * workspace, load pipeline.yaml and build the graph.
 *
 * @module
 */
import { type Logger, nullLogger } from "../lib/log.ts";
import { buildGraph, type Graph } from "../lib/runner/spec/graph.ts";
import {
  CONFIG_ENV_VARS,
  loadProjectConfig,
  type RemoteConfig,
} from "../lib/runner/cache/remote_config.ts";
import { S3Store } from "../lib/runner/cache/s3_store.ts";
import { loadPipeline, type PipelineSpec } from "../lib/runner/spec/spec.ts";
import {
  openWorkspace,
  type Workspace,
  type WorkspaceConfig,
} from "../lib/runner/cache/workspace.ts";

/** Workspace settings plus what the remote was resolved to. */
export interface TaskConfig extends WorkspaceConfig {
  /** The remote's settings (bucket, prefix, jobs …) when one is configured. */
  remoteConfig?: RemoteConfig;
}

/**
 * The variables of `names` this process may read. One that the task's
 * `--allow-env` does not grant reads as unset (and never prompts), so tasks
 * that have no use for the remote keep their narrow permissions.
 *
 * @example
 * ```ts ignore
 * const env = grantedEnv(["MLFLOW_TRACKING_URI"]); // {} without --allow-env=MLFLOW_TRACKING_URI
 * ```
 */
export function grantedEnv(names: readonly string[]): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const variable of names) {
    if (Deno.permissions.querySync({ name: "env", variable }).state === "granted") {
      env[variable] = Deno.env.get(variable);
    }
  }
  return env;
}

/**
 * Settings from `threatline.yaml` (optional) and the environment:
 * `THREATLINE_CACHE_DIR` moves the local cache, `THREATLINE_REMOTE_URL` and
 * the AWS variables configure the remote (see `lib/runner/cache/remote_config.ts`).
 * The remote store connects on first use only.
 *
 * @example
 * ```ts ignore
 * const config = configFromEnv(log);
 * config.remoteConfig?.s3.bucket; // set when threatline.yaml or THREATLINE_REMOTE_URL names one
 * ```
 */
export function configFromEnv(log: Logger = nullLogger): TaskConfig {
  const root = Deno.cwd();
  const project = loadProjectConfig(root, grantedEnv(CONFIG_ENV_VARS));
  const remote = project.remote;
  return {
    root,
    cacheDir: project.cacheDir,
    ...(remote
      ? { remote: new S3Store(remote.s3, { prefix: remote.prefix, log }), remoteConfig: remote }
      : {}),
  };
}

/** An open workspace with its pipeline loaded. */
export interface Loaded {
  /** The workspace. */
  ws: Workspace;
  /** The parsed, validated pipeline. */
  spec: PipelineSpec;
  /** Its DAG. */
  graph: Graph;
  /** The settings it was opened with. */
  config: TaskConfig;
}

/**
 * Open the workspace in the current folder and load its pipeline.
 *
 * @example
 * ```ts ignore
 * const { ws, graph } = await loadWorkspace(log);
 * ```
 */
export async function loadWorkspace(log: Logger): Promise<Loaded> {
  const config = configFromEnv(log);
  const ws = await openWorkspace(config, log);
  try {
    const spec = await loadPipeline(ws.root, {
      file: ws.pipelineFile,
      cacheDir: ws.cacheDir,
      memo: ws.memo,
      paramFiles: ws.paramFiles,
    });
    return { ws, spec, graph: buildGraph(spec), config };
  } catch (err) {
    await ws.close();
    throw err;
  }
}
