/**
 * The Pipeline page's data: every stage with its status from the runner
 * (fresh, stale with the reason `deno task status` gives, frozen, running),
 * its layer in the graph, its outs with their sizes, and the duration of
 * its last run from the local run history.
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { buildGraph } from "../runner/spec/graph.ts";
import { readLock } from "../runner/cache/lock.ts";
import { readRunHistory } from "../runner/run/run_history.ts";
import { loadPipeline } from "../runner/spec/spec.ts";
import { pipelineStatus } from "../runner/run/status.ts";
import { openWorkspace } from "../runner/cache/workspace.ts";

/** Where the dashboard's workspace is. */
export interface WorkspaceRef {
  /** Absolute workspace root. */
  root: string;
  /** Cache folder (absolute or relative to root; default `.cache`). */
  cacheDir?: string;
}

/** One out of a stage. */
export interface OutInfo {
  /** Workspace-relative path. */
  path: string;
  /** `out`, `metric` or `plot`. */
  kind: string;
  /** Bytes (a folder: all its files), absent when it does not exist. */
  bytes?: number;
}

/** One stage on the Pipeline page. */
export interface StageView {
  /** Name. */
  name: string;
  /** `desc`. */
  desc?: string;
  /** `fresh`, `stale`, `frozen` or `running`. */
  state: string;
  /** Why it is stale. */
  reason?: string;
  /** Longest path from a source stage (0 for stages without upstream). */
  layer: number;
  /** Stages it reads from. */
  upstream: string[];
  /** Outs with sizes. */
  outs: OutInfo[];
  /** Seconds of its last run in the run history. */
  lastSeconds?: number;
}

/** The Pipeline page's data. */
export interface PipelineView {
  /** Stages in run order. */
  stages: StageView[];
  /** Released models found in the workspace (`artifacts/model`, `artifacts/url/model`). */
  models: { path: string; version: string; description?: string }[];
}

async function sizeOf(path: string): Promise<number | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return undefined;
  }
  if (!info.isDirectory) return info.size;
  let total = 0;
  for await (const e of Deno.readDir(path)) total += (await sizeOf(join(path, e.name))) ?? 0;
  return total;
}

/** The cache folder of a workspace reference, absolute. */
export function cacheDirOf(ws: WorkspaceRef): string {
  return join(ws.root, ws.cacheDir ?? ".cache");
}

/**
 * Read the pipeline's state (nothing is run or written but the hash memo).
 *
 * @example
 * ```ts ignore
 * import { pipelineView } from "./pipeline_data.ts";
 * const view = await pipelineView({ root: Deno.cwd() }, { log, running: undefined });
 * ```
 */
export async function pipelineView(
  ref: WorkspaceRef,
  o: { log: Logger; running?: string },
): Promise<PipelineView> {
  const ws = await openWorkspace({ root: ref.root, cacheDir: ref.cacheDir }, o.log);
  try {
    const spec = await loadPipeline(ws.root, {
      file: ws.pipelineFile,
      cacheDir: ws.cacheDir,
      paramFiles: ws.paramFiles,
    });
    const graph = buildGraph(spec);
    const lock = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
    const status = await pipelineStatus(ws, graph, lock);
    const last = new Map<string, number>();
    const { runs } = await readRunHistory(ws.cacheDir, { limit: 50 });
    for (const run of [...runs].reverse()) {
      for (const s of run.stages) if (s.outcome === "ran") last.set(s.name, s.seconds);
    }
    const layer = new Map<string, number>();
    const stages: StageView[] = [];
    for (const row of status) {
      const spec = graph.stages.get(row.stage)!;
      const up = [...(graph.upstream.get(row.stage) ?? [])];
      layer.set(row.stage, up.length ? Math.max(...up.map((u) => layer.get(u) ?? 0)) + 1 : 0);
      const outs: OutInfo[] = [];
      for (const out of spec.outs) {
        outs.push({ path: out.path, kind: out.kind, bytes: await sizeOf(join(ws.root, out.path)) });
      }
      stages.push({
        name: row.stage,
        desc: spec.desc,
        state: o.running === row.stage ? "running" : row.state,
        reason: row.description,
        layer: layer.get(row.stage)!,
        upstream: up,
        outs,
        lastSeconds: last.get(row.stage),
      });
    }
    const models = [];
    for (const dir of ["artifacts/model", "artifacts/url/model"]) {
      try {
        const card = JSON.parse(await Deno.readTextFile(join(ws.root, dir, "card.json")));
        models.push({ path: dir, version: String(card.version), description: card.description });
      } catch {
        // not released
      }
    }
    return { stages, models };
  } finally {
    await ws.close();
  }
}
