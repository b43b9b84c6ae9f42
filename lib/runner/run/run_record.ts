/**
 * Build the run-history entry of one `repro` ({@linkcode RunRecord},
 * lib/runner/run/run_history.ts) from what the run did: per-stage outcome,
 * seconds, reason and the stage's own run records; the params that changed
 * against the lock the run started from (dotted key, old -> new); the metrics
 * files and the model cards' versions found under the declared outs after
 * the run; and the git state.
 *
 * @module
 */
import { join } from "node:path";
import type { GitState } from "../../git.ts";
import { PipelineError } from "../../errors.ts";
import type { Graph } from "../spec/graph.ts";
import type { LockFile } from "../cache/lock.ts";
import { resolveParams } from "../spec/params.ts";
import { flatten, type Scalar } from "../../reports/diff_table.ts";
import type { ReproSummary, StageResult } from "./repro.ts";
import type { RunOutcome, RunRecord, StageOutcome, StageRecord } from "./run_history.ts";
import { describeReason } from "./stale.ts";
import type { Workspace } from "../cache/workspace.ts";

/** Options of {@linkcode buildRunRecord}. */
export interface BuildRunRecordOptions {
  /** The workspace the run used (params files already parsed are reused). */
  ws: Workspace;
  /** The pipeline's graph. */
  graph: Graph;
  /** pipeline.lock as it was before the run. */
  lockBefore: LockFile;
  /** What the run did; undefined when the runner itself failed before a summary. */
  summary?: ReproSummary;
  /** The runner's own error (e.g. the lock could not be written), if any. */
  error?: unknown;
  /** `repro`, `exp`, … */
  kind: string;
  /** Command-line arguments as given. */
  args: string[];
  /** Start and end, ms since the epoch. */
  startedAt: number;
  /** End, ms since the epoch. */
  endedAt: number;
  /** Git state at the start, when the workspace is a checkout. */
  git?: GitState;
}

/**
 * The run record of a finished (ok, failed or interrupted) run.
 *
 * @example
 * ```ts ignore
 * import { buildRunRecord } from "./run_record.ts";
 * import { appendRunRecord } from "./run_history.ts";
 * const record = await buildRunRecord({ ws, graph, lockBefore, summary, kind: "repro",
 *   args, startedAt, endedAt: Date.now(), git });
 * await appendRunRecord(ws.cacheDir, record);
 * ```
 */
export async function buildRunRecord(o: BuildRunRecordOptions): Promise<RunRecord> {
  const results = o.summary?.results ?? [];
  const errors = [...(o.summary?.errors ?? []), ...(o.error === undefined ? [] : [o.error])];
  const interrupted = errors.some(isInterrupted);
  const outcome: RunOutcome = interrupted ? "interrupted" : errors.length ? "failed" : "ok";
  return {
    id: runId(o.startedAt),
    kind: o.kind,
    started: new Date(o.startedAt).toISOString(),
    ended: new Date(o.endedAt).toISOString(),
    seconds: Math.round(o.endedAt - o.startedAt) / 1000,
    outcome,
    ...(errors.length ? { error: messageOf(errors[0]) } : {}),
    ...(o.git ? { git: o.git } : {}),
    args: o.args,
    changedParams: await changedParams(o, results),
    metrics: await metricsAfter(o.ws, o.graph),
    models: await modelVersions(o.ws, o.graph),
    stages: results.map(stageRecord),
  };
}

/** A time-sortable unique id: the start time in ms (base 36, fixed width) and random. */
function runId(startedAt: number): string {
  const time = startedAt.toString(36).padStart(9, "0");
  return `${time}-${crypto.randomUUID().slice(0, 8)}`;
}

function isInterrupted(e: unknown): boolean {
  return e instanceof PipelineError && e.code === "INTERRUPTED";
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function stageRecord(r: StageResult): StageRecord {
  const outcome: StageOutcome = r.outcome === "failed" && isInterrupted(r.error)
    ? "interrupted"
    : r.outcome === "would-run"
    ? "skipped"
    : r.outcome;
  const reason = r.error !== undefined
    ? messageOf(r.error)
    : r.reason
    ? describeReason(r.reason)
    : undefined;
  return {
    name: r.stage,
    outcome,
    ...(reason ? { reason } : {}),
    seconds: r.seconds,
    ...(r.records ? { records: r.records } : {}),
  };
}

/** Declared params of the run's stages whose leaf values differ from the lock before. */
async function changedParams(
  o: BuildRunRecordOptions,
  results: StageResult[],
): Promise<RunRecord["changedParams"]> {
  const changed: RunRecord["changedParams"] = {};
  for (const r of results) {
    const stage = o.graph.stages.get(r.stage);
    const locked = o.lockBefore.stages[r.stage];
    if (!stage || !locked || stage.params.length === 0) continue;
    let now: Record<string, Record<string, unknown>>;
    try {
      now = await resolveParams(o.ws.root, stage, {
        files: o.ws.paramFiles,
        pipelineFile: o.ws.pipelineFile,
        cacheDir: o.ws.cacheDir,
      });
    } catch {
      continue; // a missing params file is the stage's failure, reported there
    }
    for (const file of new Set([...Object.keys(now), ...Object.keys(locked.params)])) {
      const before = flatten(locked.params[file] ?? {});
      const after = flatten(now[file] ?? {});
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        const [b, a] = [before[key] ?? null, after[key] ?? null];
        if (b === a) continue;
        (changed[file] ??= {})[key] = [b, a];
      }
    }
  }
  return changed;
}

/** Every declared metrics file that exists and is JSON, flattened. */
async function metricsAfter(ws: Workspace, graph: Graph): Promise<RunRecord["metrics"]> {
  const metrics: RunRecord["metrics"] = {};
  for (const stage of graph.stages.values()) {
    for (const out of stage.outs.filter((x) => x.kind === "metric")) {
      try {
        const value = JSON.parse(await Deno.readTextFile(join(ws.root, out.path)));
        metrics[out.path] = flatten(value) as Record<string, Scalar>;
      } catch {
        // missing (not produced yet) or not JSON: not a metric to record
      }
    }
  }
  return metrics;
}

/** `card.json` versions in the declared outs (an out folder holding one, or the card itself). */
async function modelVersions(ws: Workspace, graph: Graph): Promise<Record<string, string>> {
  const models: Record<string, string> = {};
  for (const stage of graph.stages.values()) {
    for (const out of stage.outs) {
      const card = out.path.endsWith("card.json") ? out.path : `${out.path}/card.json`;
      try {
        const value = JSON.parse(await Deno.readTextFile(join(ws.root, card)));
        if (typeof value?.version === "string") models[out.path] = value.version;
      } catch {
        // not a model folder, or not produced yet
      }
    }
  }
  return models;
}
