/**
 * Where a no-op `status` spends its time: the steps of `tasks/status.ts`
 * timed one by one in a fresh process (so module loading and the parser's
 * first, unoptimised run count as they do for a user), repeated, medians.
 *
 * ```sh
 * cd WORKSPACE && deno run -A /path/to/bench/status_profile.ts [--runs 7]
 * ```
 *
 * The runner benchmark runs it on its synthetic workspace. Observing the
 * stages is replayed with the same library calls `observeStage` makes, so
 * time can be split between directory walks, single-file stats and params;
 * the split sums to within noise of `pipelineStatus` itself.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { REPO_ROOT, taskFlags } from "./_contenders.ts";
import { summarize } from "./_measure.ts";

/** Median milliseconds per step, and counts. */
export interface StatusProfile {
  /** Child processes profiled. */
  runs: number;
  /** Step -> median ms, in the order status runs them. */
  stepsMs: Record<string, number>;
  /** Directory deps observed (one walk each) and how many distinct directories. */
  dirWalks: { observed: number; distinct: number; files: number };
}

/** What each step of {@linkcode StatusProfile.stepsMs} covers. */
export const STEP_DOC: Record<string, string> = {
  imports: "load the modules tasks/status.ts imports (npm:yaml among them)",
  memo: "openWorkspace: read + JSON.parse the hash memo",
  loadPipeline: "loadPipeline: pipeline.yaml (parse cache), graph, deps exist, params",
  readLock: "read pipeline.lock (parse cache hit: JSON)",
  observe: "observeStage: hash deps and outs once per path (memo hits), params",
  verdict: "whyStale",
  memoSave: "close: save the hash memo (only if changed)",
};

/**
 * Profile a no-op status in `dir`: `runs` fresh processes with the `status`
 * task's permissions, median per step.
 *
 * @example
 * ```ts ignore
 * import { profileStatus } from "./status_profile.ts";
 * const p = await profileStatus("/tmp/ws", 7);
 * console.log(p.stepsMs.readLock);
 * ```
 */
export async function profileStatus(dir: string, runs: number): Promise<StatusProfile> {
  const { flags } = await taskFlags("status");
  const script = join(REPO_ROOT, "bench", "_status_child.ts");
  const samples: Record<string, number[]> = {};
  let dirWalks = { observed: 0, distinct: 0, files: 0 };
  for (let i = 0; i < runs; i++) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", join(REPO_ROOT, "deno.json"), ...flags, script],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    if (!out.success) throw new Error(`status profile failed: ${text.decode(out.stderr)}`);
    const line = JSON.parse(text.decode(out.stdout).trim().split("\n").pop()!);
    for (const [k, v] of Object.entries(line.ms as Record<string, number>)) {
      (samples[k] ??= []).push(v);
    }
    dirWalks = line.dirWalks;
  }
  const stepsMs = Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, summarize(v).median]),
  );
  return { runs, stepsMs, dirWalks };
}

/**
 * Lines describing a profile, largest steps first.
 *
 * @example
 * ```ts ignore
 * import { formatProfile } from "./status_profile.ts";
 * for (const line of formatProfile(p)) console.log(line);
 * ```
 */
export function formatProfile(p: StatusProfile): string[] {
  const steps = Object.entries(p.stepsMs).filter(([k]) => k !== "total")
    .sort((a, b) => b[1] - a[1]);
  const w = p.dirWalks;
  return [
    `where our no-op status spends its time (after Deno's start-up; median of ${p.runs} fresh processes):`,
    ...steps.map(([k, v]) =>
      `  ${v.toFixed(1).padStart(7)} ms  ${k.padEnd(14)} ${STEP_DOC[k] ?? ""}`
    ),
    `  ${p.stepsMs.total.toFixed(1).padStart(7)} ms  total`,
    `  (${w.observed} directory deps observed, ${w.distinct} distinct directories walked, ` +
    `${w.files} files stat-ed in those walks)`,
  ];
}

if (import.meta.main) {
  await runMain(async ({ args }) => {
    const usage = "deno run -A bench/status_profile.ts [--runs 7]   (cwd = a workspace)";
    const { values } = parseArgs(args, {
      usage,
      options: { runs: { type: "string" } },
      maxPositionals: 0,
    });
    const runs = values.runs ? positiveInt(values.runs as string, "--runs") : 7;
    for (const line of formatProfile(await profileStatus(Deno.cwd(), runs))) console.log(line);
    return 0;
  });
}
