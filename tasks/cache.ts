/**
 * `deno task cache verify [--repair]`: re-hash every object of the local
 * cache. Without `--repair`, corrupt objects are listed and the task exits 6;
 * with it, each is stored again from an intact workspace copy (an out or dep
 * recorded in pipeline.lock) or removed, so the next `repro` rebuilds it or
 * `pull` fetches it (lib/runner/cache/cache_verify.ts).
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { CacheError, ConfigError } from "../lib/errors.ts";
import { verifyCache } from "../lib/runner/cache/cache_verify.ts";
import type { LocalStore } from "../lib/runner/cache/local_store.ts";
import { readLock } from "../lib/runner/cache/lock.ts";
import { openWorkspace } from "../lib/runner/cache/workspace.ts";
import { WorkspaceLock } from "../lib/runner/run/workspace_lock.ts";
import { configFromEnv } from "./_workspace.ts";

const USAGE = "deno task cache verify [--repair]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: { repair: { type: "boolean" } },
      maxPositionals: 1,
    });
    if (positionals[0] !== "verify") {
      throw new ConfigError(`unknown cache command '${positionals[0] ?? ""}'`, { hint: USAGE });
    }
    const repair = values.repair as boolean | undefined;
    const ws = await openWorkspace(configFromEnv(), log);
    const held = await WorkspaceLock.acquire(ws.cacheDir, { command: "cache verify", log });
    try {
      const result = await verifyCache(ws.store as LocalStore, {
        lock: await readLock(ws.lockPath, { cacheDir: ws.cacheDir }),
        root: ws.root,
        repair,
      });
      for (const hash of result.corrupt) log.warn("corrupt cache object", { object: hash });
      if (result.corrupt.length > 0 && !repair) {
        throw new CacheError(
          `${result.corrupt.length} of ${result.checked} cache object(s) are corrupt`,
          { file: ws.cacheDir, hint: "run `deno task cache verify --repair`" },
        );
      }
      if (result.removed.length > 0) {
        log.warn("removed corrupt objects with no intact copy in the workspace", {
          removed: result.removed.length,
          hint: "`deno task repro` rebuilds them, `deno task pull` fetches them",
        });
      }
      log.info("cache verified", {
        checked: result.checked,
        corrupt: result.corrupt.length,
        restored: result.restored.length,
        removed: result.removed.length,
      });
    } finally {
      await held.release();
      await ws.close();
    }
  });
}
