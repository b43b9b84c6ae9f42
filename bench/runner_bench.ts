/**
 * The runner benchmark: our `status`/`repro` against DVC's on the same
 * synthetic pipeline (100 trivial stages, ~300 MiB of deps), plus hashing
 * throughput on a 1 GiB file against `sha256sum`/`md5sum`.
 *
 * ```sh
 * deno task bench runner [--stages 100] [--data-mib 300] [--status-runs 10]
 *   [--repro-runs 3] [--noop-repro-runs 5] [--hash-mib 1024] [--hash-runs 3]
 *   [--no-dvc] [--dvc-no-scm] [--dvc-venv DIR] [--profile-runs 7] [--keep]
 * ```
 *
 * Both runners run as a user runs them (a fresh process each time, cwd = the
 * workspace), so start-up counts for both. Runs of the two alternate, so
 * load from others on the machine hits both alike. See bench/README.md.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { type Contender, dvcContender, oursContender, REPO_ROOT } from "./_contenders.ts";
import { defaultVenvDir, DVC_VERSION, ensureDvc, initDvcRepo } from "./_dvc.ts";
import { type Stats, summarize, timeChecked } from "./_measure.ts";
import {
  formatTable,
  machineInfo,
  type RunnerResult,
  type ToolFigures,
  writeJson,
} from "./_report.ts";
import { copySynthetic, type SyntheticStage, writeSynthetic } from "./_synthetic.ts";
import { measureHashing } from "./hash_bench.ts";
import { profileStatus } from "./status_profile.ts";

const USAGE = "deno task bench runner [--stages 100] [--data-mib 300] [--status-runs 10] " +
  "[--repro-runs 3] [--noop-repro-runs 5] [--hash-mib 1024] [--hash-runs 3] [--no-dvc] " +
  "[--dvc-no-scm] [--dvc-venv DIR] [--profile-runs 7] [--keep]";

/** Parsed options of the runner benchmark. */
interface Options {
  stages: number;
  dataMib: number;
  statusRuns: number;
  reproRuns: number;
  noopReproRuns: number;
  hashMib: number;
  hashRuns: number;
  dvc: boolean;
  dvcGit: boolean;
  dvcVenv: string;
  profileRuns: number;
  keep: boolean;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs(args, {
    usage: USAGE,
    options: {
      stages: { type: "string" },
      "data-mib": { type: "string" },
      "status-runs": { type: "string" },
      "repro-runs": { type: "string" },
      "noop-repro-runs": { type: "string" },
      "hash-mib": { type: "string" },
      "hash-runs": { type: "string" },
      "no-dvc": { type: "boolean" },
      "dvc-no-scm": { type: "boolean" },
      "dvc-venv": { type: "string" },
      "profile-runs": { type: "string" },
      keep: { type: "boolean" },
    },
    maxPositionals: 0,
  });
  const int = (name: string, fallback: number) =>
    values[name] === undefined ? fallback : positiveInt(values[name] as string, `--${name}`);
  return {
    stages: int("stages", 100),
    dataMib: int("data-mib", 300),
    statusRuns: int("status-runs", 10),
    reproRuns: int("repro-runs", 3),
    noopReproRuns: int("noop-repro-runs", 5),
    // 0 skips hashing (e.g. when `deno task bench hash` runs next anyway).
    hashMib: values["hash-mib"] === "0" ? 0 : int("hash-mib", 1024),
    hashRuns: int("hash-runs", 3),
    dvc: !values["no-dvc"],
    dvcGit: !values["dvc-no-scm"],
    dvcVenv: (values["dvc-venv"] as string | undefined) ?? defaultVenvDir(),
    profileRuns: values["profile-runs"] === "0" ? 0 : int("profile-runs", 7),
    keep: Boolean(values.keep),
  };
}

/** Run every stage cmd alone through `sh -c`, in order: what the cmds themselves cost. */
async function cmdBaseline(dir: string, stages: SyntheticStage[], runs: number): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    await Deno.remove(join(dir, "outs"), { recursive: true }).catch(() => {});
    await Deno.mkdir(join(dir, "outs"), { recursive: true });
    let total = 0;
    for (const s of stages) {
      total += (await timeChecked({ program: "sh", args: ["-c", s.cmd], cwd: dir }, s.name))
        .seconds;
    }
    samples.push(total);
  }
  return summarize(samples);
}

/** Run `fn` for each contender in turn, `runs` times (alternating), collecting seconds. */
async function alternate(
  tools: Contender[],
  runs: number,
  fn: (t: Contender) => Promise<number>,
): Promise<Map<Contender, Stats>> {
  const samples = new Map(tools.map((t) => [t, [] as number[]]));
  for (let i = 0; i < runs; i++) {
    for (const t of tools) samples.get(t)!.push(await fn(t));
  }
  return new Map([...samples].map(([t, s]) => [t, summarize(s)]));
}

/** Measure one set of figures per contender; see {@linkcode ToolFigures}. */
async function measureTools(
  tools: Contender[],
  opts: Options,
  baseline: number,
  log: Logger,
): Promise<Map<Contender, ToolFigures>> {
  const startup = await alternate(tools, opts.statusRuns, async (t) => {
    return (await timeChecked(t.startup, `${t.name} start-up`)).seconds;
  });
  log.info("full repro", { runs: opts.reproRuns, tools: tools.map((t) => t.name).join(",") });
  let round = 0;
  const fullRepro = await alternate(tools, opts.reproRuns, async (t) => {
    if (round++ >= tools.length) await t.reset();
    const run = await timeChecked(t.repro, `${t.name} repro`);
    const ran = t.stagesRan(run);
    if (ran !== opts.stages) {
      throw new Error(`${t.name} repro ran ${ran} of ${opts.stages} stages:\n${run.stderr}`);
    }
    log.info("full repro done", { tool: t.name, seconds: run.seconds.toFixed(2) });
    return run.seconds;
  });
  const noopStatus = async (t: Contender) => {
    const run = await timeChecked(t.status, `${t.name} status`, t.statusCodes);
    if (!t.statusIsNoop(run)) {
      throw new Error(`${t.name} status after repro is not a no-op:\n${run.stdout}${run.stderr}`);
    }
    return run.seconds;
  };
  const first = new Map<Contender, number>();
  for (const t of tools) first.set(t, await noopStatus(t));
  log.info("no-op status", { runs: opts.statusRuns });
  const status = await alternate(tools, opts.statusRuns, noopStatus);
  log.info("no-op repro", { runs: opts.noopReproRuns });
  const noopRepro = await alternate(tools, opts.noopReproRuns, async (t) => {
    const run = await timeChecked(t.repro, `${t.name} repro (no-op)`);
    if (t.stagesRan(run) !== 0) throw new Error(`${t.name} no-op repro ran stages`);
    return run.seconds;
  });
  const perStage = (s: number) => Math.max(0, s - baseline) / opts.stages;
  return new Map(tools.map((t) => {
    const repro = fullRepro.get(t)!;
    return [t, {
      startup: startup.get(t)!,
      fullRepro: repro,
      overheadPerStage: { best: perStage(repro.best), median: perStage(repro.median) },
      firstStatus: first.get(t)!,
      status: status.get(t)!,
      noopRepro: noopRepro.get(t)!,
    }];
  }));
}

/** Set up the workspaces in `tmp`, measure, and return the result record. */
async function bench(tmp: string, opts: Options, log: Logger): Promise<RunnerResult> {
  const date = new Date().toISOString();
  const machine = await machineInfo();
  let dvcTool;
  let dvcUnavailable: string | undefined = opts.dvc ? undefined : "--no-dvc given";
  if (opts.dvc) {
    const got = await ensureDvc({ venvDir: opts.dvcVenv, version: DVC_VERSION, log });
    if ("error" in got) {
      dvcUnavailable = got.error;
      log.warn("DVC unavailable; benchmarking ours alone", { reason: got.error });
    } else {
      dvcTool = got;
      machine.versions.dvc = got.version;
      machine.versions.python = got.python;
    }
  }

  log.info("writing the synthetic workspace", { stages: opts.stages, data_mib: opts.dataMib });
  const oursDir = join(tmp, "ours");
  const pipeline = await writeSynthetic(oursDir, opts, "pipeline.yaml");
  const emptyScript = join(tmp, "empty.ts");
  await Deno.writeTextFile(emptyScript, "");
  const tools: Contender[] = [await oursContender(oursDir, emptyScript)];
  const dvcMode = opts.dvcGit ? "git init + dvc init" : "dvc init --no-scm";
  if (dvcTool) {
    const dvcDir = join(tmp, "dvc");
    const siteCache = join(tmp, "dvc-site-cache");
    await copySynthetic(oursDir, dvcDir, pipeline, "dvc.yaml");
    await initDvcRepo(dvcTool, dvcDir, { git: opts.dvcGit, siteCacheDir: siteCache });
    tools.push(dvcContender(dvcDir, dvcTool, siteCache));
  }

  const baseDir = join(tmp, "baseline");
  const baseline = await cmdBaseline(baseDir, pipeline.stages, 3);
  const figures = await measureTools(tools, opts, baseline.median, log);
  let statusProfile;
  if (opts.profileRuns > 0) {
    log.info("profiling our no-op status", { runs: opts.profileRuns });
    statusProfile = await profileStatus(oursDir, opts.profileRuns);
  }

  let hashing;
  if (opts.hashMib > 0) {
    log.info("hashing", { size_mib: opts.hashMib, runs: opts.hashRuns });
    hashing = await measureHashing({ sizeMib: opts.hashMib, runs: opts.hashRuns, tempRoot: tmp });
  }
  return {
    date,
    machine,
    workspace: {
      stages: opts.stages,
      files: pipeline.files,
      bytes: pipeline.bytes,
      dvcRepo: dvcTool ? dvcMode : undefined,
    },
    dvcUnavailable,
    cmdBaseline: baseline,
    tools: { ours: figures.get(tools[0])!, dvc: tools[1] && figures.get(tools[1]) },
    statusProfile,
    hashing,
  };
}

/**
 * The runner benchmark as a command (`deno task bench runner …`): measure,
 * print the table, write `bench/out/runner-<date>.json`. Returns the exit
 * code (0; a failed run throws).
 *
 * @example
 * ```ts ignore
 * import { main } from "./runner_bench.ts";
 * await main(["--stages", "20", "--data-mib", "10", "--no-dvc", "--hash-mib", "0"], log);
 * ```
 */
export async function main(args: string[], log: Logger): Promise<number> {
  const opts = parseOptions(args);
  if (opts.stages < 20) throw new RangeError("--stages must be at least 20");
  const tmp = await Deno.makeTempDir({ prefix: "runner_bench_" });
  // A benchmark interrupted with ^C must not leave ~1 GiB behind.
  const onInterrupt = () => {
    Deno.removeSync(tmp, { recursive: true });
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const result = await bench(tmp, opts, log);
    for (const line of formatTable(result)) console.log(line);
    const path = await writeJson(join(REPO_ROOT, "bench", "out"), result);
    console.log(`\nresults: ${path}`);
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    if (opts.keep) log.info("kept the workspaces", { dir: tmp });
    else await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
