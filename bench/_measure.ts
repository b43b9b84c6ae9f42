/**
 * Timing helpers for the benchmarks: run a process and time it wall-clock
 * (spawn to exit, so interpreter start-up counts), and summarise repeated
 * samples as best and median.
 *
 * @module
 */

/** A command to run: program, arguments, working directory, environment. */
export interface CommandSpec {
  /** Program (looked up on PATH unless absolute). */
  program: string;
  /** Arguments. */
  args: string[];
  /** Working directory. */
  cwd: string;
  /** Environment overrides (merged into the inherited environment). */
  env?: Record<string, string>;
}

/** One timed run. */
export interface TimedRun {
  /** Wall time from spawn to exit, seconds. */
  seconds: number;
  /** Exit code. */
  code: number;
  /** Captured stdout. */
  stdout: string;
  /** Captured stderr. */
  stderr: string;
}

/**
 * Run a command to completion, capturing its output, and time it.
 *
 * @example
 * ```ts ignore
 * import { timeCommand } from "./_measure.ts";
 * const run = await timeCommand({ program: "true", args: [], cwd: "." });
 * console.log(run.seconds, run.code);
 * ```
 */
export async function timeCommand(spec: CommandSpec): Promise<TimedRun> {
  const command = new Deno.Command(spec.program, {
    args: spec.args,
    cwd: spec.cwd,
    env: spec.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const t0 = performance.now();
  const out = await command.output();
  const seconds = (performance.now() - t0) / 1000;
  const text = new TextDecoder();
  return {
    seconds,
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

/**
 * Like {@linkcode timeCommand}, but a run whose exit code is not in `okCodes`
 * (default `[0]`) throws with the tail of its output.
 *
 * @example
 * ```ts ignore
 * import { timeChecked } from "./_measure.ts";
 * const run = await timeChecked({ program: "dvc", args: ["status"], cwd: ws }, "dvc status");
 * ```
 */
export async function timeChecked(
  spec: CommandSpec,
  what: string,
  okCodes: number[] = [0],
): Promise<TimedRun> {
  const run = await timeCommand(spec);
  if (!okCodes.includes(run.code)) {
    const tail = (run.stdout + run.stderr).trimEnd().split("\n").slice(-15).join("\n");
    throw new Error(`${what} exited with ${run.code} in ${spec.cwd}:\n${tail}`);
  }
  return run;
}

/** Best and median of repeated samples. */
export interface Stats {
  /** Number of samples. */
  runs: number;
  /** Smallest sample. */
  best: number;
  /** Median sample (mean of the middle two for an even count). */
  median: number;
  /** All samples in the order they were taken. */
  samples: number[];
}

/**
 * Summarise samples (seconds) as best and median.
 *
 * @example
 * ```ts
 * import { summarize } from "./_measure.ts";
 * summarize([0.3, 0.1, 0.2]); // { runs: 3, best: 0.1, median: 0.2, samples: [0.3, 0.1, 0.2] }
 * ```
 */
export function summarize(samples: number[]): Stats {
  if (samples.length === 0) throw new RangeError("no samples to summarise");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runs: samples.length, best: sorted[0], median, samples: [...samples] };
}
