/**
 * `deno task bench url-check [--urls 100000] [--runs 3] [--workers 1,2]
 * [--distinct] [--duration 5] [--connections 1,16] [--no-serve]
 * [--baseline DIR] [--model DIR] [--phases]`: the URL checker's speed.
 * `--phases`: only the per-URL cost of each step of the checker, in this
 * process (bench/_url_phases.ts).
 *
 * - File: `deno task check-url --file` (the task's permissions) on a file of
 *   `--urls` URLs (data/urls.csv's URLs repeated, one per line, written to
 *   bench/out/; `--distinct`: each repeat made a different URL by a
 *   `r=<round>` query parameter, so nothing can be cached), `--runs` times
 *   for each `--workers` count (alternated within a run): URLs/s end to end
 *   (process start to exit, model load included), CPU time per URL (user +
 *   sys: what a machine not shared with other jobs would approach) and peak
 *   RSS (`/usr/bin/time -f "%U %S %M"`), medians.
 *   The goal: ≥ 50,000 URLs/s, flat memory. `--baseline DIR`: a
 *   checkout of another commit (`git worktree add /tmp/base REV`) run the same
 *   way right after each of ours (its `tasks/check_url.ts`, cwd DIR, the same
 *   model and file), with the per-run ratios and a byte comparison of the two
 *   outputs and rejects. `--model DIR`: the URL model (default
 *   artifacts/url/model).
 * - Serve: `deno task serve` (main model artifacts/model, URL model
 *   artifacts/url/model) under `wrk` (one thread, keep-alive) posting one
 *   URL to `POST /v1/check-url`, at each `--connections`, `--runs` times:
 *   requests/s, p50 and p99, medians. The goal: p50 < 2 ms at 16
 *   connections. Needs `deno task repro` (both models) and wrk.
 *
 * @module
 */
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { readCsvFile } from "../lib/data/csv.ts";
import { freePorts } from "../lib/services/ports.ts";
import { SERVE_PERMISSIONS } from "../lib/serve/config.ts";
import { summarize } from "./_measure.ts";
import { urlPhases } from "./_url_phases.ts";
import { machineInfo } from "./_report.ts";
import { type LoadRun, runWrk, startServer } from "./_serve.ts";

const USAGE = "deno task bench url-check [--urls 100000] [--runs 3] [--workers 1,2] " +
  "[--distinct] [--duration 5] [--connections 1,16] [--no-serve] [--baseline DIR] [--model DIR] " +
  "[--phases]";

/** The `i`-th URL of the file: data/urls.csv's, made distinct per round with `distinct`. */
function nthUrl(urls: string[], i: number, distinct: boolean): string {
  const u = urls[i % urls.length], round = Math.floor(i / urls.length);
  if (!distinct || round === 0) return u;
  return `${u}${u.includes("?") ? "&" : "?"}r=${round}`;
}

async function urlFile(n: number, distinct: boolean): Promise<string> {
  const urls: string[] = [];
  let first = true;
  for await (const b of readCsvFile("data/urls.csv")) {
    for (const row of b.rows) {
      if (first) {
        first = false;
        continue;
      }
      urls.push(row[0].replace(/[\r\n]/g, ""));
    }
  }
  const path = `bench/out/urls_${n}${distinct ? "_distinct" : ""}.txt`;
  await Deno.mkdir("bench/out", { recursive: true });
  const lines = Array.from({ length: n }, (_, i) => nthUrl(urls, i, distinct));
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

interface FileRun {
  rate: number;
  cpuUs: number;
  rssMb: number;
}

async function fileRun(
  o: { path: string; n: number; workers: number; model: string; cwd?: string; out: string },
): Promise<FileRun> {
  const args = [
    "-f",
    "%U %S %M",
    Deno.execPath(),
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env=LOG_TOKENS,LOG_STREAM",
    "tasks/check_url.ts",
    "--file",
    o.path,
    "--out",
    o.out,
    "--workers",
    String(o.workers),
    "--model",
    o.model,
  ];
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args,
    cwd: o.cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const err = new TextDecoder().decode(out.stderr).trim().split("\n");
  if (!out.success) throw new Error(`check-url failed:\n${err.join("\n")}`);
  const [user, sys, rss] = err.at(-1)!.split(" ").map(Number);
  return { rate: o.n / seconds, cpuUs: (user + sys) / o.n * 1e6, rssMb: rss / 1024 };
}

const LUA = (body: string) =>
  [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    `wrk.body = [==[${body}]==]`,
    "function done(summary, latency, requests)",
    "  local e = summary.errors",
    '  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,' +
    '\\"p50_us\\":%d,\\"p99_us\\":%d,\\"max_us\\":%d,\\"connect\\":%d,\\"read\\":%d,' +
    '\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}\\n", summary.requests, summary.duration,' +
    " latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write," +
    " e.status, e.timeout))",
    "end",
  ].join("\n") + "\n";

/** Run the benchmark. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    maxPositionals: 0,
    options: {
      urls: { type: "string" },
      runs: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      workers: { type: "string" },
      distinct: { type: "boolean" },
      "no-serve": { type: "boolean" },
      baseline: { type: "string" },
      model: { type: "string" },
      phases: { type: "boolean" },
    },
  });
  const n = values.urls ? positiveInt(values.urls as string, "--urls") : 100_000;
  const runs = values.runs ? positiveInt(values.runs as string, "--runs") : 3;
  const duration = values.duration ? positiveInt(values.duration as string, "--duration") : 5;
  const conns = ((values.connections as string) ?? "1,16").split(",").map((c) =>
    positiveInt(c, "--connections")
  );
  const workerCounts = ((values.workers as string) ?? "1").split(",").map((w) =>
    positiveInt(w, "--workers")
  );
  console.log(JSON.stringify(await machineInfo()));
  const distinct = values.distinct === true;
  const path = await Deno.realPath(await urlFile(n, distinct));
  const model = await Deno.realPath((values.model as string) ?? "artifacts/url/model");
  const baseline = values.baseline as string | undefined;
  if (values.phases) {
    await urlPhases(path, model);
    return 0;
  }
  const outs = { ours: await Deno.realPath("bench/out") + "/url_check_out.csv" };
  const baseOut = `${outs.ours.slice(0, -4)}_baseline.csv`;
  // One untimed run of each on a few URLs first: Deno compiles changed modules on first use.
  const warm = `${path.slice(0, -4)}_warmup.txt`;
  await Deno.writeTextFile(
    warm,
    (await Deno.readTextFile(path)).split("\n").slice(0, 100).join("\n"),
  );
  for (const cwd of baseline === undefined ? [undefined] : [undefined, baseline]) {
    await fileRun({ path: warm, n: 100, workers: 2, model, cwd, out: baseOut });
  }
  type Runs = { ours: FileRun[]; base: FileRun[] };
  const file: Runs[] = workerCounts.map(() => ({ ours: [], base: [] }));
  for (let i = 0; i < runs; i++) {
    for (const [w, workers] of workerCounts.entries()) {
      const run = { path, n, workers, model };
      file[w].ours.push(await fileRun({ ...run, out: outs.ours }));
      log.info("check-url --file run", { run: i + 1, workers, ...file[w].ours.at(-1) });
      if (baseline === undefined) continue;
      file[w].base.push(await fileRun({ ...run, cwd: baseline, out: baseOut }));
      log.info("baseline check-url --file run", { run: i + 1, workers, ...file[w].base.at(-1) });
    }
  }
  const line = (who: string, workers: number, r: FileRun[]) => {
    const rate = summarize(r.map((x) => x.rate));
    const rss = summarize(r.map((x) => x.rssMb));
    const cpu = summarize(r.map((x) => x.cpuUs));
    console.log(
      `${who}check-url --file ${n}${distinct ? " distinct" : ""} URLs, --workers ${workers}: ` +
        `median ${Math.round(rate.median)} URLs/s (best ${
          Math.round(Math.max(...rate.samples))
        }), ` +
        `${cpu.median.toFixed(1)} µs CPU per URL (user + sys), peak RSS median ` +
        `${rss.median.toFixed(0)} MB`,
    );
  };
  for (const [w, workers] of workerCounts.entries()) {
    line("", workers, file[w].ours);
    if (baseline === undefined) continue;
    line("baseline ", workers, file[w].base);
    const ratio = (f: (r: FileRun) => number, a: FileRun[], b: FileRun[]) =>
      a.map((r, i) => (f(r) / f(b[i])).toFixed(2)).join(", ");
    console.log(
      `  --workers ${workers}, ours / baseline per run: URLs/s ` +
        `${ratio((r) => r.rate, file[w].ours, file[w].base)}; baseline / ours CPU per URL ` +
        `${ratio((r) => r.cpuUs, file[w].base, file[w].ours)}`,
    );
  }
  if (baseline !== undefined) {
    const same = async (a: string, b: string) => {
      const [x, y] = [await Deno.readFile(a), await Deno.readFile(b)];
      return x.length === y.length && x.every((v, i) => v === y[i]);
    };
    const rej = (p: string) => p.replace(/\.csv$/, ".rejects.csv");
    const identical = await same(outs.ours, baseOut) && await same(rej(outs.ours), rej(baseOut));
    console.log(`output and rejects byte-identical to the baseline's (last run): ${identical}`);
  }
  if (values["no-serve"]) return 0;
  const [port] = await freePorts(1);
  const server = await startServer({
    name: "ours",
    program: Deno.execPath(),
    args: [
      "run",
      ...SERVE_PERMISSIONS,
      "tasks/serve.ts",
      "--port",
      String(port),
      "--reload-seconds",
      "0",
    ],
    port,
    env: {},
  });
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    const body = JSON.stringify({
      url: "http://paypal.com.secure-login.example.tk/webscr?cmd=_login",
    });
    const probe = await fetch(`${server.url}/v1/check-url`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    if (probe.status !== 200) {
      throw new Error(`check-url answered ${probe.status}: ${await probe.text()}`);
    }
    await probe.body?.cancel();
    await Deno.writeTextFile(script, LUA(body));
    for (const c of conns) {
      const rs: LoadRun[] = [];
      for (let i = 0; i < runs; i++) {
        rs.push(
          await runWrk({
            url: `${server.url}/v1/check-url`,
            connections: c,
            seconds: duration,
            script,
          }),
        );
      }
      const med = (f: (r: LoadRun) => number) => summarize(rs.map(f)).median;
      console.log(
        `POST /v1/check-url c=${c}: ${Math.round(med((r) => r.rps))} req/s, ` +
          `p50 ${med((r) => r.p50Ms).toFixed(3)} ms, p99 ${med((r) => r.p99Ms).toFixed(2)} ms, ` +
          `errors ${rs.reduce((a, r) => a + r.errors + r.non2xx, 0)}`,
      );
    }
  } finally {
    await server.stop();
    await Deno.remove(script);
  }
  return 0;
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
