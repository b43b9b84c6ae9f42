/**
 * Experiments, like `dvc exp`:
 *
 * - `deno task exp run [-S [FILE:]KEY=VALUE...] [--name NAME] [--queue] [--jobs N]`:
 *   run the pipeline with the changed params in an isolated copy of the
 *   workspace that shares the cache (the workspace is not touched), N
 *   stages at once; `--queue` only queues it.
 * - `deno task exp run --run-all [--jobs N]`: run the queue, N experiments at once
 *   (each runs its stages one at a time).
 * - `deno task exp show [--json] [--keys K,...]`: changed params and metrics of
 *   every experiment (and the workspace's metrics) as a table, or JSON.
 * - `deno task exp apply ID [--force]`: its params, lock and outs into the workspace.
 * - `deno task exp remove ID...`, `deno task exp gc [--all] [--dry]`: forget experiments.
 *
 * Exits 0 when every experiment run finished, 4 when one failed.
 *
 * @module
 */
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError, EXIT, PipelineError } from "../lib/errors.ts";
import {
  applyExperiment,
  type ExperimentRecord,
  experimentRows,
  experimentTable,
  gcExperiments,
  listRecords,
  parseOverrides,
  queueExperiment,
  removeExperiments,
  runExperiment,
  runQueued,
} from "../lib/exp/mod.ts";
import type { Logger } from "../lib/log.ts";
import { currentMetrics } from "../lib/runner/run/revisions.ts";
import { formatTable } from "../lib/reports/diff_table.ts";
import { WorkspaceLock } from "../lib/runner/run/workspace_lock.ts";
import { loadWorkspace } from "./_workspace.ts";

const USAGE = "deno task exp run [-S KEY=VALUE...] [--name NAME] [--queue] [--jobs N] | " +
  "exp run --run-all [--jobs N] | exp show [--json] [--keys K,...] | exp apply ID [--force] | " +
  "exp remove ID... | exp gc [--all] [--dry]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: {
        "set-param": { type: "string", short: "S", multiple: true },
        name: { type: "string", short: "n" },
        queue: { type: "boolean" },
        "run-all": { type: "boolean" },
        jobs: { type: "string", short: "j" },
        json: { type: "boolean" },
        keys: { type: "string" },
        force: { type: "boolean", short: "f" },
        all: { type: "boolean" },
        dry: { type: "boolean" },
      },
    });
    const [command, ...ids] = positionals;
    const jobs = values.jobs === undefined ? 1 : positiveInt(values.jobs as string, "--jobs");
    const { ws, spec } = await loadWorkspace(log);
    try {
      switch (command) {
        case "run": {
          noIds(command, ids);
          const overrides = parseOverrides((values["set-param"] as string[] | undefined) ?? []);
          if (values["run-all"]) {
            if (overrides.length || values.queue) {
              throw new ConfigError("--run-all runs the queue: it takes no -S nor --queue", {
                hint: `usage: ${USAGE}`,
              });
            }
            return finish(
              await withSignals(
                log,
                (signal) => runQueued(ws.cacheDir, { jobs, log, signal, onLine: printLine }),
              ),
              log,
            );
          }
          const queued = await queueExperiment(ws, spec, {
            overrides,
            name: values.name as string | undefined,
          });
          log.info(values.queue ? "experiment queued" : "experiment created", {
            exp: queued.id,
            params: queued.params.map((p) => `${p.key}=${JSON.stringify(p.value)}`).join(" "),
          });
          if (values.queue) return 0;
          return finish([
            await withSignals(
              log,
              (signal) =>
                runExperiment(ws.cacheDir, queued.id, { jobs, log, signal, onLine: printLine }),
            ),
          ], log);
        }
        case "show": {
          noIds(command, ids);
          const rows = experimentRows(
            await listRecords(ws.cacheDir),
            await currentMetrics(ws, spec),
          );
          if (values.json) return void console.log(JSON.stringify(rows, null, 1));
          const keys = (values.keys as string | undefined)?.split(",").filter(Boolean);
          const table = experimentTable(rows, keys);
          console.log(rows.length > 1 ? formatTable(table.headers, table.rows) : "No experiments.");
          return 0;
        }
        case "apply": {
          if (ids.length !== 1) {
            throw new ConfigError("exp apply takes one ID", { hint: `usage: ${USAGE}` });
          }
          const held = await WorkspaceLock.acquire(ws.cacheDir, { command: "exp apply", log });
          try {
            const results = await applyExperiment(ws, ids[0], { force: values.force as boolean });
            const missing = results.filter((r) =>
              r.result !== "unchanged" && r.result !== "restored"
            );
            log.info("experiment applied", {
              exp: ids[0],
              restored: results.filter((r) => r.result === "restored").length,
              missing: missing.length,
            });
            for (const m of missing) {
              log.warn(`out ${m.result} in the cache: run \`deno task repro\``, { out: m.path });
            }
          } finally {
            await held.release();
          }
          return 0;
        }
        case "remove":
          if (ids.length === 0) {
            throw new ConfigError("exp remove needs an ID", { hint: `usage: ${USAGE}` });
          }
          await removeExperiments(ws.cacheDir, ids);
          log.info("experiments removed", { exps: ids.join(" ") });
          return 0;
        case "gc": {
          noIds(command, ids);
          const gone = await gcExperiments(ws.cacheDir, {
            all: values.all as boolean | undefined,
            dryRun: values.dry as boolean | undefined,
          });
          log.info(values.dry ? "exp gc dry run (nothing removed)" : "exp gc done", {
            removed: gone.length,
            exps: gone.join(" ") || undefined,
          });
          return 0;
        }
        default:
          throw new ConfigError(
            command ? `unknown exp command '${command}'` : "exp needs a command",
            { hint: `usage: ${USAGE}` },
          );
      }
    } finally {
      await ws.close();
    }
  });
}

function noIds(command: string, ids: string[]): void {
  if (ids.length) {
    throw new ConfigError(`exp ${command}: unexpected argument '${ids[0]}'`, {
      hint: `usage: ${USAGE}`,
    });
  }
}

function printLine(stage: string, line: string): void {
  console.error(`[${stage}] ${line}`);
}

/** Run `body` with SIGINT/SIGTERM aborting it. */
async function withSignals<T>(log: Logger, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const handlers = (["SIGINT", "SIGTERM"] as const).map((s) =>
    [s, () => {
      log.warn(`${s}: stopping the experiments`);
      abort.abort(s);
    }] as const
  );
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  try {
    return await body(abort.signal);
  } finally {
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
}

/** Exit status of a run: 0 when all finished, else the first failure's (4 for a stage). */
function finish(records: ExperimentRecord[], log: Logger): number {
  for (const r of records) {
    if (r.status === "done") log.info("experiment done", { exp: r.id, seconds: r.seconds });
  }
  const failed = records.find((r) => r.status !== "done");
  if (!failed) return 0;
  throw new PipelineError(`experiment '${failed.id}' failed: ${failed.error?.message}`, {
    code: failed.error?.code ?? "EXPERIMENT_FAILED",
    exitCode: failed.error?.exitCode ?? EXIT.stage,
    hint:
      "its workspace is kept for a look under the cache's exps/ folder; `deno task exp gc` removes it",
  });
}
