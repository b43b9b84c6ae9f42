/**
 * `deno task push [STAGE...] [--jobs N] [--all-runs]`: upload the cache
 * objects of pipeline.lock's outs and the run-cache entries of its stages
 * to the remote (`remote.url` in threatline.yaml or `THREATLINE_REMOTE_URL`),
 * skipping what the remote already has. `--all-runs` also uploads every
 * other local run-cache entry whose objects are all present.
 *
 * Exits 2 without a remote, 6 when an out is missing from the local cache,
 * 7 when S3 fails or cannot be reached.
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { pushCache } from "../lib/runner/cache/sync.ts";
import { runSyncTask } from "./_sync.ts";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    await runSyncTask(
      "push",
      args,
      log,
      { "all-runs": { type: "boolean", usage: "--all-runs" } },
      (t) =>
        pushCache(t.ws.store, t.remote, {
          lock: t.lock,
          stages: t.stages,
          jobs: t.jobs,
          log,
          allRuns: t.values["all-runs"] === true,
        }),
    );
  });
}
