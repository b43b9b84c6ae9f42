/**
 * `deno task checkout [STAGE...]`: restore the outs recorded in pipeline.lock
 * from the cache. Exits 6 when an object is missing or corrupt.
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { CacheError } from "../lib/errors.ts";
import { checkout } from "../lib/runner/cache/checkout.ts";
import { declaredOnly, readLock } from "../lib/runner/cache/lock.ts";
import { WorkspaceLock } from "../lib/runner/run/workspace_lock.ts";
import { loadWorkspace } from "./_workspace.ts";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { positionals } = parseArgs(args, {
      usage: "deno task checkout [STAGE...]",
      options: {},
    });
    const { ws, graph } = await loadWorkspace(log);
    const held = await WorkspaceLock.acquire(ws.cacheDir, { command: "checkout", log });
    try {
      // Stages removed from pipeline.yaml but still in the lock are not restored.
      const { lock, removed } = declaredOnly(
        await readLock(ws.lockPath, { cacheDir: ws.cacheDir }),
        graph.stages,
      );
      if (removed.length) log.info("not restored: stages no longer in pipeline.yaml", { removed });
      const results = await checkout(ws, lock, positionals.length ? positionals : undefined);
      for (const r of results.filter((r) => r.result !== "unchanged")) {
        log.info(r.result, { stage: r.stage, out: r.path });
      }
      const bad = results.filter((r) => r.result === "missing" || r.result === "corrupt");
      if (bad.length) {
        throw new CacheError(
          `${bad.length} out(s) could not be restored: ${
            bad.map((r) => `${r.path} (${r.result})`).join(", ")
          }`,
          {
            hint: bad.some((r) => r.result === "corrupt")
              ? "run `deno task cache verify --repair`, then `deno task repro` to rebuild them"
              : "run `deno task repro` to rebuild them",
          },
        );
      }
      log.info("checkout done", {
        restored: results.filter((r) => r.result === "restored").length,
      });
    } finally {
      await held.release();
      await ws.close();
    }
  });
}
