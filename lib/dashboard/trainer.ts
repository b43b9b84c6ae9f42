/**
 * The Train page's runner: starts `tasks/repro.ts` as a child process in
 * the workspace (the task takes the workspace lock itself, so a repro from
 * a terminal and one from the dashboard exclude each other), keeps its log
 * lines and per-stage progress for server-sent events, cancels it with
 * SIGTERM (the task stops its stages and exits 130), and allows one run at
 * a time: a second start answers 409 with who holds the workspace lock.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log.ts";
import { currentMetrics } from "../runner/run/revisions.ts";
import { appendRunRecord, readRunHistory, type StageRecord } from "../runner/run/run_history.ts";
import { loadPipeline } from "../runner/spec/spec.ts";
import { openWorkspace } from "../runner/cache/workspace.ts";
import { WORKSPACE_LOCK_FILE } from "../runner/run/workspace_lock.ts";
import { DashError } from "./errors.ts";
import { setParams } from "./params_edit.ts";

/** The permissions the child repro gets (deno.json's `repro` task). */
export const REPRO_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env=THREATLINE_CACHE_DIR,THREATLINE_REMOTE_URL,LOG_TOKENS,LOG_STREAM,AWS_*,HOME," +
  "USERPROFILE,HOMEPATH,HOMEDRIVE,_X_AMZN_TRACE_ID,MLFLOW_*",
  "--allow-sys=hostname,osRelease",
  "--allow-run=sh,setsid,kill,git",
];

const REPRO_TS = fileURLToPath(new URL("../../tasks/repro.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));
const MAX_LINES = 2000;

/** An event of a run, as sent over SSE. */
export type TrainEvent =
  | { type: "line"; line: string }
  | { type: "stage"; stage: string; state: string }
  | { type: "end"; outcome: "ok" | "failed" | "interrupted"; code: number };

/** What the Train page shows. */
export interface TrainState {
  /** A run is in progress. */
  running: boolean;
  /** Run id (time-sortable). */
  id?: string;
  /** The command line given to repro. */
  args: string[];
  /** Stage → state (`running`, `done`, `up to date`, `restored`, `failed`). */
  stages: Record<string, string>;
  /** The last lines (at most 2000). */
  lines: string[];
  /** How the last run ended. */
  outcome?: string;
}

/** Options of {@linkcode Trainer}. */
export interface TrainerOptions {
  /** Workspace root. */
  root: string;
  /** Cache folder (absolute or relative to root; default `.cache`). */
  cacheDir?: string;
  /** Server log. */
  log: Logger;
  /** Environment of the child (the variables the dashboard was granted). */
  env?: Record<string, string>;
}

const STAGE_LINE =
  /^(info|warn|error)\s+(running|done|up to date|restored from run-cache \(not run\)|restored from remote run-cache|frozen: not checked, not run|skipped: an upstream stage failed)\b.*\bstage=(\S+)/;
const STATE: Record<string, string> = {
  "running": "running",
  "done": "done",
  "up to date": "up to date",
  "restored from run-cache (not run)": "restored",
  "restored from remote run-cache": "restored",
  "frozen: not checked, not run": "frozen",
  "skipped: an upstream stage failed": "skipped",
};

/**
 * One repro at a time, observable.
 *
 * @example
 * ```ts ignore
 * import { Trainer } from "./trainer.ts";
 * const trainer = new Trainer({ root: Deno.cwd(), log });
 * await trainer.start({ force: true, overrides: { "train.epochs": 5 } });
 * const off = trainer.subscribe((e) => console.log(e));
 * ```
 */
export class Trainer {
  #o: TrainerOptions;
  #state: TrainState = { running: false, args: [], stages: {}, lines: [] };
  #child?: Deno.ChildProcess;
  #listeners = new Set<(e: TrainEvent) => void>();
  #done?: Promise<void>;
  #seconds = new Map<string, number>();

  /** A trainer for the workspace at `o.root`. */
  constructor(o: TrainerOptions) {
    this.#o = o;
  }

  get #cacheDir(): string {
    return join(this.#o.root, this.#o.cacheDir ?? ".cache");
  }

  /** A copy of the current state. */
  get state(): TrainState {
    return structuredClone(this.#state);
  }

  /** Resolves when the current run (if any) has ended and been recorded. */
  get finished(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  /** Who holds the workspace lock, from its file, if anyone. */
  async lockHolder(): Promise<Record<string, unknown> | undefined> {
    try {
      const h = JSON.parse(await Deno.readTextFile(join(this.#cacheDir, WORKSPACE_LOCK_FILE)));
      return { pid: h.pid, command: h.command, host: h.host, startedAt: h.startedAt };
    } catch {
      return undefined;
    }
  }

  /** Listen to events; returns the unsubscribe function. */
  subscribe(fn: (e: TrainEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(e: TrainEvent): void {
    if (e.type === "line") {
      this.#state.lines.push(e.line);
      if (this.#state.lines.length > MAX_LINES) this.#state.lines.shift();
    }
    if (e.type === "stage") this.#state.stages[e.stage] = e.state;
    for (const fn of this.#listeners) fn(e);
  }

  /**
   * Start a run: write the overrides into params.yaml (comments kept), then
   * spawn repro. A run in progress is a 409 naming the lock holder.
   */
  async start(o: { force?: boolean; overrides?: Record<string, unknown> } = {}): Promise<string> {
    if (this.#state.running) {
      throw new DashError("CONFLICT", "a run is in progress", {
        holder: await this.lockHolder(),
      });
    }
    this.#state.running = true;
    try {
      if (o.overrides && Object.keys(o.overrides).length) {
        const path = join(this.#o.root, "params.yaml");
        await Deno.writeTextFile(path, setParams(await Deno.readTextFile(path), o.overrides));
      }
    } catch (err) {
      this.#state.running = false;
      throw err;
    }
    const args = o.force ? ["--force"] : [];
    const id = new Date().toISOString().replace(/[-:.]/g, "") + "-dash";
    this.#state = { running: true, id, args, stages: {}, lines: [] };
    this.#seconds.clear();
    const started = new Date();
    // `deno` from PATH: what the task's `--allow-run=deno` grants (an absolute execPath is not)
    this.#child = new Deno.Command("deno", {
      args: ["run", ...REPRO_FLAGS, "--config", CONFIG, REPRO_TS, ...args],
      cwd: this.#o.root,
      env: { ...this.#o.env, NO_COLOR: "1" },
      clearEnv: this.#o.env !== undefined,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#o.log.info("train: repro started", { id, args: args.join(" ") });
    this.#done = this.#watch(this.#child, id, started, args);
    return id;
  }

  async #pump(stream: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) this.#line(line);
    }
    if (rest) this.#line(rest);
  }

  #line(line: string): void {
    this.#emit({ type: "line", line });
    const m = STAGE_LINE.exec(line);
    if (m) {
      const seconds = / seconds=([\d.]+)/.exec(line);
      if (seconds) this.#seconds.set(m[3], Number(seconds[1]));
      this.#emit({ type: "stage", stage: m[3], state: STATE[m[2]] ?? m[2] });
    }
  }

  async #watch(child: Deno.ChildProcess, id: string, started: Date, args: string[]) {
    await Promise.all([this.#pump(child.stdout), this.#pump(child.stderr)]);
    const { code } = await child.status;
    const outcome = code === 0 ? "ok" : code === 130 ? "interrupted" : "failed";
    for (const [stage, state] of Object.entries(this.#state.stages)) {
      if (state === "running") this.#emit({ type: "stage", stage, state: "failed" });
    }
    try {
      await this.#record({ id, started, args, outcome, code });
    } catch (err) {
      this.#o.log.warn("train: could not record the run", { error: (err as Error).message });
    }
    this.#state.running = false;
    this.#state.outcome = outcome;
    this.#child = undefined;
    this.#emit({ type: "end", outcome, code });
  }

  /**
   * Append the run to the local run history unless the runner already did
   * (a record that started after this run did).
   */
  async #record(r: { id: string; started: Date; args: string[]; outcome: string; code: number }) {
    const { runs } = await readRunHistory(this.#cacheDir, { limit: 5 });
    if (runs.some((x) => Date.parse(x.started) >= r.started.getTime() - 1000)) return;
    const ended = new Date();
    const ws = await openWorkspace({ root: this.#o.root, cacheDir: this.#o.cacheDir }, this.#o.log);
    let metrics = {};
    try {
      const spec = await loadPipeline(ws.root, { file: ws.pipelineFile, cacheDir: ws.cacheDir });
      metrics = await currentMetrics(ws, spec);
    } catch {
      // no metrics to show
    } finally {
      await ws.close();
    }
    const models: Record<string, string> = {};
    try {
      const card = JSON.parse(
        await Deno.readTextFile(join(this.#o.root, "artifacts/model/card.json")),
      );
      models[String(card.name ?? "threatline")] = String(card.version);
    } catch {
      // no model
    }
    const stages: StageRecord[] = Object.entries(this.#state.stages).map(([name, s]) => ({
      name,
      outcome: s === "done"
        ? "ran"
        : s === "restored"
        ? "restored"
        : s === "failed"
        ? "failed"
        : "skipped",
      seconds: this.#seconds.get(name) ?? 0,
    }));
    await appendRunRecord(this.#cacheDir, {
      id: r.id,
      kind: "dashboard",
      started: r.started.toISOString(),
      ended: ended.toISOString(),
      seconds: (ended.getTime() - r.started.getTime()) / 1000,
      outcome: r.outcome as "ok",
      ...(r.code !== 0 ? { error: this.#state.lines.slice(-1)[0] ?? `exit ${r.code}` } : {}),
      args: r.args,
      changedParams: {},
      metrics,
      models,
      stages,
    });
  }

  /** Cancel the run in progress (SIGTERM); false when none runs. */
  cancel(): boolean {
    if (!this.#child) return false;
    try {
      this.#child.kill("SIGTERM");
    } catch {
      return false;
    }
    return true;
  }
}
