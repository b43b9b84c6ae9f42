/**
 * How one stage runs: each of its commands in order, through `sh -c`, in a
 * process group of its own so an interruption can stop the whole tree. Output
 * is streamed line by line to the caller; the tail of stderr is kept for the
 * failure message.
 *
 * @module
 */
import { InterruptedError, StageFailedError } from "../../errors.ts";

/** Options of {@linkcode runStageCommands}. */
export interface RunStageOptions {
  /** Stage name (for messages). */
  stage: string;
  /** Shell commands, run in order; the first failure stops the stage. */
  cmds: string[];
  /** Working directory (the workspace root). */
  cwd: string;
  /** Aborting kills the running command's process group. */
  signal?: AbortSignal;
  /** Receives every output line of the commands. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Extra environment variables for the commands. */
  env?: Record<string, string>;
  /** How many stderr lines to keep for the failure message (default 20). */
  tailLines?: number;
  /** Seconds between SIGTERM and SIGKILL on interruption (default 5). */
  killGraceSeconds?: number;
  /**
   * Told the process group of each command when it starts (its pgid, when
   * `setsid` gave it a session of its own) and `undefined` when it ended.
   */
  onGroup?: (pgid: number | undefined) => void;
}

let setsidAvailable: boolean | undefined;

async function hasSetsid(): Promise<boolean> {
  if (setsidAvailable === undefined) {
    try {
      const out = await new Deno.Command("setsid", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      setsidAvailable = out.success;
    } catch {
      setsidAvailable = false;
    }
  }
  return setsidAvailable;
}

async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const p of parts) onLine(p.endsWith("\r") ? p.slice(0, -1) : p);
  }
  if (rest) onLine(rest);
}

/**
 * Run a stage's commands. Resolves when all succeed; throws
 * {@linkcode StageFailedError} (with exit status and stderr tail) when one
 * fails, or {@linkcode InterruptedError} when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * import { runStageCommands } from "./executor.ts";
 * await runStageCommands({ stage: "hello", cmds: ["echo hi > out.txt"], cwd: "." });
 * ```
 */
export async function runStageCommands(options: RunStageOptions): Promise<void> {
  const { stage, cmds, cwd, signal } = options;
  const tailMax = options.tailLines ?? 20;
  const grace = (options.killGraceSeconds ?? 5) * 1000;
  const group = await hasSetsid();
  for (const cmd of cmds) {
    if (signal?.aborted) throw new InterruptedError(String(signal.reason ?? "abort"));
    const tail: string[] = [];
    const child = new Deno.Command(group ? "setsid" : "sh", {
      args: group ? ["sh", "-c", cmd] : ["-c", cmd],
      cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (group) options.onGroup?.(child.pid);
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const kill = () => {
      const target = group ? -child.pid : child.pid;
      try {
        Deno.kill(target, "SIGTERM");
      } catch { /* already gone */ }
      killTimer = setTimeout(() => {
        try {
          Deno.kill(target, "SIGKILL");
        } catch { /* already gone */ }
      }, grace);
    };
    signal?.addEventListener("abort", kill, { once: true });
    const onLine = options.onLine ?? (() => {});
    const [status] = await Promise.all([
      child.status,
      pumpLines(child.stdout, (l) => onLine(l, "stdout")),
      pumpLines(child.stderr, (l) => {
        tail.push(l);
        if (tail.length > tailMax) tail.shift();
        onLine(l, "stderr");
      }),
    ]);
    if (group) options.onGroup?.(undefined);
    signal?.removeEventListener("abort", kill);
    if (killTimer !== undefined) clearTimeout(killTimer);
    if (signal?.aborted) throw new InterruptedError(String(signal.reason ?? "abort"));
    if (!status.success) {
      throw new StageFailedError(stage, {
        status: status.signal ? null : status.code,
        signal: status.signal,
        stderrTail: tail.join("\n"),
      });
    }
  }
}
