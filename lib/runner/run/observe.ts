/**
 * Observing a stage: hash its deps and outs (through the stat memo) and read
 * the current values of its declared params. This is the I/O half of the
 * staleness check; {@linkcode whyStale} is the pure half.
 *
 * @module
 */
import { join } from "node:path";
import { hashPath, type PathInfo } from "../cache/hash.ts";
import type { LockFile } from "../cache/lock.ts";
import { resolveParams } from "../spec/params.ts";
import { runSourceCheck } from "./source_check.ts";
import { overlaps } from "../spec/paths.ts";
import type { StageSpec } from "../spec/spec.ts";
import type { ObservedStage } from "./stale.ts";
import type { Workspace } from "../cache/workspace.ts";

/** A stage as observed in the workspace, with full path infos. */
export interface Observation extends ObservedStage {
  /** Hash info of each dep (undefined when missing). */
  depInfo: Map<string, PathInfo | undefined>;
  /** Hash info of each out (undefined when missing). */
  outInfo: Map<string, PathInfo | undefined>;
}

/** Options of {@linkcode observeStage}. */
export interface ObserveOptions {
  /** Skip hashing outs (their hashes are then absent). */
  skipOuts?: boolean;
  /**
   * Lock-only mode: a dep missing from the workspace that an upstream stage
   * produces takes the hash that stage's lock entry recorded, so a fresh
   * clone without artifacts can still check the lock against code, data and
   * params.
   */
  lockFallback?: LockFile;
  /** Do not run the stage's `source_check` (lock-only status: no source at hand). */
  skipSourceCheck?: boolean;
  /** Aborts a running `source_check`. */
  signal?: AbortSignal;
}

/**
 * Observe one stage.
 *
 * @example
 * ```ts ignore
 * import { observeStage } from "./observe.ts";
 * const obs = await observeStage(ws, stage);
 * obs.deps.get("data/x.csv"); // current hash or undefined
 * ```
 */
export async function observeStage(
  ws: Workspace,
  stage: StageSpec,
  options: ObserveOptions = {},
): Promise<Observation> {
  const hash = async (p: string) => {
    if (!ws.observed.has(p)) {
      ws.observed.set(p, await hashPath(join(ws.root, p), { memo: ws.memo }));
    }
    return ws.observed.get(p);
  };
  const depInfo = new Map<string, PathInfo | undefined>();
  for (const dep of stage.deps) {
    let info = await hash(dep);
    if (!info && options.lockFallback) info = lockedOut(options.lockFallback, dep);
    depInfo.set(dep, info);
  }
  const outInfo = new Map<string, PathInfo | undefined>();
  if (!options.skipOuts) {
    for (const out of stage.outs) outInfo.set(out.path, await hash(out.path));
  }
  const params = await resolveParams(ws.root, stage, {
    files: ws.paramFiles,
    pipelineFile: ws.pipelineFile,
    cacheDir: ws.cacheDir,
  });
  const source = options.skipSourceCheck || stage.frozen
    ? undefined
    : await runSourceCheck(ws.root, stage, { signal: options.signal });
  return {
    ...(source !== undefined ? { source } : {}),
    depInfo,
    outInfo,
    deps: new Map([...depInfo].map(([p, i]) => [p, i?.hash])),
    outs: options.skipOuts ? undefined : new Map([...outInfo].map(([p, i]) => [p, i?.hash])),
    params,
  };
}

/**
 * Forget the observed hashes of `paths` and of every path overlapping them
 * (a folder containing one, a file inside one), before they change.
 *
 * @example
 * ```ts ignore
 * import { forgetPaths } from "./observe.ts";
 * forgetPaths(ws, stage.outs.map((o) => o.path)); // before running the stage
 * ```
 */
export function forgetPaths(ws: Workspace, paths: string[]): void {
  for (const known of [...ws.observed.keys()]) {
    if (paths.some((p) => overlaps(known, p))) ws.observed.delete(known);
  }
}

function lockedOut(lock: LockFile, path: string): PathInfo | undefined {
  for (const entry of Object.values(lock.stages)) {
    const out = entry.outs.find((o) => o.path === path);
    if (out) {
      return {
        hash: out.hash,
        size: out.size,
        isDir: out.hash.endsWith(".dir"),
        nfiles: out.nfiles,
      };
    }
  }
  return undefined;
}
