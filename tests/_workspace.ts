/**
 * Test helpers: build a small workspace in a temporary folder, open it, and
 * run the pipeline tasks in-process or as subprocesses.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MemoryLogger, memoryLogger } from "../lib/log.ts";
import { buildGraph, type Graph } from "../lib/runner/spec/graph.ts";
import { type LockFile, readLock } from "../lib/runner/cache/lock.ts";
import { repro, type ReproOptions, type ReproSummary } from "../lib/runner/run/repro.ts";
import { loadPipeline } from "../lib/runner/spec/spec.ts";
import { openWorkspace, type Workspace } from "../lib/runner/cache/workspace.ts";

/** The repository root (to find tasks/*.ts). */
export const REPO = dirname(dirname(fileURLToPath(import.meta.url)));

/** A temporary workspace. */
export interface TempWorkspace {
  /** Absolute root. */
  root: string;
  /** Write (or overwrite) files relative to root. */
  write(files: Record<string, string>): Promise<void>;
  /** Read a file relative to root. */
  read(path: string): Promise<string>;
  /** Whether a path exists. */
  exists(path: string): Promise<boolean>;
  /** Open, load and reproduce in-process; returns the summary and the log. */
  repro(
    options?: ReproOptions,
  ): Promise<{ summary: ReproSummary; log: MemoryLogger; ws: Workspace }>;
  /** Open the workspace and build the graph (caller closes ws). */
  open(): Promise<{ ws: Workspace; graph: Graph; log: MemoryLogger }>;
  /** The current pipeline.lock. */
  lock(): Promise<LockFile>;
  /**
   * Run `deno run -A tasks/NAME.ts args…` in the workspace. MLflow tracking
   * is off unless `env` turns it on, so tests do not log to a shared server.
   */
  task(
    name: string,
    args?: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Remove the folder. */
  cleanup(): Promise<void>;
}

/**
 * Create a temporary workspace holding `files`.
 *
 * @example
 * ```ts ignore
 * const w = await tempWorkspace({ "pipeline.yaml": "stages: {}\n" });
 * ```
 */
export async function tempWorkspace(files: Record<string, string>): Promise<TempWorkspace> {
  const root = await Deno.makeTempDir({ prefix: "threatline-test-" });
  const self: TempWorkspace = {
    root,
    async write(more) {
      for (const [path, text] of Object.entries(more)) {
        await Deno.mkdir(dirname(join(root, path)), { recursive: true });
        await Deno.writeTextFile(join(root, path), text);
      }
    },
    read: (path) => Deno.readTextFile(join(root, path)),
    exists: (path) => Deno.stat(join(root, path)).then(() => true, () => false),
    async open() {
      const log = memoryLogger();
      const ws = await openWorkspace({ root }, log);
      const graph = buildGraph(await loadPipeline(root));
      return { ws, graph, log };
    },
    async repro(options = {}) {
      const { ws, graph, log } = await self.open();
      try {
        return { summary: await repro(ws, graph, options), log, ws };
      } finally {
        await ws.close();
      }
    },
    lock: () => readLock(join(root, "pipeline.lock")),
    async task(name, args = [], env = {}) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(REPO, "tasks", `${name}.ts`), ...args],
        cwd: root,
        env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "", ...env },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
  await self.write(files);
  return self;
}

/**
 * The permission flags (`--allow-…`, `--deny-…`, `--ignore-env`) of deno.json's task `name`, so a
 * test runs a task with exactly the permissions users get.
 *
 * @example
 * ```ts ignore
 * await taskFlags("predict"); // ["--allow-read", "--allow-write", "--allow-net", …]
 * ```
 */
export async function taskFlags(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  return (config.tasks[name] as string).split(/\s+/).filter((a) =>
    a.startsWith("--allow-") || a.startsWith("--deny-") || a === "--ignore-env"
  );
}

/** What {@linkcode taskCommand} runs. */
export interface TaskCommandOptions {
  /** The entry point under tasks/, without `.ts` (`predict`, `monitor`). */
  task: string;
  /** Permission flags, usually from {@linkcode taskFlags}. */
  flags: string[];
  /** Arguments after the entry point. */
  args: string[];
  /** Working directory. */
  cwd: string;
  /** Environment added to the test's. */
  env?: Record<string, string>;
  /** Aborts the child. */
  signal?: AbortSignal;
}

/**
 * `deno run FLAGS --config deno.json tasks/TASK.ts ARGS…` in `cwd`, stdout and stderr piped.
 *
 * @example
 * ```ts ignore
 * const flags = await taskFlags("predict");
 * await taskCommand({ task: "predict", flags, args: ["in.csv"], cwd: dir }).output();
 * ```
 */
export function taskCommand(o: TaskCommandOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...o.flags,
      "--config",
      join(REPO, "deno.json"),
      join(REPO, `tasks/${o.task}.ts`),
      ...o.args,
    ],
    cwd: o.cwd,
    env: o.env,
    stdout: "piped",
    stderr: "piped",
    signal: o.signal,
  });
}

/** Outcome of each stage by name, from a summary. */
export function outcomes(summary: ReproSummary): Record<string, string> {
  return Object.fromEntries(summary.results.map((r) => [r.stage, r.outcome]));
}
