/**
 * `repro`: bring the selected stages up to date. Stale stages run in
 * topological order, independent ones in parallel up to `jobs`; a stage whose
 * signature (cmd + dep hashes + params) was seen before is restored from the
 * run-cache instead of running; pipeline.lock is written after every stage
 * that succeeds, so an interrupted or failed run keeps what finished.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError, EXIT, InterruptedError, PipelineError, ServiceError } from "../../errors.ts";
import { type Graph, selectStages } from "../spec/graph.ts";
import {
  declaredOnly,
  type LockDep,
  type LockFile,
  type LockOut,
  type LockStage,
  readLock,
  stageSignature,
  writeLockAtomic,
} from "../cache/lock.ts";
import { forgetPaths, observeStage } from "./observe.ts";
import { restoreOut } from "../cache/out_cache.ts";
import { pullMissingOuts } from "./repro_pull.ts";
import type { RunEntry } from "../cache/object_store.ts";
import { lookupRun, recordRun } from "../cache/run_cache.ts";
import { fetchRun } from "../cache/sync.ts";
import { collectRecords, newRecordDir, RUN_RECORD_ENV } from "./_run_records.ts";
import { runStageCommands } from "./executor.ts";
import { prepareOuts, saveOuts } from "./_outs.ts";
import type { StageSpec } from "../spec/spec.ts";
import { describeReason, type StaleReason, whyStale } from "./stale.ts";
import type { Workspace } from "../cache/workspace.ts";

/** Options of {@linkcode repro}. */
export interface ReproOptions {
  /** Stages to reproduce (with everything upstream); empty = all. */
  targets?: string[];
  /** Run the selected stages even when fresh (and skip the run-cache). */
  force?: boolean;
  /** Only say what would run. */
  dry?: boolean;
  /** Stages run at once (default 1). */
  jobs?: number;
  /** Select the targets and everything downstream instead of upstream. */
  downstream?: boolean;
  /** Select the targets alone, nothing upstream (`repro -s`). */
  single?: boolean;
  /** First fetch the selected stages' missing outs from the remote (`repro --pull`). */
  pull?: boolean;
  /** Aborting stops running commands and starts no new stage. */
  signal?: AbortSignal;
  /** Every output line of every stage command. */
  onLine?: (stage: string, line: string, stream: "stdout" | "stderr") => void;
  /** Seconds between "still running" log lines (default 30). */
  heartbeatSeconds?: number;
  /** Told each stage command's process group when it starts, `undefined` when it ended. */
  onStageGroup?: (stage: string, pgid: number | undefined) => void;
}

/** What happened to a stage. */
export type Outcome = "ran" | "restored" | "fresh" | "frozen" | "would-run" | "failed" | "skipped";

/** The result of one stage. */
export interface StageResult {
  /** Stage name. */
  stage: string;
  /** What happened. */
  outcome: Outcome;
  /** Why it was stale (for ran, restored, would-run). */
  reason?: StaleReason;
  /** Wall time spent on the stage, seconds. */
  seconds: number;
  /** The error of a failed stage. */
  error?: unknown;
  /**
   * Run records the stage's commands wrote (ran or failed): the JSON files
   * they left in `THREATLINE_RUN_RECORD_DIR`, by file name.
   */
  records?: Record<string, unknown>;
}

/** The result of a whole {@linkcode repro}. */
export interface ReproSummary {
  /** One result per selected stage, in the order they finished. */
  results: StageResult[];
  /** Errors of failed stages, in the order they happened. */
  errors: unknown[];
}

/**
 * Reproduce the pipeline. Returns a summary; failed stages are in
 * `summary.errors` (their dependents are `skipped`, independent branches
 * finish). An abort ends with an `InterruptedError` in `errors`.
 *
 * @example
 * ```ts ignore
 * import { repro } from "./repro.ts";
 * const summary = await repro(ws, graph, { jobs: 2 });
 * if (summary.errors.length) throw summary.errors[0];
 * ```
 */
export async function repro(
  ws: Workspace,
  graph: Graph,
  options: ReproOptions = {},
): Promise<ReproSummary> {
  const order = selectStages(graph, options.targets ?? [], {
    downstream: options.downstream,
    single: options.single,
  });
  if (options.pull && !options.dry) {
    await pullMissingOuts(ws, { stages: order, jobs: options.jobs });
  }
  const selected = new Set(order);
  const jobs = Math.max(1, options.jobs ?? 1);
  const lock = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
  const results: StageResult[] = [];
  const errors: unknown[] = [];
  const outcome = new Map<string, Outcome>();
  let lockWrite = Promise.resolve();
  const commit = (name: string, entry: LockStage) => {
    lock.stages[name] = entry;
    for (const known of Object.keys(lock.stages)) {
      if (!graph.stages.has(known)) delete lock.stages[known];
    }
    lockWrite = lockWrite.then(() => writeLockAtomic(ws.lockPath, lock));
    return lockWrite;
  };
  const ctx: StageContext = { ws, graph, lock, options, commit, outcome, total: order.length };

  const pending = [...order];
  const running = new Map<string, Promise<void>>();
  const settled = (n: string) => outcome.has(n);
  while (pending.length > 0 || running.size > 0) {
    for (let i = 0; i < pending.length && running.size < jobs && !options.signal?.aborted; i++) {
      const name = pending[i];
      const ups = [...(graph.upstream.get(name) ?? [])].filter((u) => selected.has(u));
      if (!ups.every(settled)) continue;
      pending.splice(i--, 1);
      const blocked = ups.find((u) => ["failed", "skipped"].includes(outcome.get(u)!));
      if (blocked) {
        outcome.set(name, "skipped");
        results.push({ stage: name, outcome: "skipped", seconds: 0 });
        ws.log.warn("skipped: an upstream stage failed", { stage: name, upstream: blocked });
        continue;
      }
      ctx.index = (ctx.index ?? 0) + 1;
      const task = runOne(ctx, name).then((r) => {
        outcome.set(name, r.outcome);
        results.push(r);
        if (r.error !== undefined) errors.push(r.error);
      }).finally(() => running.delete(name));
      running.set(name, task);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await lockWrite;
  if (!options.dry) await dropRemovedStages(ws, graph, lock);
  if (options.signal?.aborted && !errors.some(isInterrupted)) {
    errors.push(new InterruptedError(String(options.signal.reason ?? "abort")));
  }
  return { results, errors };
}

/** Stages gone from pipeline.yaml leave the lock, even when nothing ran. */
async function dropRemovedStages(ws: Workspace, graph: Graph, lock: LockFile): Promise<void> {
  const pruned = declaredOnly(lock, graph.stages);
  if (pruned.removed.length === 0) return;
  await writeLockAtomic(ws.lockPath, pruned.lock);
  ws.log.info("dropped from pipeline.lock: no longer in pipeline.yaml", {
    stages: pruned.removed.join(", "),
  });
}

function isInterrupted(e: unknown): boolean {
  return e instanceof PipelineError && e.code === "INTERRUPTED";
}

interface StageContext {
  ws: Workspace;
  graph: Graph;
  lock: LockFile;
  options: ReproOptions;
  commit(name: string, entry: LockStage): Promise<void>;
  outcome: Map<string, Outcome>;
  total: number;
  index?: number;
  /** The remote run-cache failed once this run: do not ask it again. */
  remoteDown?: boolean;
}

async function runOne(ctx: StageContext, name: string): Promise<StageResult> {
  const { ws, graph, lock, options } = ctx;
  const stage = graph.stages.get(name)!;
  const started = performance.now();
  const seconds = () => Math.round(performance.now() - started) / 1000;
  const progress = `${ctx.index}/${ctx.total}`;
  let recordDir: string | undefined;
  if (stage.frozen) {
    ws.log.info("frozen: not checked, not run", { stage: name, progress });
    return { stage: name, outcome: "frozen", seconds: 0 };
  }
  try {
    const obs = await observeStage(ws, stage, { signal: options.signal });
    const wouldRunUpstream = [...(graph.upstream.get(name) ?? [])]
      .filter((u) => ctx.outcome.get(u) === "would-run");
    const reason: StaleReason | undefined = options.force ? { kind: "forced" } : whyStale({
      stage,
      locked: lock.stages[name],
      observed: obs,
      staleUpstream: wouldRunUpstream,
    });
    if (!reason) {
      ws.log.info("up to date", { stage: name, progress });
      return { stage: name, outcome: "fresh", seconds: seconds() };
    }
    if (options.dry) {
      ws.log.info("would run", { stage: name, progress, reason: describeReason(reason) });
      return { stage: name, outcome: "would-run", reason, seconds: 0 };
    }
    const deps: LockDep[] = [];
    for (const path of stage.deps) {
      const info = obs.depInfo.get(path);
      if (!info) {
        throw new PipelineError(`dep '${path}' does not exist`, {
          code: "DEP_MISSING",
          exitCode: EXIT.stage,
          stage: name,
          hint: "run the stage that produces it, or restore the file",
        });
      }
      deps.push({
        path,
        hash: info.hash,
        size: info.size,
        ...(info.isDir ? { nfiles: info.nfiles } : {}),
      });
    }
    const base = {
      cmd: stage.cmd,
      deps,
      params: obs.params,
      ...(obs.source !== undefined ? { source_check: obs.source } : {}),
    };
    const signature = stageSignature(base);
    forgetPaths(ws, stage.outs.map((o) => o.path));
    // A source-checked stage reads what its signature does not cover: never restore it.
    if (!options.force && !stage.alwaysChanged && stage.sourceCheck === undefined) {
      const restored = await restoreFromRunCache(ctx, stage, signature);
      if (restored) {
        await ctx.commit(name, { ...base, outs: restored });
        ws.log.info("restored from run-cache (not run)", {
          stage: name,
          progress,
          reason: describeReason(reason),
          signature: signature.slice(0, 12),
        });
        return { stage: name, outcome: "restored", reason, seconds: seconds() };
      }
    }
    ws.log.info("running", { stage: name, progress, reason: describeReason(reason) });
    await prepareOuts(ws, stage);
    recordDir = await newRecordDir(ws, name);
    const heartbeat = setInterval(
      () => ws.log.info("still running", { stage: name, seconds: seconds() }),
      (options.heartbeatSeconds ?? 30) * 1000,
    );
    try {
      await runStageCommands({
        stage: name,
        cmds: stage.cmd,
        cwd: ws.root,
        signal: options.signal,
        onLine: (line, stream) => options.onLine?.(name, line, stream),
        env: { [RUN_RECORD_ENV]: recordDir },
        onGroup: (pgid) => options.onStageGroup?.(name, pgid),
      });
    } finally {
      clearInterval(heartbeat);
    }
    const outs = await saveOuts(ws, stage);
    await recordRun(ws.store, {
      signature,
      stage: name,
      outs,
      createdAt: new Date().toISOString(),
    });
    await ctx.commit(name, { ...base, outs });
    ws.log.info("done", { stage: name, progress, seconds: seconds() });
    const records = await collectRecords(ws, recordDir).catch(() => ({}));
    return { stage: name, outcome: "ran", reason, seconds: seconds(), ...records };
  } catch (error) {
    if (!isInterrupted(error)) {
      ws.log.error("failed", { stage: name, seconds: seconds() });
    }
    const records = await collectRecords(ws, recordDir).catch(() => ({}));
    return { stage: name, outcome: "failed", seconds: seconds(), error, ...records };
  }
}

async function restoreFromRunCache(
  ctx: StageContext,
  stage: StageSpec,
  signature: string,
): Promise<LockOut[] | undefined> {
  const { ws } = ctx;
  const entry = await lookupRun(ws.store, signature) ??
    await fetchFromRemote(ctx, stage, signature);
  if (!entry) return undefined;
  const declared = stage.outs.map((o) => o.path).sort();
  const recorded = entry.outs.map((o) => o.path).sort();
  if (declared.join("\n") !== recorded.join("\n")) return undefined;
  for (const out of entry.outs) {
    const got = await restoreOut(ws.store, join(ws.root, out.path), out.hash);
    if (got !== "ok") {
      ws.log.warn(`run-cache object ${got}; running the stage instead`, {
        stage: stage.name,
        out: out.path,
      });
      return undefined;
    }
  }
  const cacheFlag = new Map(stage.outs.map((o) => [o.path, o.cache]));
  return entry.outs.map((o) => ({ ...o, cache: cacheFlag.get(o.path) ?? o.cache }));
}

/**
 * On a local run-cache miss, ask the remote (if any): a hit brings the
 * entry's objects into the local cache (verified) and records the entry
 * there. An unreachable or unusable remote is reported once and not asked
 * again.
 */
async function fetchFromRemote(
  ctx: StageContext,
  stage: StageSpec,
  signature: string,
): Promise<RunEntry | undefined> {
  const { ws } = ctx;
  if (!ws.remote || ctx.remoteDown) return undefined;
  try {
    const entry = await fetchRun(ws.remote, ws.store, signature, {
      outs: stage.outs.map((o) => o.path),
      log: ws.log,
      tmpDir: join(ws.cacheDir, "tmp"),
    });
    if (entry) {
      ws.log.info("restored from remote run-cache", {
        stage: stage.name,
        remote: ws.remote.description,
      });
    }
    return entry;
  } catch (err) {
    // Down, or unusable here (credentials, permissions): run locally rather than fail.
    if (!(err instanceof ServiceError || err instanceof ConfigError)) throw err;
    ctx.remoteDown = true;
    ws.log.warn("remote run-cache unavailable; stages run locally", { error: err.message });
    return undefined;
  }
}
