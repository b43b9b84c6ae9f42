/**
 * The serving benchmark's results and their README table: medians per server
 * and connection count, and the machine they were measured on.
 *
 * @module
 */
import type { MachineInfo } from "./_report.ts";
import type { LoadRun } from "./_serve.ts";

/** Medians of one server at one connection count. */
export interface Figures {
  /** Requests/s. */
  rps: number;
  /** p50, ms. */
  p50Ms: number;
  /** p99, ms. */
  p99Ms: number;
  /** The runs. */
  runs: LoadRun[];
}

/** Everything the serving benchmark measured. */
export interface ServeResult {
  /** ISO start time. */
  date: string;
  /** Machine (load at start) and versions. */
  machine: MachineInfo;
  /** Load averages at the end. */
  loadAtEnd: number[];
  /** The command. */
  command: string;
  /** The model served. */
  model: { version: string; description: string };
  /** Durations, runs, connection counts. */
  settings: { duration: number; warmup: number; runs: number; connections: number[] };
  /** Why the reference did not run. */
  referenceUnavailable?: string;
  /** The agreement check. */
  agreement?: { records: number; maxDiff: number };
  /** server → connections → medians. */
  figures: Record<string, Record<string, Figures>>;
}

/**
 * The human table, the ratios and the goals.
 *
 * @example
 * ```ts ignore
 * for (const line of formatServeTable(result)) console.log(line);
 * ```
 */
export function formatServeTable(r: ServeResult): string[] {
  const m = r.machine;
  const ms = (x: number | undefined) => x === undefined ? "—" : `${x.toFixed(x < 1 ? 3 : 2)} ms`;
  const num = (x: number | undefined) => x === undefined ? "—" : Math.round(x).toLocaleString("en");
  const lines = [
    `# serving benchmark, ${r.date}: ${r.command}`,
    `# machine: ${m.nproc} cpus, ${m.cpu}, ${m.memGiB} GiB, ${m.os}; load ${
      m.loadavg.join(" ")
    } at start, ${r.loadAtEnd.join(" ")} at end`,
    `# versions: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `# model ${r.model.version} (${r.model.description}); wrk -t1, ${r.settings.duration} s per run, ` +
    `median of ${r.settings.runs} alternating runs after a ${r.settings.warmup} s warm-up`,
    r.agreement
      ? `# both servers agree on ${r.agreement.records} records (max |Δp| ${
        r.agreement.maxDiff.toExponential(1)
      }) and refuse unknown fields with 422`
      : `# reference not run: ${r.referenceUnavailable ?? "--no-reference"}`,
    "",
    "| connections | ours req/s | ref req/s | ours/ref | ours p50 | ref p50 | ours p99 | ref p99 |",
    "| ----------: | ---------: | --------: | -------: | -------: | ------: | -------: | ------: |",
  ];
  const ours = r.figures.ours ?? {};
  const ref = r.figures.reference ?? {};
  for (const c of r.settings.connections) {
    const o = ours[c], f = ref[c];
    const ratio = o && f ? `${(o.rps / f.rps).toFixed(1)}x` : "—";
    lines.push(
      `| ${c} | ${num(o?.rps)} | ${num(f?.rps)} | ${ratio} | ${ms(o?.p50Ms)} | ${ms(f?.p50Ms)} | ${
        ms(o?.p99Ms)
      } | ${ms(f?.p99Ms)} |`,
    );
  }
  const failures = Object.entries(r.figures).flatMap(([name, byC]) =>
    Object.entries(byC).flatMap(([c, fig]) =>
      fig.runs.filter((x) => x.errors + x.non2xx > 0).map((x) =>
        `${name} at ${c}: ${x.errors} socket errors, ${x.non2xx} non-2xx`
      )
    )
  );
  lines.push(
    "",
    ...(failures.length ? failures.map((f) => `! ${f}`) : ["no errors, every answer 200"]),
  );
  const at16 = ours[16];
  if (at16) {
    lines.push(
      `goal p50 < 2 ms at 16 connections: ${at16.p50Ms < 2 ? "met" : "MISSED"} (${ms(at16.p50Ms)})`,
      `goal p99 < 10 ms at 16 connections: ${at16.p99Ms < 10 ? "met" : "MISSED"} (${
        ms(at16.p99Ms)
      })`,
    );
  }
  const ratios = r.settings.connections.filter((c) => ours[c] && ref[c]).map((
    c,
  ) => [c, ours[c].rps / ref[c].rps]);
  if (ratios.length) {
    const all = ratios.every(([, x]) => x >= 3);
    lines.push(
      `goal ≥ 3x the reference's requests/s: ${all ? "met" : "MISSED"} (${
        ratios.map(([c, x]) => `${x.toFixed(1)}x at ${c}`).join(", ")
      })`,
    );
  }
  return lines;
}
