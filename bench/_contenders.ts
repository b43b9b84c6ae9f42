/**
 * The two runners the benchmark compares, each as the commands a user types:
 * ours through `deno run` with exactly the permissions of the `status` and
 * `repro` tasks in deno.json (so Deno's start-up counts, as Python's does
 * for DVC), and `dvc status` / `dvc repro`. Each knows how to tell a no-op
 * from real work in its output and how to reset its workspace to "never
 * run".
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DVC_ENV, type DvcTool } from "./_dvc.ts";
import type { CommandSpec, TimedRun } from "./_measure.ts";

/** One runner under test, bound to its workspace. */
export interface Contender {
  /** `ours` or `dvc`. */
  name: "ours" | "dvc";
  /** The workspace folder. */
  dir: string;
  /** `status` command. */
  status: CommandSpec;
  /** `repro` command. */
  repro: CommandSpec;
  /** The smallest run of this runtime (interpreter + imports, no work). */
  startup: CommandSpec;
  /** Exit codes of a successful status. */
  statusCodes: number[];
  /** Whether a status run reported everything up to date. */
  statusIsNoop(run: TimedRun): boolean;
  /** Number of stages a repro run executed (its cmd ran). */
  stagesRan(run: TimedRun): number;
  /** Forget every run: lock, cache, state and outs go. */
  reset(): Promise<void>;
}

/** The repository root (where deno.json is). */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The `deno run` flags of a task in deno.json, e.g. `status` ->
 * `["--allow-read", …]`, read from the file so the benchmark follows any
 * change of the task's permissions.
 *
 * @example
 * ```ts ignore
 * import { taskFlags } from "./_contenders.ts";
 * const { flags, script } = await taskFlags("status"); // script: "tasks/status.ts"
 * ```
 */
export async function taskFlags(task: string): Promise<{ flags: string[]; script: string }> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const line: unknown = config?.tasks?.[task];
  const words = typeof line === "string" ? line.trim().split(/\s+/) : [];
  if (words[0] !== "deno" || words[1] !== "run" || words.length < 3) {
    throw new Error(`deno.json task '${task}' is not 'deno run [flags] script': ${line}`);
  }
  return { flags: words.slice(2, -1), script: words[words.length - 1] };
}

async function remove(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

async function resetOuts(dir: string): Promise<void> {
  await remove(join(dir, "outs"));
  await Deno.mkdir(join(dir, "outs"));
}

/**
 * Our runner in `dir`: `deno run --config <repo>/deno.json <task flags>
 * <repo>/tasks/{status,repro}.ts` with cwd = `dir` (`deno task` itself needs
 * deno.json in cwd, so the task line is expanded by hand).
 *
 * @example
 * ```ts ignore
 * import { oursContender } from "./_contenders.ts";
 * const ours = await oursContender("/tmp/bench/ours", "/tmp/bench/empty.ts");
 * ```
 */
export async function oursContender(dir: string, emptyScript: string): Promise<Contender> {
  const config = ["--config", join(REPO_ROOT, "deno.json")];
  const env = { NO_COLOR: "1" };
  const task = async (name: string): Promise<CommandSpec> => {
    const { flags, script } = await taskFlags(name);
    return {
      program: Deno.execPath(),
      args: ["run", ...config, ...flags, join(REPO_ROOT, script)],
      cwd: dir,
      env,
    };
  };
  const status = await task("status");
  return {
    name: "ours",
    dir,
    status,
    repro: await task("repro"),
    startup: { ...status, args: [...status.args.slice(0, -1), emptyScript] },
    statusCodes: [0, 1],
    statusIsNoop: (r) => r.code === 0 && r.stdout.includes("Everything is up to date."),
    stagesRan: (r) => Number(/\bran=(\d+)/.exec(r.stderr)?.[1] ?? 0),
    async reset() {
      for (const p of ["pipeline.lock", ".cache"]) await remove(join(dir, p));
      await resetOuts(dir);
    },
  };
}

/**
 * DVC in `dir` (already a DVC repository): `dvc status` and `dvc repro`.
 *
 * @example
 * ```ts ignore
 * import { dvcContender } from "./_contenders.ts";
 * const dvc = dvcContender("/tmp/bench/dvc", tool, "/tmp/bench/dvc-site-cache");
 * ```
 */
export function dvcContender(dir: string, tool: DvcTool, siteCacheDir: string): Contender {
  const spec = (args: string[]): CommandSpec => ({
    program: tool.dvc,
    args,
    cwd: dir,
    env: DVC_ENV,
  });
  return {
    name: "dvc",
    dir,
    status: spec(["status"]),
    repro: spec(["repro"]),
    startup: spec(["--version"]),
    statusCodes: [0],
    statusIsNoop: (r) => r.code === 0 && r.stdout.includes("Data and pipelines are up to date."),
    stagesRan: (r) => (r.stdout.match(/^Running stage '/gm) ?? []).length,
    async reset() {
      for (const p of ["dvc.lock", ".dvc/cache", ".dvc/tmp"]) await remove(join(dir, p));
      await remove(siteCacheDir);
      await resetOuts(dir);
    },
  };
}
