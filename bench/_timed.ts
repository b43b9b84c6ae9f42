/**
 * Wall time and peak RSS of a child process (GNU time's `%M`), for the
 * monitor and shard benchmarks.
 *
 * @module
 */

/** A finished timed run. */
export interface Timed {
  /** Wall seconds, spawn to exit. */
  seconds: number;
  /** Peak RSS, MiB. */
  rssMiB: number;
  /** Exit code. */
  code: number;
  /** stdout. */
  stdout: string;
  /** stderr. */
  stderr: string;
}

/**
 * Run `program args` with GNU time; throws when it fails.
 *
 * @example
 * ```ts ignore
 * const t = await timedRun(Deno.execPath(), ["--version"], { cwd: "." });
 * ```
 */
export async function timedRun(
  program: string,
  args: string[],
  o: { cwd: string; env?: Record<string, string> },
): Promise<Timed> {
  const rssFile = await Deno.makeTempFile();
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", "-o", rssFile, program, ...args],
    cwd: o.cwd,
    env: o.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const kib = Number((await Deno.readTextFile(rssFile)).trim().split("\n").at(-1));
  await Deno.remove(rssFile);
  const dec = new TextDecoder();
  const r = {
    seconds,
    rssMiB: kib / 1024,
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
  if (out.code !== 0) throw new Error(`${program} failed (${out.code}):\n${r.stderr.slice(-2000)}`);
  return r;
}

/**
 * The median of numbers.
 *
 * @example
 * ```ts
 * import { median } from "./_timed.ts";
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
