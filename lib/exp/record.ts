/**
 * Experiment records: one folder per experiment under `<cache>/exps/<id>/`
 * holding `exp.json` (what was asked, what came out) and, while it is queued
 * or running, `workspace/` (its isolated copy of the workspace).
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeFileAtomic } from "../atomic.ts";
import type { Values } from "../runner/run/revisions.ts";
import type { ChangedParam } from "./params_override.ts";

/** Where an experiment is. */
export type ExperimentStatus = "queued" | "running" | "done" | "failed";

/** `exp.json`. */
export interface ExperimentRecord {
  /** `exp-` and 6 hex digits, or the `--name` given. */
  id: string;
  /** Where it is. */
  status: ExperimentStatus;
  /** The overrides, with the values they replaced. */
  params: ChangedParam[];
  /** Params files after the overrides (file → text), for `exp apply`. */
  paramTexts: Record<string, string>;
  /** SHA-256 of each params file before the overrides, for `exp apply`'s safety check. */
  paramBase: Record<string, string>;
  /** git HEAD of the workspace when it was queued, if it is a git checkout. */
  baseline?: string;
  /** When it was queued (ISO 8601). */
  queuedAt: string;
  /** When it started and ended, and the wall time (seconds). */
  startedAt?: string;
  /** When it ended. */
  finishedAt?: string;
  /** Wall time of the run, seconds. */
  seconds?: number;
  /** Process running it (while `running`). */
  pid?: number;
  /** Metrics files after the run (file → dotted key → value). */
  metrics?: Values;
  /** The pipeline.lock the run produced (text), for `exp apply`. */
  lock?: string;
  /** Why it failed. */
  error?: { message: string; code?: string; exitCode?: number };
}

/**
 * The folder holding every experiment.
 *
 * @example
 * ```ts
 * import { expsDir } from "./record.ts";
 * expsDir("/ws/.cache"); // "/ws/.cache/exps"
 * ```
 */
export function expsDir(cacheDir: string): string {
  return join(cacheDir, "exps");
}

/**
 * Paths of one experiment: its folder, `exp.json` and its workspace copy.
 *
 * @example
 * ```ts
 * import { expPaths } from "./record.ts";
 * expPaths("/ws/.cache", "e1").record; // "/ws/.cache/exps/e1/exp.json"
 * ```
 */
export function expPaths(cacheDir: string, id: string) {
  const dir = join(expsDir(cacheDir), id);
  return { dir, record: join(dir, "exp.json"), workspace: join(dir, "workspace") };
}

/**
 * Write an experiment's record (atomically).
 *
 * @example
 * ```ts ignore
 * await writeRecord(ws.cacheDir, { ...record, status: "done" });
 * ```
 */
export async function writeRecord(cacheDir: string, record: ExperimentRecord): Promise<void> {
  const { dir, record: path } = expPaths(cacheDir, record.id);
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(path, JSON.stringify(record, null, 1) + "\n");
}

/**
 * Read one experiment's record; an unknown id is a `ConfigError` listing the
 * known ones.
 *
 * @example
 * ```ts ignore
 * const exp = await readRecord(ws.cacheDir, "exp-1a2b3c");
 * ```
 */
export async function readRecord(cacheDir: string, id: string): Promise<ExperimentRecord> {
  try {
    return JSON.parse(await Deno.readTextFile(expPaths(cacheDir, id).record));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    const known = (await listRecords(cacheDir)).map((r) => r.id);
    throw new ConfigError(`no experiment '${id}'`, {
      field: "ID",
      hint: known.length ? `known: ${known.join(", ")}` : "run one with `deno task exp run`",
    });
  }
}

/**
 * Every experiment's record, oldest first. A `running` record whose process
 * is gone reads as `failed` (interrupted).
 *
 * @example
 * ```ts ignore
 * for (const exp of await listRecords(ws.cacheDir)) console.log(exp.id, exp.status);
 * ```
 */
export async function listRecords(cacheDir: string): Promise<ExperimentRecord[]> {
  const records: ExperimentRecord[] = [];
  try {
    for await (const entry of Deno.readDir(expsDir(cacheDir))) {
      if (!entry.isDirectory) continue;
      try {
        const r: ExperimentRecord = JSON.parse(
          await Deno.readTextFile(expPaths(cacheDir, entry.name).record),
        );
        records.push(r.status === "running" && !alive(r.pid) ? interrupted(r) : r);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound || err instanceof SyntaxError)) throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return records.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.id.localeCompare(b.id));
}

function interrupted(r: ExperimentRecord): ExperimentRecord {
  return {
    ...r,
    status: "failed",
    error: { message: `interrupted: process ${r.pid} is gone`, code: "INTERRUPTED" },
  };
}

/**
 * Whether process `pid` exists (this one counts; Linux `/proc`, else false).
 *
 * @example
 * ```ts
 * import { alive } from "./record.ts";
 * alive(Deno.pid); // true
 * ```
 */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  if (pid === Deno.pid) return true;
  try {
    return Deno.statSync(`/proc/${pid}`).isDirectory;
  } catch {
    return false;
  }
}
