/**
 * Child processes of the test services: start one with its output appended to
 * a log file, tell whether a pid is alive, stop a process group (SIGTERM, then
 * SIGKILL after a grace period) and read the tail of a log. Linux/macOS only.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";

/** What {@linkcode spawnLogged} starts. */
export interface SpawnOptions {
  /** Program to run (absolute path or a name on PATH). */
  cmd: string;
  /** Its arguments. */
  args: string[];
  /** File that stdout and stderr are appended to. */
  logFile: string;
  /** Environment variables added to (or replacing) the current ones. */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /**
   * Start in a new session and process group that outlives this process
   * (servers); `false` for a command this process waits for (installs).
   */
  detached?: boolean;
  /** Kills the process when aborted (only for processes that are not detached). */
  signal?: AbortSignal;
}

/**
 * Start `cmd args…` with stdout and stderr appended to `logFile`. The shell
 * `exec`s the command, so the returned child's pid is the program's own pid
 * and, when `detached`, also the id of its process group.
 *
 * @example
 * ```ts ignore
 * import { spawnLogged } from "./process.ts";
 * const child = spawnLogged({ cmd: "sleep", args: ["60"], logFile: "/tmp/sleep.log", detached: true });
 * child.unref();
 * ```
 */
export function spawnLogged(options: SpawnOptions): Deno.ChildProcess {
  const script = 'log=$1; shift; exec "$@" >>"$log" 2>&1';
  return new Deno.Command("sh", {
    args: ["-c", script, "sh", options.logFile, options.cmd, ...options.args],
    env: options.env,
    cwd: options.cwd,
    detached: options.detached ?? false,
    signal: options.detached ? undefined : options.signal,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/**
 * Run a command to completion with its output appended to `logFile`; throw a
 * {@linkcode ServiceError} naming `what` and showing the log's tail on failure.
 *
 * @example
 * ```ts ignore
 * import { runLogged } from "./process.ts";
 * await runLogged("pip install", { cmd: "pip", args: ["install", "mlflow==3.17.2"], logFile: "/tmp/pip.log" });
 * ```
 */
export async function runLogged(what: string, options: SpawnOptions): Promise<void> {
  const status = await spawnLogged({ ...options, detached: false }).status;
  if (!status.success) {
    const how = status.signal ? `was killed by ${status.signal}` : `exited with ${status.code}`;
    throw new ServiceError(
      `${what} failed: '${options.cmd} ${options.args.join(" ")}' ${how}\n` +
        logTailBlock(options.logFile),
      { file: options.logFile },
    );
  }
}

/**
 * Whether `pid` is a running (not zombie) process. Reads `/proc` on Linux and
 * falls back to `kill -0` elsewhere.
 *
 * @example
 * ```ts
 * import { isAlive } from "./process.ts";
 * isAlive(Deno.pid); // true
 * ```
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The state letter follows the parenthesised command name, which may hold spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    if (Deno.build.os === "linux") return false;
  }
  return new Deno.Command("kill", { args: ["-0", String(pid)], stderr: "null" }).outputSync()
    .success;
}

/**
 * The command line of `pid` (arguments joined by spaces), or undefined when
 * it cannot be read. Used to check that a recorded pid is still our server
 * and not a reused pid before signalling it.
 *
 * @example
 * ```ts
 * import { commandLine } from "./process.ts";
 * commandLine(Deno.pid)?.includes("deno"); // true on Linux
 * ```
 */
export function commandLine(pid: number): string | undefined {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").join(" ").trim();
  } catch {
    const out = new Deno.Command("ps", { args: ["-o", "command=", "-p", String(pid)] })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  }
}

/** Options of {@linkcode stopProcessGroup}. */
export interface StopOptions {
  /** Milliseconds between SIGTERM and SIGKILL (default 5000). */
  graceMs?: number;
}

/**
 * Stop the process group led by `pid`: SIGTERM, wait up to the grace period,
 * then SIGKILL. Returns how it ended: `"term"`, `"kill"` or `"gone"` (it was
 * not running).
 *
 * @example
 * ```ts ignore
 * import { stopProcessGroup } from "./process.ts";
 * await stopProcessGroup(12345, { graceMs: 3000 });
 * ```
 */
export async function stopProcessGroup(
  pid: number,
  options: StopOptions = {},
): Promise<"term" | "kill" | "gone"> {
  if (!isAlive(pid)) {
    signalGroup(pid, "SIGKILL"); // children of a dead leader may survive it
    return "gone";
  }
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + (options.graceMs ?? 5000);
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      signalGroup(pid, "SIGKILL"); // stragglers (e.g. MLflow's workers)
      return "term";
    }
    await sleep(50);
  }
  signalGroup(pid, "SIGKILL");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
  return "kill";
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) && !isNoSuchProcess(err)) throw err;
  }
}

function isNoSuchProcess(err: unknown): boolean {
  return err instanceof Error && /ESRCH|No such process/i.test(err.message);
}

/**
 * The last `lines` lines of a log file ("" when it does not exist).
 *
 * @example
 * ```ts ignore
 * import { logTail } from "./process.ts";
 * const tail = await logTail(".cache/services/s3.log", 20);
 * ```
 */
export function logTail(file: string, lines = 25): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return "";
  }
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * The tail of a log as a block for an error message.
 *
 * @example
 * ```ts ignore
 * import { logTailBlock } from "./process.ts";
 * throw new Error("minio did not start\n" + logTailBlock(".cache/services/s3.log"));
 * ```
 */
export function logTailBlock(file: string, lines = 25): string {
  const tail = logTail(file, lines);
  return tail ? `--- last lines of ${file} ---\n${tail}` : `(${file} is empty or missing)`;
}

/**
 * Resolve after `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { sleep } from "./process.ts";
 * await sleep(1);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
