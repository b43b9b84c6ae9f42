/**
 * `deno task pull [STAGE...] [--jobs N]`: download the cache objects of
 * pipeline.lock's outs (and the run-cache entries of its stages) from the
 * remote, then check the outs out into the workspace, like `dvc pull`.
 *
 * Exits 2 without a remote, 6 when an out is missing or corrupt on the
 * remote, 7 when S3 fails or cannot be reached.
 *
 * @module
 */
import { join } from "node:path";
import { runMain } from "../lib/cli.ts";
import { checkout } from "../lib/runner/cache/checkout.ts";
import { pullCache } from "../lib/runner/cache/sync.ts";
import { runSyncTask } from "./_sync.ts";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    await runSyncTask("pull", args, log, {}, async (t) => {
      const summary = await pullCache(t.remote, t.ws.store, {
        lock: t.lock,
        stages: t.stages,
        jobs: t.jobs,
        log,
        tmpDir: join(t.ws.cacheDir, "tmp"),
      });
      const failed = new Set(summary.failed.map((f) => `${f.stage}\0${f.path}`));
      for (const r of await checkout(t.ws, t.lock, t.stages)) {
        if (r.result === "restored") log.info("restored", { stage: r.stage, out: r.path });
        const known = failed.has(`${r.stage}\0${r.path}`);
        if ((r.result === "missing" || r.result === "corrupt") && !known) {
          const hash = t.lock.stages[r.stage].outs.find((o) => o.path === r.path)?.hash ?? "";
          summary.failed.push({ stage: r.stage, path: r.path, hash, result: r.result });
        }
      }
      return summary;
    });
  });
}
