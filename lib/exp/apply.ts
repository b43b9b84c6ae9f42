/**
 * `exp apply ID`: bring a finished experiment into the workspace: its params
 * files, its pipeline.lock, and its outs checked out from the cache. A params
 * file the user edited since the experiment was queued is not overwritten
 * without `force`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeFileAtomic } from "../atomic.ts";
import { checkout, type CheckoutResult } from "../runner/cache/checkout.ts";
import { parseLock } from "../runner/cache/lock.ts";
import { forgetPaths } from "../runner/run/observe.ts";
import type { Workspace } from "../runner/cache/workspace.ts";
import { readRecord } from "./record.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Apply experiment `id` to the workspace (hold the workspace lock around it).
 * Returns what checkout did per out; outs missing from the cache are listed
 * as `missing` (a `repro` rebuilds them).
 *
 * @example
 * ```ts ignore
 * import { applyExperiment } from "./apply.ts";
 * const results = await applyExperiment(ws, "exp-1a2b3c");
 * ```
 */
export async function applyExperiment(
  ws: Workspace,
  id: string,
  options: { force?: boolean } = {},
): Promise<CheckoutResult[]> {
  const record = await readRecord(ws.cacheDir, id);
  if (record.status !== "done" || record.lock === undefined) {
    throw new ConfigError(`experiment '${id}' is ${record.status}: only a finished one applies`, {
      field: "ID",
      hint: record.error ? `it failed: ${record.error.message}` : undefined,
    });
  }
  for (const [file, text] of Object.entries(record.paramTexts)) {
    const now = await Deno.readTextFile(join(ws.root, file)).catch(() => undefined);
    if (now === undefined || now === text || options.force) continue;
    if (sha256(now) !== record.paramBase[file]) {
      throw new ConfigError(`${file} changed since experiment '${id}' was queued`, {
        file,
        hint: "commit or save your edits, or pass --force to overwrite them",
      });
    }
  }
  const lock = parseLock(record.lock, `experiment ${id}: pipeline.lock`);
  for (const [file, text] of Object.entries(record.paramTexts)) {
    await writeFileAtomic(join(ws.root, file), text);
  }
  await writeFileAtomic(ws.lockPath, record.lock);
  ws.paramFiles.clear();
  forgetPaths(ws, Object.values(lock.stages).flatMap((s) => s.outs.map((o) => o.path)));
  return await checkout(ws, lock);
}
