/**
 * `deno task gc [--dry]`: remove cache objects that pipeline.lock no longer
 * references (and run-cache entries that pointed to them). The outs of
 * recorded experiments (`deno task exp`) are kept; gc refuses to run while
 * an experiment runs.
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { experimentLocks } from "../lib/exp/manage.ts";
import { collectGarbage } from "../lib/runner/cache/gc.ts";
import { readLock } from "../lib/runner/cache/lock.ts";
import { parseCacheDir } from "../lib/runner/cache/parse_cache.ts";
import { WorkspaceLock } from "../lib/runner/run/workspace_lock.ts";
import { configFromEnv } from "./_workspace.ts";
import { openWorkspace } from "../lib/runner/cache/workspace.ts";

const USAGE = "deno task gc [--dry]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: { dry: { type: "boolean" } },
      maxPositionals: 0,
    });
    const ws = await openWorkspace(configFromEnv(), log);
    const held = await WorkspaceLock.acquire(ws.cacheDir, { command: "gc", log });
    try {
      const result = await collectGarbage(ws.store, {
        // Experiments' outs stay until `deno task exp remove`/`exp gc` forgets them.
        keep: [
          await readLock(ws.lockPath, { cacheDir: ws.cacheDir }),
          ...await experimentLocks(ws.cacheDir),
        ],
        dryRun: values.dry as boolean | undefined,
      });
      if (!values.dry) {
        // Parsed-YAML cache entries are cheap to rebuild: drop them all.
        await Deno.remove(parseCacheDir(ws.cacheDir), { recursive: true }).catch(() => {});
      }
      log.info(values.dry ? "gc dry run (nothing removed)" : "gc done", { ...result });
    } finally {
      await held.release();
      await ws.close();
    }
  });
}
