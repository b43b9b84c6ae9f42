/**
 * `repro --pull`: before deciding what runs, fetch the outs that
 * pipeline.lock records but the workspace lacks from the remote and check
 * them out, so a fresh clone runs only what its code, data or params really
 * changed (DVC's `dvc repro --pull`). An out the remote lacks is left
 * missing: the stage then runs as usual.
 *
 * Only missing outs are restored; an out the user changed is theirs and is
 * left for staleness to judge.
 *
 * @module
 */
import { join } from "node:path";
import { readLock } from "../cache/lock.ts";
import { forgetPaths } from "./observe.ts";
import { restoreOut } from "../cache/out_cache.ts";
import { noRemoteError } from "../cache/remote_config.ts";
import { pullCache } from "../cache/sync.ts";
import type { Workspace } from "../cache/workspace.ts";

/** Options of {@linkcode pullMissingOuts}. */
export interface PullMissingOptions {
  /** The stages whose outs may be pulled (repro's selection). */
  stages: readonly string[];
  /** Transfers at once (default 4). */
  jobs?: number;
}

/** What {@linkcode pullMissingOuts} did. */
export interface PullMissingResult {
  /** Out paths restored into the workspace. */
  restored: string[];
  /** Out paths the remote lacked (or had corrupt): their stages will run. */
  unavailable: string[];
}

/**
 * Download and check out the missing outs of `stages` that pipeline.lock
 * records. Throws a `ConfigError` when no remote is configured; a remote that
 * fails (down, credentials) throws its `ServiceError`/`ConfigError`.
 *
 * @example
 * ```ts ignore
 * import { pullMissingOuts } from "./repro_pull.ts";
 * const { restored } = await pullMissingOuts(ws, { stages: ["train", "evaluate"] });
 * ```
 */
export async function pullMissingOuts(
  ws: Workspace,
  options: PullMissingOptions,
): Promise<PullMissingResult> {
  if (!ws.remote) throw noRemoteError("repro --pull");
  const lock = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
  const missing = new Map<string, { path: string; hash: string }[]>();
  for (const stage of options.stages) {
    for (const out of lock.stages[stage]?.outs ?? []) {
      if (await exists(join(ws.root, out.path))) continue;
      missing.set(stage, [...(missing.get(stage) ?? []), out]);
    }
  }
  const result: PullMissingResult = { restored: [], unavailable: [] };
  if (missing.size === 0) return result;
  ws.log.info("pulling missing outs", {
    outs: [...missing.values()].flat().length,
    remote: ws.remote.description,
  });
  await pullCache(ws.remote, ws.store, {
    lock,
    stages: [...missing.keys()],
    jobs: options.jobs,
    log: ws.log,
    tmpDir: join(ws.cacheDir, "tmp"),
  });
  for (const [stage, outs] of missing) {
    for (const out of outs) {
      const got = await restoreOut(ws.store, join(ws.root, out.path), out.hash);
      if (got === "ok") {
        result.restored.push(out.path);
      } else {
        result.unavailable.push(out.path);
        ws.log.warn(`out ${got} on the remote; the stage will run`, { stage, out: out.path });
      }
    }
  }
  forgetPaths(ws, result.restored);
  return result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
