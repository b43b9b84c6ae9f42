/**
 * Queueing and running experiments. Queueing snapshots the workspace as it
 * is now into the experiment's own folder and applies the `-S` overrides
 * there; running reproduces that copy against the shared cache (so stages
 * whose signature is unchanged are restored from the run-cache, not run),
 * records its metrics and pipeline.lock, and removes the copy. The user's
 * files, lock and outs are never touched.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { forEachLimited } from "../concurrency.ts";
import { ConfigError, PipelineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { buildGraph } from "../runner/spec/graph.ts";
import { currentMetrics } from "../runner/run/revisions.ts";
import { repro } from "../runner/run/repro.ts";
import { loadPipeline, type PipelineSpec } from "../runner/spec/spec.ts";
import { openWorkspace, type Workspace } from "../runner/cache/workspace.ts";
import { applyOverrides, type ChangedParam, type ParamOverride } from "./params_override.ts";
import { type ExperimentRecord, expPaths, listRecords, readRecord, writeRecord } from "./record.ts";
import { insideRoot, snapshotWorkspace } from "./snapshot.ts";

/** Options of {@linkcode queueExperiment}. */
export interface QueueOptions {
  /** The `-S` overrides. */
  overrides: ParamOverride[];
  /** A name instead of a generated id. */
  name?: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Snapshot the workspace with the overrides applied, as a queued experiment.
 *
 * @example
 * ```ts ignore
 * import { queueExperiment } from "./run.ts";
 * const exp = await queueExperiment(ws, spec, { overrides: [{ file: "params.yaml", key: "train.lr", value: 0.1 }] });
 * ```
 */
export async function queueExperiment(
  ws: Workspace,
  spec: PipelineSpec,
  options: QueueOptions,
): Promise<ExperimentRecord> {
  const id = options.name ?? `exp-${crypto.randomUUID().replaceAll("-", "").slice(0, 6)}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
    throw new ConfigError(`experiment name '${id}' must be letters, digits, '.', '_' or '-'`, {
      field: "--name",
    });
  }
  const paths = expPaths(ws.cacheDir, id);
  if (await exists(paths.dir)) {
    throw new ConfigError(`experiment '${id}' exists already`, {
      field: "--name",
      hint: "pick another name, or `deno task exp remove` it first",
    });
  }
  const byFile = new Map<string, ParamOverride[]>();
  for (const o of options.overrides) byFile.set(o.file, [...(byFile.get(o.file) ?? []), o]);
  const paramTexts: Record<string, string> = {};
  const paramBase: Record<string, string> = {};
  const params: ChangedParam[] = [];
  for (const [file, overrides] of byFile) {
    let text: string;
    try {
      text = await Deno.readTextFile(join(ws.root, file));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      throw new ConfigError(`-S names params file '${file}', which does not exist`, {
        file,
        field: "-S",
      });
    }
    const applied = applyOverrides(text, overrides);
    paramTexts[file] = applied.text;
    paramBase[file] = sha256(text);
    params.push(...applied.changed);
  }
  const cache = insideRoot(ws.root, ws.cacheDir);
  const outs = spec.stages.flatMap((s) => s.outs.map((o) => o.path));
  try {
    await snapshotWorkspace({
      root: ws.root,
      dest: paths.workspace,
      exclude: [...(cache ? [cache] : []), ...outs],
    });
    for (const [file, text] of Object.entries(paramTexts)) {
      await Deno.writeTextFile(join(paths.workspace, file), text);
    }
    const record: ExperimentRecord = {
      id,
      status: "queued",
      params,
      paramTexts,
      paramBase,
      ...(await gitHead(ws.root).then((baseline) => (baseline ? { baseline } : {}))),
      queuedAt: new Date().toISOString(),
    };
    await writeRecord(ws.cacheDir, record);
    return record;
  } catch (err) {
    await Deno.remove(paths.dir, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Options of {@linkcode runExperiment}. */
export interface RunExperimentOptions {
  /** Stages at once inside the experiment (default 1). */
  jobs?: number;
  /** Progress and stage results. */
  log: Logger;
  /** Aborting stops the experiment's stages; it ends `failed` (interrupted). */
  signal?: AbortSignal;
  /** Every output line of every stage command. */
  onLine?: (stage: string, line: string) => void;
}

/**
 * Run a queued experiment to its end; the record says how it went (a failed
 * experiment is a result, not an exception).
 *
 * @example
 * ```ts ignore
 * import { runExperiment } from "./run.ts";
 * const done = await runExperiment(ws.cacheDir, "exp-1a2b3c", { log });
 * done.metrics; // { "metrics.json": { auc: 0.97 } }
 * ```
 */
export async function runExperiment(
  cacheDir: string,
  id: string,
  options: RunExperimentOptions,
): Promise<ExperimentRecord> {
  let record = await readRecord(cacheDir, id);
  if (record.status !== "queued") {
    throw new ConfigError(`experiment '${id}' is ${record.status}, not queued`, { field: "ID" });
  }
  const paths = expPaths(cacheDir, id);
  const started = performance.now();
  record = { ...record, status: "running", pid: Deno.pid, startedAt: new Date().toISOString() };
  await writeRecord(cacheDir, record);
  const log = tagged(options.log, { exp: id });
  const ws = await openWorkspace({
    root: paths.workspace,
    cacheDir,
    memoFile: join(paths.dir, "hash_memo.json"),
  }, log);
  let result: Partial<ExperimentRecord>;
  try {
    const spec = await loadPipeline(ws.root, {
      file: ws.pipelineFile,
      cacheDir,
      paramFiles: ws.paramFiles,
    });
    const summary = await repro(ws, buildGraph(spec), {
      jobs: options.jobs,
      signal: options.signal,
      onLine: options.onLine && ((stage, line) => options.onLine!(stage, line)),
    });
    if (summary.errors.length > 0) {
      result = { status: "failed", error: describe(summary.errors[0]) };
    } else {
      result = {
        status: "done",
        metrics: await currentMetrics(ws, spec),
        lock: await Deno.readTextFile(ws.lockPath),
      };
    }
  } catch (err) {
    if (!(err instanceof PipelineError)) throw err;
    result = { status: "failed", error: describe(err) };
  } finally {
    await ws.close();
  }
  const { pid: _pid, ...rest } = record;
  record = {
    ...rest,
    ...result,
    finishedAt: new Date().toISOString(),
    seconds: Math.round(performance.now() - started) / 1000,
  };
  await writeRecord(cacheDir, record);
  if (record.status === "done") {
    await Deno.remove(paths.workspace, { recursive: true });
    await Deno.remove(join(paths.dir, "hash_memo.json")).catch(() => {});
  }
  return record;
}

/**
 * Run every queued experiment, `jobs` at once (each runs its stages one at a
 * time); returns their records in queue order.
 *
 * @example
 * ```ts ignore
 * import { runQueued } from "./run.ts";
 * const done = await runQueued(ws.cacheDir, { jobs: 2, log });
 * ```
 */
export async function runQueued(
  cacheDir: string,
  options: Omit<RunExperimentOptions, "jobs"> & { jobs?: number },
): Promise<ExperimentRecord[]> {
  const queued = (await listRecords(cacheDir)).filter((r) => r.status === "queued");
  const done = new Map<string, ExperimentRecord>();
  await forEachLimited(queued, Math.max(1, options.jobs ?? 1), async (r) => {
    if (options.signal?.aborted) return;
    options.log.info("experiment running", { exp: r.id });
    const result = await runExperiment(cacheDir, r.id, { ...options, jobs: 1 });
    done.set(r.id, result);
    options.log[result.status === "done" ? "info" : "error"](`experiment ${result.status}`, {
      exp: r.id,
      seconds: result.seconds,
      error: result.error?.message,
    });
  });
  return queued.flatMap((r) => done.get(r.id) ?? []);
}

/** `log` with `fields` added to every record. */
function tagged(log: Logger, fields: Record<string, string>): Logger {
  const wrap = (level: keyof Logger) => (msg: string, more?: Record<string, unknown>) =>
    log[level](msg, { ...fields, ...more });
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}

function describe(err: unknown): NonNullable<ExperimentRecord["error"]> {
  if (err instanceof PipelineError) {
    return { message: err.message, code: err.code, exitCode: err.exitCode };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, (err) => {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  });
}

async function gitHead(root: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--verify", "--quiet", "HEAD"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotCapable) {
      return undefined;
    }
    throw err;
  }
}
