/**
 * What every pipeline task does first: resolve the workspace settings from the
 * environment (read here, once), open the workspace, load pipeline.yaml and
 * build the graph.
 *
 * @module
 */
import type { Logger } from "../lib/log.ts";
import { buildGraph, type Graph } from "../lib/pipeline/graph.ts";
import { loadPipeline, type PipelineSpec } from "../lib/pipeline/spec.ts";
import { openWorkspace, type Workspace, type WorkspaceConfig } from "../lib/pipeline/workspace.ts";

/** Settings from the environment: `THREATLINE_CACHE_DIR` moves the local cache. */
export function configFromEnv(): WorkspaceConfig {
  return { root: Deno.cwd(), cacheDir: Deno.env.get("THREATLINE_CACHE_DIR") || undefined };
}

/** An open workspace with its pipeline loaded. */
export interface Loaded {
  /** The workspace. */
  ws: Workspace;
  /** The parsed, validated pipeline. */
  spec: PipelineSpec;
  /** Its DAG. */
  graph: Graph;
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
  const ws = await openWorkspace(configFromEnv(), log);
  try {
    const spec = await loadPipeline(ws.root, {
      file: ws.pipelineFile,
      cacheDir: ws.cacheDir,
      paramFiles: ws.paramFiles,
    });
    return { ws, spec, graph: buildGraph(spec) };
  } catch (err) {
    await ws.close();
    throw err;
  }
}
