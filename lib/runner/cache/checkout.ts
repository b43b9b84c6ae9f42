/**
 * `checkout`: make the workspace's outs match pipeline.lock by restoring them
 * from the cache (after a `git checkout`, a fresh clone with a pulled cache,
 * or an accidental delete).
 *
 * @module
 */
import { join } from "node:path";
import { hashPath } from "./hash.ts";
import type { LockFile } from "./lock.ts";
import { restoreOut } from "./out_cache.ts";
import type { Workspace } from "./workspace.ts";

/** What checkout did to one out. */
export interface CheckoutResult {
  /** Stage name. */
  stage: string;
  /** Out path. */
  path: string;
  /** `unchanged`, `restored`, or why it could not be: `missing` / `corrupt` in the cache. */
  result: "unchanged" | "restored" | "missing" | "corrupt";
}

/**
 * Restore the outs of `stages` (default: all in the lock) whose workspace
 * content differs from the lock.
 *
 * @example
 * ```ts ignore
 * import { checkout } from "./checkout.ts";
 * const results = await checkout(ws, lock);
 * ```
 */
export async function checkout(
  ws: Workspace,
  lock: LockFile,
  stages?: string[],
): Promise<CheckoutResult[]> {
  const results: CheckoutResult[] = [];
  for (const [stage, entry] of Object.entries(lock.stages)) {
    if (stages && !stages.includes(stage)) continue;
    for (const out of entry.outs) {
      const abs = join(ws.root, out.path);
      const now = await hashPath(abs, { memo: ws.memo });
      if (now?.hash === out.hash) {
        results.push({ stage, path: out.path, result: "unchanged" });
        continue;
      }
      const got = await restoreOut(ws.store, abs, out.hash);
      results.push({ stage, path: out.path, result: got === "ok" ? "restored" : got });
    }
  }
  return results;
}
