/**
 * `status`: which stages are stale and why, in run order, without running
 * anything.
 *
 * @module
 */
import { type Graph, topoOrder } from "../spec/graph.ts";
import type { LockFile } from "../cache/lock.ts";
import { observeStage } from "./observe.ts";
import { describeReason, type StaleReason, whyStale } from "./stale.ts";
import type { Workspace } from "../cache/workspace.ts";

/** The status of one stage. */
export interface StageStatus {
  /** Stage name. */
  stage: string;
  /** `fresh`, `stale`, or `frozen` (never run, never checked). */
  state: "fresh" | "stale" | "frozen";
  /** Why it is stale. */
  reason?: StaleReason;
  /** Human form of `reason`. */
  description?: string;
}

/** Options of {@linkcode pipelineStatus}. */
export interface StatusOptions {
  /**
   * Check pipeline.lock against code, data and params only: outs are not
   * hashed, and deps that upstream stages produce fall back to the hashes in
   * the lock when absent from the workspace (a fresh clone in CI).
   */
  lockOnly?: boolean;
  /** Restrict to these stages (already expanded by `selectStages`). */
  stages?: string[];
}

/**
 * The status of every stage, in topological order. An upstream stale stage
 * makes its dependents stale too (reason `upstream`).
 *
 * @example
 * ```ts ignore
 * import { pipelineStatus } from "./status.ts";
 * const rows = await pipelineStatus(ws, graph, lock);
 * const stale = rows.filter((r) => r.state === "stale");
 * ```
 */
export async function pipelineStatus(
  ws: Workspace,
  graph: Graph,
  lock: LockFile,
  options: StatusOptions = {},
): Promise<StageStatus[]> {
  const rows: StageStatus[] = [];
  const stale = new Set<string>();
  for (const name of topoOrder(graph, options.stages)) {
    const stage = graph.stages.get(name)!;
    if (stage.frozen) {
      rows.push({ stage: name, state: "frozen" });
      continue;
    }
    const observed = await observeStage(ws, stage, {
      skipOuts: options.lockOnly,
      lockFallback: options.lockOnly ? lock : undefined,
      skipSourceCheck: options.lockOnly,
    });
    const staleUpstream = [...(graph.upstream.get(name) ?? [])].filter((u) => stale.has(u));
    const reason = whyStale({ stage, locked: lock.stages[name], observed, staleUpstream });
    if (reason) {
      stale.add(name);
      rows.push({ stage: name, state: "stale", reason, description: describeReason(reason) });
    } else {
      rows.push({ stage: name, state: "fresh" });
    }
  }
  return rows;
}
