/**
 * What the runner benchmark prints and saves: the machine it ran on, the
 * result record, the human table and the JSON file in `bench/out/`.
 *
 * @module
 */
import { join } from "node:path";
import type { HashingResult } from "./hash_bench.ts";
import type { Stats } from "./_measure.ts";
import { formatProfile, type StatusProfile } from "./status_profile.ts";

/** The machine and tool versions. */
export interface MachineInfo {
  /** Logical CPUs. */
  nproc: number;
  /** CPU model from /proc/cpuinfo. */
  cpu: string;
  /** OS and kernel. */
  os: string;
  /** Total memory, GiB. */
  memGiB: number;
  /** 1/5/15-minute load averages when the benchmark started (others share the machine). */
  loadavg: number[];
  /** Versions: deno, v8, typescript, git, and dvc/python when DVC ran. */
  versions: Record<string, string>;
}

/**
 * Describe this machine (CPU, memory, load, deno and git versions).
 *
 * @example
 * ```ts ignore
 * import { machineInfo } from "./_report.ts";
 * const m = await machineInfo(); // { nproc: 2, cpu: "AMD EPYC", … }
 * ```
 */
export async function machineInfo(): Promise<MachineInfo> {
  let cpu = "unknown";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
  } catch { /* not Linux: leave unknown */ }
  let git = "not found";
  try {
    const out = await new Deno.Command("git", { args: ["--version"], stderr: "null" }).output();
    git = new TextDecoder().decode(out.stdout).trim().replace(/^git version /, "");
  } catch { /* no git */ }
  return {
    nproc: navigator.hardwareConcurrency,
    cpu,
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    memGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    loadavg: Deno.loadavg().map((x) => Math.round(x * 100) / 100),
    versions: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      git,
    },
  };
}

/** One runner's figures. */
export interface ToolFigures {
  /** Runtime start-up floor (`deno run` of an empty script / `dvc --version`). */
  startup: Stats;
  /** Full `repro` of the never-run pipeline (lock, cache and state removed between runs). */
  fullRepro: Stats;
  /** (full repro - cmd baseline) / stages, from the best and the median repro. */
  overheadPerStage: { best: number; median: number };
  /** The first no-op `status` after the last full repro. */
  firstStatus: number;
  /** Warm no-op `status`, repeated. */
  status: Stats;
  /** No-op `repro`, repeated. */
  noopRepro: Stats;
}

/** Everything one run of the runner benchmark measured. */
export interface RunnerResult {
  /** ISO date-time when the benchmark started. */
  date: string;
  /** Machine and versions. */
  machine: MachineInfo;
  /** The synthetic workspace. */
  workspace: { stages: number; files: number; bytes: number; dvcRepo?: string };
  /** Why DVC did not run, when it did not. */
  dvcUnavailable?: string;
  /** Running the stage cmds alone (`sh -c`, in order), seconds for all. */
  cmdBaseline: Stats;
  /** Figures per runner. */
  tools: { ours: ToolFigures; dvc?: ToolFigures };
  /** Where our no-op status spends its time (absent when skipped). */
  statusProfile?: StatusProfile;
  /** Hashing on one large file (absent when skipped). */
  hashing?: HashingResult;
}

const ms = (s: number) => s < 10 ? `${(s * 1000).toFixed(s < 1 ? 1 : 0)} ms` : `${s.toFixed(1)} s`;
const ratio = (dvc: number | undefined, ours: number) =>
  dvc === undefined ? "" : `${(dvc / ours).toFixed(1)}x`;

/**
 * The human table: header lines, one row per figure (ours, DVC, DVC/ours),
 * hashing, and the verdict on the two goals.
 *
 * @example
 * ```ts ignore
 * import { formatTable } from "./_report.ts";
 * for (const line of formatTable(result)) console.log(line);
 * ```
 */
export function formatTable(r: RunnerResult): string[] {
  const m = r.machine;
  const { ours, dvc } = r.tools;
  const mib = (r.workspace.bytes / 2 ** 20).toFixed(0);
  const lines = [
    `# runner benchmark, ${r.date}`,
    `# machine: ${m.nproc} cpus, ${m.cpu}, ${m.memGiB} GiB, ${m.os}, load at start ${
      m.loadavg.join(" ")
    }`,
    `# versions: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `# workspace: ${r.workspace.stages} stages, ${r.workspace.files} dep files, ${mib} MiB of deps` +
    (r.workspace.dvcRepo ? `; DVC repo: ${r.workspace.dvcRepo}` : ""),
    ...(r.dvcUnavailable ? [`# DVC not run: ${r.dvcUnavailable}`] : []),
    "",
    `${"figure".padEnd(40)}${"ours".padStart(11)}${"dvc".padStart(11)}${"dvc/ours".padStart(10)}`,
  ];
  const row = (label: string, o: number, d: number | undefined) =>
    lines.push(
      `${label.padEnd(40)}${ms(o).padStart(11)}${(d === undefined ? "-" : ms(d)).padStart(11)}${
        ratio(d, o).padStart(10)
      }`,
    );
  const stats = (label: string, pick: (t: ToolFigures) => Stats) => {
    const o = pick(ours), d = dvc && pick(dvc);
    row(`${label}, best of ${o.runs}`, o.best, d?.best);
    row(`${label}, median of ${o.runs}`, o.median, d?.median);
  };
  stats("start-up floor", (t) => t.startup);
  stats("full repro (wall)", (t) => t.fullRepro);
  row("  overhead per stage (best)", ours.overheadPerStage.best, dvc?.overheadPerStage.best);
  row("  overhead per stage (median)", ours.overheadPerStage.median, dvc?.overheadPerStage.median);
  row("no-op status, first after repro", ours.firstStatus, dvc?.firstStatus);
  stats("no-op status (warm)", (t) => t.status);
  stats("no-op repro", (t) => t.noopRepro);
  lines.push(
    `(cmd baseline: the ${r.workspace.stages} cmds alone via sh -c take ${
      ms(r.cmdBaseline.median)
    } in all (median of ${r.cmdBaseline.runs}); overhead = (repro - baseline) / stages)`,
  );
  if (r.statusProfile) lines.push("", ...formatProfile(r.statusProfile));
  if (r.hashing) {
    const h = r.hashing;
    lines.push("", `hashing, ${h.sizeMib} MiB file in page cache, best of ${h.runs}:`);
    for (const c of h.contenders) {
      lines.push(
        `  ${c.name.padEnd(30)}${c.mbPerSec.toFixed(0).padStart(7)} MB/s  digest ok: ${
          c.digestOk ? "yes" : "NO"
        }`,
      );
    }
    lines.push(
      `  hashFile time / sha256sum time: ${h.vsSha256sum.toFixed(2)}; / md5sum time: ${
        h.vsMd5sum.toFixed(2)
      } (goal: <= 2)`,
    );
  }
  lines.push("", "goals:");
  if (dvc) {
    const x = dvc.status.median / ours.status.median;
    lines.push(
      `  no-op status >= 10x faster than DVC (medians): ${x.toFixed(1)}x -> ${
        x >= 10 ? "MET" : "MISSED"
      }`,
    );
  } else {
    lines.push("  no-op status >= 10x faster than DVC: not measured (DVC not run)");
  }
  if (r.hashing) {
    const worst = Math.max(r.hashing.vsSha256sum, r.hashing.vsMd5sum);
    lines.push(
      `  hashing within 2x of sha256sum/md5sum: ${worst.toFixed(2)}x their time -> ${
        worst <= 2 ? "MET" : "MISSED"
      }`,
    );
  }
  return lines;
}

/**
 * Write the result as `<dir>/runner-<date>.json` and return its path.
 *
 * @example
 * ```ts ignore
 * import { writeJson } from "./_report.ts";
 * const path = await writeJson("bench/out", result); // bench/out/runner-2026-11-24T05-00-00Z.json
 * ```
 */
export async function writeJson(dir: string, r: RunnerResult): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const stamp = r.date.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const path = join(dir, `runner-${stamp}.json`);
  await Deno.writeTextFile(path, JSON.stringify(r, null, 2) + "\n");
  return path;
}
