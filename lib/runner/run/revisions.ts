/**
 * Metrics and params as they are now and as they were at a git revision:
 * the revision's pipeline.lock says which metric objects and param values a
 * stage had; metric contents come from the cache (or from git when the file
 * was committed).
 *
 * @module
 */
import { join } from "node:path";
import { gitShow } from "../../git.ts";
import { DataError } from "../../errors.ts";
import { type LockFile, parseLock } from "../cache/lock.ts";
import { resolveParams } from "../spec/params.ts";
import { flatten, type Scalar } from "../../reports/diff_table.ts";
import type { PipelineSpec } from "../spec/spec.ts";
import type { Workspace } from "../cache/workspace.ts";

/** `file -> dotted key -> value`. */
export type Values = Record<string, Record<string, Scalar>>;

function parseMetricJson(text: string, file: string): Record<string, Scalar> {
  try {
    return flatten(JSON.parse(text));
  } catch (err) {
    throw new DataError(`metrics file is not valid JSON: ${(err as Error).message}`, { file });
  }
}

/**
 * The metrics files declared in the pipeline, read from the workspace.
 * Missing files are left out.
 *
 * @example
 * ```ts ignore
 * const now = await currentMetrics(ws, spec); // { "artifacts/metrics.json": { accuracy: 0.97 } }
 * ```
 */
export async function currentMetrics(ws: Workspace, spec: PipelineSpec): Promise<Values> {
  const out: Values = {};
  for (const stage of spec.stages) {
    for (const o of stage.outs.filter((o) => o.kind === "metric")) {
      try {
        out[o.path] = parseMetricJson(await Deno.readTextFile(join(ws.root, o.path)), o.path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  }
  return out;
}

/**
 * pipeline.lock as committed at `rev` (empty when it had none).
 *
 * @example
 * ```ts ignore
 * const old = await lockAtRevision(ws, "HEAD~1");
 * ```
 */
export async function lockAtRevision(ws: Workspace, rev: string): Promise<LockFile> {
  const lockName = ws.lockPath.slice(ws.root.length + 1);
  const text = await gitShow({ cwd: ws.root, rev, path: lockName });
  return text === undefined ? { version: 1, stages: {} } : parseLock(text, `${rev}:${lockName}`);
}

/**
 * The metrics a revision recorded: each metric out of its lock, read from the
 * cache by hash, or from git when the file was committed. Files available
 * from neither are listed in `unavailable`.
 *
 * @example
 * ```ts ignore
 * const { values, unavailable } = await metricsAtRevision(ws, spec, "main");
 * ```
 */
export async function metricsAtRevision(
  ws: Workspace,
  spec: PipelineSpec,
  rev: string,
): Promise<{ values: Values; unavailable: string[] }> {
  const lock = await lockAtRevision(ws, rev);
  const metricPaths = new Set(
    spec.stages.flatMap((s) => s.outs.filter((o) => o.kind === "metric").map((o) => o.path)),
  );
  const values: Values = {};
  const unavailable: string[] = [];
  for (const entry of Object.values(lock.stages)) {
    for (const out of entry.outs) {
      if (!metricPaths.has(out.path)) continue;
      const bytes = await ws.store.readObjectBytes(out.hash);
      const text = bytes
        ? new TextDecoder().decode(bytes)
        : await gitShow({ cwd: ws.root, rev, path: out.path });
      if (text === undefined) unavailable.push(out.path);
      else values[out.path] = parseMetricJson(text, `${rev}:${out.path}`);
    }
  }
  return { values, unavailable };
}

/**
 * The current values of every declared param, merged over all stages.
 *
 * @example
 * ```ts ignore
 * const now = await currentParams(ws, spec); // { "params.yaml": { "train.lr": 0.01 } }
 * ```
 */
export async function currentParams(ws: Workspace, spec: PipelineSpec): Promise<Values> {
  const out: Values = {};
  for (const stage of spec.stages) {
    const values = await resolveParams(ws.root, stage, {
      files: ws.paramFiles,
      pipelineFile: ws.pipelineFile,
      cacheDir: ws.cacheDir,
    });
    mergeParams(out, values);
  }
  return out;
}

/**
 * The param values a lock recorded, merged over all its stages.
 *
 * @example
 * ```ts
 * import { lockedParams } from "./revisions.ts";
 * lockedParams({ version: 1, stages: {} }); // {}
 * ```
 */
export function lockedParams(lock: LockFile): Values {
  const out: Values = {};
  for (const entry of Object.values(lock.stages)) mergeParams(out, entry.params);
  return out;
}

function mergeParams(into: Values, values: Record<string, Record<string, unknown>>): void {
  for (const [file, keys] of Object.entries(values)) {
    for (const [key, value] of Object.entries(keys)) {
      into[file] ??= {};
      Object.assign(into[file], flatten(value, key));
    }
  }
}
