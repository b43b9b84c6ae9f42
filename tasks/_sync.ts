/**
 * What `push` and `pull` share: their command line, the remote check, stage
 * selection, the workspace lock, and the summary at the end.
 *
 * @module
 */
import { type OptionSpec, parseArgs, positiveInt } from "../lib/args.ts";
import { CacheError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { selectStages } from "../lib/runner/spec/graph.ts";
import { type LockFile, readLock } from "../lib/runner/cache/lock.ts";
import type { ObjectStore } from "../lib/runner/cache/object_store.ts";
import { noRemoteError } from "../lib/runner/cache/remote_config.ts";
import type { SyncSummary } from "../lib/runner/cache/sync.ts";
import type { Workspace } from "../lib/runner/cache/workspace.ts";
import { WorkspaceLock } from "../lib/runner/run/workspace_lock.ts";
import { loadWorkspace } from "./_workspace.ts";

/** What a sync task's body gets. */
export interface SyncTask {
  /** The open workspace. */
  ws: Workspace;
  /** Its remote. */
  remote: ObjectStore;
  /** pipeline.lock. */
  lock: LockFile;
  /** Stages named on the command line (undefined: all). */
  stages?: string[];
  /** Transfers at once (`--jobs`, else the remote's `jobs`). */
  jobs: number;
  /** Option values. */
  values: Record<string, unknown>;
}

/**
 * Run a push/pull-like command: parse `args`, open the workspace, require a
 * remote, hold the workspace lock, run `body`, log its summary, and fail with
 * a `CacheError` (exit 6) when outs could not be synced.
 *
 * @example
 * ```ts ignore
 * await runSyncTask("push", args, log, {}, (t) => pushCache(t.ws.store, t.remote, { ...t, log }));
 * ```
 */
export async function runSyncTask(
  command: "push" | "pull",
  args: string[],
  log: Logger,
  extraOptions: Record<string, OptionSpec & { usage: string }>,
  body: (task: SyncTask) => Promise<SyncSummary>,
): Promise<void> {
  const usage = `deno task ${command} [STAGE...] [--jobs N]` +
    Object.values(extraOptions).map((o) => ` [${o.usage}]`).join("");
  const { values, positionals } = parseArgs(args, {
    usage,
    options: { jobs: { type: "string", short: "j" }, ...extraOptions },
  });
  const jobsFlag = values.jobs === undefined
    ? undefined
    : positiveInt(values.jobs as string, "--jobs");
  const { ws, graph, config } = await loadWorkspace(log);
  try {
    if (!ws.remote || !config.remoteConfig) throw noRemoteError(command);
    if (positionals.length) selectStages(graph, positionals); // unknown names fail here
    const held = await WorkspaceLock.acquire(ws.cacheDir, { command, log });
    try {
      const lock = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
      for (const name of positionals.filter((n) => !lock.stages[n])) {
        log.warn("not in pipeline.lock (never run): nothing to sync", { stage: name });
      }
      log.info(`${command}ing`, { remote: ws.remote.description });
      const summary = await body({
        ws,
        remote: ws.remote,
        lock,
        stages: positionals.length ? positionals : undefined,
        jobs: jobsFlag ?? config.remoteConfig.jobs,
        values,
      });
      log.info(`${command} done`, {
        copied: summary.copied,
        skipped: summary.skipped,
        mib: Math.round(summary.bytes / 1024 / 1024 * 10) / 10,
        runs_copied: summary.runsCopied,
        runs_skipped: summary.runsSkipped,
        failed: summary.failed.length,
        seconds: summary.seconds,
      });
      if (summary.failed.length) {
        const where = command === "push" ? "the local cache" : ws.remote.description;
        throw new CacheError(
          `${summary.failed.length} out(s) missing or corrupt in ${where}: ${
            summary.failed.map((f) => `${f.path} (${f.stage}, ${f.result})`).join(", ")
          }`,
          {
            hint: command === "push"
              ? "run `deno task repro` to rebuild them, then push again"
              : "push them from a workspace that has them, or run `deno task repro`",
          },
        );
      }
    } finally {
      await held.release();
    }
  } finally {
    await ws.close();
  }
}
