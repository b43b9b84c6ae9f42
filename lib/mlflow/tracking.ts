/**
 * Log one `repro` to MLflow. Run layout: ONE parent run per `repro` that ran,
 * restored or failed at least one stage, with ONE child run per stage that ran,
 * was restored from the run-cache, or failed (fresh, frozen and skipped
 * stages only appear in the parent's tags).
 *
 * - Parent (`repro <time>`): params = the declared params of the logged
 *   stages, from pipeline.lock (`train.seed`; keys of another params file
 *   are `<file>:<key>`); metrics = every metrics file of the logged stages as
 *   `<stage>/<key>`; tags = git commit (`mlflow.source.git.commit`), the
 *   checkout's dirty flag (`threatline.git.dirty`) and, when dirty, the hash
 *   of its uncommitted changes (`threatline.git.diff_sha256`, lib/git.ts),
 *   `threatline.outcome.<stage>` for every selected stage and
 *   `threatline.signature.<stage>` (the run-cache key) for the logged ones;
 *   artifacts = pipeline.yaml, pipeline.lock and the params files read.
 *   Status FINISHED, or FAILED when a stage failed.
 * - Child (`<stage>`, tag `mlflow.parentRunId`): that stage's params; its
 *   metrics files unprefixed (`<file>/<key>` when it has several); the
 *   per-epoch curves of artifacts/train/history.json as steps
 *   (`<candidate>/<metric>`, and `chosen/<metric>` for the released
 *   candidate) when the stage writes it; tags `threatline.stage`,
 *   `threatline.outcome`, `threatline.signature`, `threatline.reason`;
 *   artifacts = every out of the stage (outs, metrics, plots) at its
 *   workspace path, through the artifact proxy, except outs over
 *   `maxOutBytes` (named in the tag `threatline.skipped_outs`).
 *
 * @module
 */
import { join } from "node:path";
import type { GitState } from "../git.ts";
import type { Logger } from "../log.ts";
import type { Graph } from "../runner/spec/graph.ts";
import { type LockFile, stageSignature } from "../runner/cache/lock.ts";
import { isInside } from "../runner/spec/paths.ts";
import { flatten, type Scalar } from "../reports/diff_table.ts";
import { historyMetrics, lockParams, toMetrics } from "./run_data.ts";
import type { ReproSummary, StageResult } from "../runner/run/repro.ts";
import type { OutSpec } from "../runner/spec/spec.ts";
import { describeReason } from "../runner/run/stale.ts";
import type { Workspace } from "../runner/cache/workspace.ts";
import { readLock } from "../runner/cache/lock.ts";
import {
  type KeyValue,
  type Metric,
  MlflowClient,
  type RunInfo,
  type RunStatus,
} from "./client.ts";
import type { MlflowConfig } from "./config.ts";

/** MLflow's limit on a tag value (characters). */
const MAX_TAG_VALUE = 8000;
const DEFAULT_MAX_OUT_BYTES = 20 * 1024 * 1024;
const LOGGED: ReadonlySet<string> = new Set(["ran", "restored", "failed"]);

/** Options of {@linkcode logRepro}. */
export interface LogReproOptions {
  /** The MLflow client. */
  client: MlflowClient;
  /** Experiment for the runs (created when missing). */
  experimentName: string;
  /** Workspace root. */
  root: string;
  /** The pipeline's graph (stage specs: outs and their kinds). */
  graph: Graph;
  /** pipeline.lock after the repro (params and signatures). */
  lock: LockFile;
  /** What the repro did. */
  summary: ReproSummary;
  /** When the repro started, ms since the epoch. */
  startedAt: number;
  /** Pipeline file relative to root (default `pipeline.yaml`). */
  pipelineFile?: string;
  /** Per-epoch training curves (default `artifacts/train/history.json`). */
  historyFile?: string;
  /** Outs bigger than this are not uploaded (default 20 MiB). */
  maxOutBytes?: number;
  /** Commit to tag; default: `git rev-parse HEAD` in root, when git answers. */
  gitCommit?: string;
  /** The checkout's state (commit, dirty flag, diff hash); its commit wins over `gitCommit`. */
  git?: GitState;
  /** Progress. */
  log: Logger;
}

/** What {@linkcode logRepro} logged. */
export interface LoggedRepro {
  /** Experiment id. */
  experimentId: string;
  /** The parent run. */
  runId: string;
  /** Its UI address. */
  url: string;
  /** Its final status. */
  status: RunStatus;
  /** One child run per logged stage. */
  children: { stage: string; runId: string; outcome: string }[];
  /** Files uploaded, over all runs. */
  files: number;
}

/**
 * Whether a repro summary has anything to log (a stage that ran, was
 * restored, or failed: a failed run is logged with status FAILED).
 *
 * @example
 * ```ts
 * import { shouldLogRepro } from "./tracking.ts";
 * shouldLogRepro({ results: [{ stage: "a", outcome: "fresh", seconds: 0 }], errors: [] }); // false
 * ```
 */
export function shouldLogRepro(summary: ReproSummary): boolean {
  return summary.results.some((r) => LOGGED.has(r.outcome));
}

/** Options of {@linkcode trackRepro}. */
export interface TrackReproOptions {
  /** Resolved MLflow settings. */
  config: MlflowConfig;
  /** The workspace the repro ran in. */
  ws: Pick<Workspace, "root" | "lockPath" | "pipelineFile">;
  /** Its graph. */
  graph: Graph;
  /** What the repro did. */
  summary: ReproSummary;
  /** When the repro started, ms since the epoch. */
  startedAt: number;
  /** The checkout's git state, tagged on the runs. */
  git?: GitState;
  /** Progress. */
  log: Logger;
  /** The fetch to use (tests). */
  fetch?: typeof fetch;
}

/**
 * The `repro` task's hook: when the repro ran or restored a stage, log it
 * with {@linkcode logRepro}. A failure is returned, not thrown, after a
 * warning that the pipeline's result stands: the task then exits with the
 * pipeline's own error, or with the MLflow error (status 7) when the
 * pipeline succeeded.
 *
 * @example
 * ```ts ignore
 * import { trackRepro } from "./tracking.ts";
 * const tracked = await trackRepro({ config, ws, graph, summary, startedAt, log });
 * if (tracked.error) throw tracked.error;
 * ```
 */
export async function trackRepro(
  o: TrackReproOptions,
): Promise<{ logged?: LoggedRepro; error?: unknown }> {
  if (!shouldLogRepro(o.summary)) return {};
  try {
    const client = MlflowClient.fromConfig(o.config, { log: o.log, fetch: o.fetch });
    const logged = await logRepro({
      client,
      experimentName: o.config.experimentName,
      root: o.ws.root,
      graph: o.graph,
      lock: await readLock(o.ws.lockPath),
      summary: o.summary,
      startedAt: o.startedAt,
      pipelineFile: o.ws.pipelineFile,
      git: o.git,
      log: o.log,
    });
    return { logged };
  } catch (error) {
    o.log.warn("MLflow: this repro was not logged; its outputs and pipeline.lock stand");
    return { error };
  }
}

/**
 * Log a repro as a parent run with one child per stage (see the module doc).
 * Throws a `ServiceError` when MLflow fails; runs already created are then
 * marked FAILED where the server still answers.
 *
 * @example
 * ```ts ignore
 * import { logRepro } from "./tracking.ts";
 * const logged = await logRepro({ client, experimentName: "threatline", root: ws.root, graph,
 *   lock, summary, startedAt, log });
 * log.info("MLflow run logged", { url: logged.url });
 * ```
 */
export async function logRepro(o: LogReproOptions): Promise<LoggedRepro> {
  const { client, log } = o;
  const results = o.summary.results.filter((r) => LOGGED.has(r.outcome));
  const now = Date.now();
  const commit = o.git?.commit ?? o.gitCommit ?? await gitHead(o.root);
  const exp = await client.ensureExperiment(o.experimentName);
  const status: RunStatus = o.summary.errors.length > 0 ? "FAILED" : "FINISHED";
  const common: KeyValue[] = [
    { key: "mlflow.source.name", value: "deno task repro" },
    { key: "mlflow.source.type", value: "LOCAL" },
    ...(commit ? [{ key: "mlflow.source.git.commit", value: commit }] : []),
    ...(o.git ? [{ key: "threatline.git.dirty", value: String(o.git.dirty) }] : []),
    ...(o.git?.diffHash ? [{ key: "threatline.git.diff_sha256", value: o.git.diffHash }] : []),
  ];
  const parent = await client.createRun({
    experimentId: exp.experiment_id,
    runName: `repro ${new Date(o.startedAt).toISOString().slice(0, 19).replace("T", " ")}`,
    startTime: o.startedAt,
    tags: [...common, { key: "threatline.kind", value: "repro" }],
  });
  const open = new Set<string>([parent.run_id]);
  let files = 0;
  try {
    const parentParams = new Map<string, string>();
    const parentMetrics: Metric[] = [];
    const parentTags: KeyValue[] = [
      { key: "threatline.stages", value: results.map((r) => r.stage).join(",") },
    ];
    for (const r of o.summary.results) {
      parentTags.push({ key: `threatline.outcome.${r.stage}`, value: r.outcome });
    }
    const paramFiles = new Set<string>();
    const children: LoggedRepro["children"] = [];
    for (const r of results) {
      const entry = o.lock.stages[r.stage];
      const outs = o.graph.stages.get(r.stage)?.outs ?? [];
      const params = entry ? lockParams(entry.params) : [];
      for (const p of params) parentParams.set(p.key, p.value);
      for (const file of Object.keys(entry?.params ?? {})) paramFiles.add(file);
      const signature = entry && r.outcome !== "failed" ? stageSignature(entry) : undefined;
      if (signature) parentTags.push({ key: `threatline.signature.${r.stage}`, value: signature });
      const metrics = r.outcome === "failed" ? [] : await stageMetrics(o.root, outs, now, log);
      for (const m of metrics) parentMetrics.push({ ...m, key: `${r.stage}/${m.key}` });
      const history = r.outcome === "failed" ? [] : await historyOf(o, outs, now);
      const child = await client.createRun({
        experimentId: exp.experiment_id,
        runName: r.stage,
        startTime: o.startedAt,
        tags: [
          ...common,
          { key: "mlflow.parentRunId", value: parent.run_id },
          { key: "threatline.kind", value: "stage" },
          { key: "threatline.stage", value: r.stage },
          { key: "threatline.outcome", value: r.outcome },
          ...(signature ? [{ key: "threatline.signature", value: signature }] : []),
          ...(r.reason ? [{ key: "threatline.reason", value: describeReason(r.reason) }] : []),
        ],
      });
      open.add(child.run_id);
      await client.logBatch(child.run_id, { params, metrics: [...metrics, ...history] });
      if (r.outcome !== "failed") files += await uploadOuts(o, child, r, outs);
      await client.updateRun(child.run_id, {
        status: r.outcome === "failed" ? "FAILED" : "FINISHED",
        endTime: o.startedAt + Math.round(r.seconds * 1000),
      });
      open.delete(child.run_id);
      children.push({ stage: r.stage, runId: child.run_id, outcome: r.outcome });
    }
    await client.logBatch(parent.run_id, {
      params: [...parentParams].map(([key, value]) => ({ key, value })),
      metrics: parentMetrics,
      tags: parentTags.map(clipTag),
    });
    const pipelineFile = o.pipelineFile ?? "pipeline.yaml";
    for (const path of [pipelineFile, "pipeline.lock", ...paramFiles]) {
      files += await uploadPath(client, parent, o.root, path);
    }
    await client.updateRun(parent.run_id, { status });
    open.delete(parent.run_id);
    const url = client.runUrl(exp.experiment_id, parent.run_id);
    log.info("MLflow run logged", { url, stages: children.length, files, status });
    return { experimentId: exp.experiment_id, runId: parent.run_id, url, status, children, files };
  } catch (err) {
    for (const runId of open) {
      await client.updateRun(runId, { status: "FAILED" }).catch(() => {});
    }
    throw err;
  }
}

async function stageMetrics(
  root: string,
  outs: OutSpec[],
  timestamp: number,
  log: Logger,
): Promise<Metric[]> {
  const files = outs.filter((out) => out.kind === "metric");
  const metrics: Metric[] = [];
  for (const out of files) {
    let values: Record<string, Scalar>;
    try {
      values = flatten(JSON.parse(await Deno.readTextFile(join(root, out.path))));
    } catch (err) {
      log.warn("MLflow: metrics file not logged", { file: out.path, error: String(err) });
      continue;
    }
    const prefix = files.length > 1 ? `${out.path}/` : "";
    metrics.push(...toMetrics(values, { timestamp, prefix }));
  }
  return metrics;
}

async function historyOf(o: LogReproOptions, outs: OutSpec[], timestamp: number) {
  const file = o.historyFile ?? "artifacts/train/history.json";
  if (!outs.some((out) => out.path === file || isInside(file, out.path))) return [];
  try {
    return historyMetrics(JSON.parse(await Deno.readTextFile(join(o.root, file))), timestamp);
  } catch (err) {
    o.log.warn("MLflow: training history not logged", { file, error: String(err) });
    return [];
  }
}

async function uploadOuts(
  o: LogReproOptions,
  run: RunInfo,
  r: StageResult,
  outs: OutSpec[],
): Promise<number> {
  const max = o.maxOutBytes ?? DEFAULT_MAX_OUT_BYTES;
  const locked = new Map((o.lock.stages[r.stage]?.outs ?? []).map((out) => [out.path, out.size]));
  const skipped: string[] = [];
  let files = 0;
  for (const out of outs) {
    if ((locked.get(out.path) ?? 0) > max) {
      skipped.push(out.path);
      continue;
    }
    files += await uploadPath(o.client, run, o.root, out.path);
  }
  if (skipped.length > 0) {
    o.log.info("MLflow: outs too big to upload", { stage: r.stage, outs: skipped.join(","), max });
    await o.client.logBatch(run.run_id, {
      tags: [clipTag({ key: "threatline.skipped_outs", value: skipped.join(",") })],
    });
  }
  return files;
}

/** Upload a file, or every file under a folder, at its workspace path. */
async function uploadPath(
  client: MlflowClient,
  run: RunInfo,
  root: string,
  path: string,
): Promise<number> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(join(root, path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  if (stat.isFile) {
    await client.uploadArtifact(run.artifact_uri, path, await Deno.readFile(join(root, path)));
    return 1;
  }
  let n = 0;
  const entries = [];
  for await (const e of Deno.readDir(join(root, path))) entries.push(e.name);
  for (const name of entries.sort()) n += await uploadPath(client, run, root, `${path}/${name}`);
  return n;
}

function clipTag(tag: KeyValue): KeyValue {
  return { key: tag.key, value: tag.value.slice(0, MAX_TAG_VALUE) };
}

/**
 * `git rev-parse HEAD` in `cwd`, or undefined when git is missing, not
 * allowed (`--allow-run=git`), or `cwd` is not a checkout with a commit.
 *
 * @example
 * ```ts ignore
 * import { gitHead } from "./tracking.ts";
 * const commit = await gitHead("."); // "1b03b8b…" or undefined
 * ```
 */
export async function gitHead(cwd: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--verify", "--quiet", "HEAD"],
      cwd,
      stdout: "piped",
      stderr: "null",
    }).output();
    const sha = new TextDecoder().decode(out.stdout).trim();
    return out.success && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}
