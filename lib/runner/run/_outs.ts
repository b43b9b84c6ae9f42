/**
 * A stage's outs around its command: removed (unless `persist`) with their
 * parent folders made before it runs, then hashed into the cache and
 * described for the lock after it succeeds. Private to lib/runner/run (used
 * by `repro.ts`).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { EXIT, PipelineError } from "../../errors.ts";
import type { LockOut } from "../cache/lock.ts";
import { saveOut } from "../cache/out_cache.ts";
import type { StageSpec } from "../spec/spec.ts";
import type { Workspace } from "../cache/workspace.ts";

/**
 * Remove outs that are not `persist` and create their parent folders, like DVC.
 *
 * @example
 * ```ts ignore
 * import { prepareOuts } from "./_outs.ts";
 * await prepareOuts(ws, stage);
 * ```
 */
export async function prepareOuts(ws: Workspace, stage: StageSpec): Promise<void> {
  for (const out of stage.outs) {
    const abs = join(ws.root, out.path);
    if (!out.persist) await Deno.remove(abs, { recursive: true }).catch(ignoreNotFound);
    await Deno.mkdir(dirname(abs), { recursive: true });
  }
}

/**
 * Hash every out, save it into the cache, and describe it for the lock.
 *
 * @example
 * ```ts ignore
 * import { saveOuts } from "./_outs.ts";
 * const outs = await saveOuts(ws, stage);
 * ```
 */
export async function saveOuts(ws: Workspace, stage: StageSpec): Promise<LockOut[]> {
  const outs: LockOut[] = [];
  for (const out of stage.outs) {
    const abs = join(ws.root, out.path);
    let info;
    try {
      info = await saveOut(ws.store, abs, { memo: ws.memo });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (!info) {
      throw new PipelineError(`the command succeeded but did not produce out '${out.path}'`, {
        code: "OUT_MISSING",
        exitCode: EXIT.stage,
        stage: stage.name,
      });
    }
    outs.push({
      path: out.path,
      hash: info.hash,
      size: info.size,
      ...(info.isDir ? { nfiles: info.nfiles } : {}),
      cache: out.cache,
    });
  }
  return outs;
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
}
