/**
 * `deno task repro [STAGE...] [--force] [--dry] [--jobs N] [--downstream]
 * [-s|--single-item] [--pull]`: run the stale stages of pipeline.yaml; `-s`
 * only the named stages (not upstream), `--pull` first fetches missing outs
 * from the remote (lib/runner/run/repro_pull.ts). With `MLFLOW_TRACKING_URI` set, a
 * repro that ran or restored a stage is then logged to MLflow
 * (lib/mlflow/tracking.ts); if that fails, the pipeline's result stands and
 * the task exits with status 7. Every repro that is not `--dry` (ok, failed
 * or interrupted) appends a record to the local run history
 * (`<cache>/runs/history.jsonl`, lib/runner/run/run_history.ts). SIGINT,
 * SIGTERM and SIGHUP (a closed terminal) stop the running stages alike.
 *
 * @module
 */
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { MLFLOW_ENV_VARS, mlflowConfigFromEnv } from "../lib/mlflow/config.ts";
import { trackRepro } from "../lib/mlflow/tracking.ts";
import { type GitState, gitState } from "../lib/git.ts";
import { type LockFile, readLock } from "../lib/runner/cache/lock.ts";
import { repro, type ReproSummary } from "../lib/runner/run/repro.ts";
import { appendRunRecord } from "../lib/runner/run/run_history.ts";
import { buildRunRecord } from "../lib/runner/run/run_record.ts";
import { WorkspaceLock } from "../lib/runner/run/workspace_lock.ts";
import { grantedEnv, loadWorkspace } from "./_workspace.ts";

const USAGE =
  "deno task repro [STAGE...] [--force] [--dry] [--jobs N] [--downstream] [-s|--single-item] [--pull]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: {
        force: { type: "boolean", short: "f" },
        dry: { type: "boolean" },
        jobs: { type: "string", short: "j" },
        downstream: { type: "boolean" },
        "single-item": { type: "boolean", short: "s" },
        pull: { type: "boolean" },
      },
    });
    const jobs = values.jobs === undefined ? 1 : positiveInt(values.jobs as string, "--jobs");
    const mlflow = mlflowConfigFromEnv(grantedEnv(MLFLOW_ENV_VARS));
    const { ws, graph } = await loadWorkspace(log);
    const lock = values.dry ? undefined : await WorkspaceLock.acquire(ws.cacheDir, {
      command: `repro ${args.join(" ")}`.trim(),
      log,
    });
    const abort = new AbortController();
    const onSignal = (signal: Deno.Signal) => () => {
      log.warn(`${signal}: stopping running stages`);
      abort.abort(signal);
    };
    const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) =>
      [s, onSignal(s)] as const
    );
    for (const [s, h] of handlers) Deno.addSignalListener(s, h);
    const started = performance.now();
    const startedAt = Date.now();
    let lockBefore: LockFile = { version: 1, stages: {} };
    let git: GitState | undefined;
    const record = async (summary?: ReproSummary, error?: unknown) => {
      if (values.dry) return;
      try {
        await appendRunRecord(
          ws.cacheDir,
          await buildRunRecord({
            ws,
            graph,
            lockBefore,
            summary,
            error,
            kind: "repro",
            args,
            startedAt,
            endedAt: Date.now(),
            git,
          }),
        );
      } catch (err) {
        log.warn("the run history could not be written", { error: (err as Error).message });
      }
    };
    // The running stages' process groups, kept in the workspace lock: a repro
    // that recovers the lock after this one was killed ends them first.
    const groups = new Map<string, number>();
    let groupsWritten = Promise.resolve();
    const onStageGroup = (stage: string, pgid: number | undefined) => {
      if (pgid === undefined) groups.delete(stage);
      else groups.set(stage, pgid);
      const now = [...groups].map(([s, g]) => ({ stage: s, pgid: g }));
      groupsWritten = groupsWritten.then(() => lock?.recordGroups(now)).catch((err) => {
        log.warn("could not record the stage's process group", { error: err.message });
      });
    };
    try {
      lockBefore = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
      git = values.dry ? undefined : await gitState(ws.root);
      const summary = await repro(ws, graph, {
        targets: positionals,
        force: values.force as boolean | undefined,
        dry: values.dry as boolean | undefined,
        downstream: values.downstream as boolean | undefined,
        single: values["single-item"] as boolean | undefined,
        pull: values.pull as boolean | undefined,
        jobs,
        signal: abort.signal,
        onLine: (stage, line) => console.error(`[${stage}] ${line}`),
        onStageGroup,
      }).catch(async (error) => {
        await record(undefined, error);
        throw error;
      });
      await record(summary);
      const count = (o: string) => summary.results.filter((r) => r.outcome === o).length;
      log.info(values.dry ? "dry run" : "repro finished", {
        ran: count("ran"),
        restored: count("restored"),
        fresh: count("fresh"),
        would_run: values.dry ? count("would-run") : undefined,
        failed: count("failed"),
        skipped: count("skipped"),
        seconds: Math.round(performance.now() - started) / 1000,
      });
      const tracked = mlflow && !values.dry && !abort.signal.aborted
        ? await trackRepro({ config: mlflow, ws, graph, summary, startedAt, git, log })
        : {};
      for (const extra of summary.errors.slice(1)) {
        log.error("another stage failed too", { error: (extra as Error).message });
      }
      if (summary.errors.length > 0 && tracked.error) {
        log.error("MLflow logging failed too", { error: (tracked.error as Error).message });
      }
      if (summary.errors.length > 0) throw summary.errors[0];
      if (tracked.error) throw tracked.error;
      return 0;
    } finally {
      for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
      try {
        await groupsWritten;
        await ws.close();
      } finally {
        await lock?.release();
      }
    }
  });
}
