/**
 * `deno task bench url-check [--urls 100000] [--runs 3] [--duration 5]
 * [--connections 1,16] [--no-serve]`: the URL checker's speed.
 *
 * - File: `deno task check-url --file` (the task's permissions) on a file of
 *   `--urls` URLs (data/urls.csv's URLs repeated, one per line, written to
 *   bench/out/), `--runs` times: URLs/s end to end (process start to exit,
 *   model load included), URLs per CPU second (user + sys: what a machine
 *   not shared with other jobs would approach) and peak RSS
 *   (`/usr/bin/time -f "%U %S %M"`), medians.
 *   The goal: ≥ 50,000 URLs/s, flat memory.
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
import { machineInfo } from "./_report.ts";
import { type LoadRun, runWrk, startServer } from "./_serve.ts";

const USAGE = "deno task bench url-check [--urls 100000] [--runs 3] [--duration 5] " +
  "[--connections 1,16] [--no-serve]";

async function urlFile(n: number): Promise<string> {
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
  const path = `bench/out/urls_${n}.txt`;
  await Deno.mkdir("bench/out", { recursive: true });
  const lines = Array.from({ length: n }, (_, i) => urls[i % urls.length]);
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

async function fileRun(
  path: string,
  n: number,
): Promise<{ rate: number; cpuRate: number; rssMb: number }> {
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
    path,
    "--out",
    "bench/out/url_check_out.csv",
  ];
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", { args, stdout: "null", stderr: "piped" })
    .output();
  const seconds = (performance.now() - t0) / 1000;
  const err = new TextDecoder().decode(out.stderr).trim().split("\n");
  if (!out.success) throw new Error(`check-url failed:\n${err.join("\n")}`);
  const [user, sys, rss] = err.at(-1)!.split(" ").map(Number);
  return { rate: n / seconds, cpuRate: n / (user + sys), rssMb: rss / 1024 };
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
      "no-serve": { type: "boolean" },
    },
  });
  const n = values.urls ? positiveInt(values.urls as string, "--urls") : 100_000;
  const runs = values.runs ? positiveInt(values.runs as string, "--runs") : 3;
  const duration = values.duration ? positiveInt(values.duration as string, "--duration") : 5;
  const conns = ((values.connections as string) ?? "1,16").split(",").map((c) =>
    positiveInt(c, "--connections")
  );
  console.log(JSON.stringify(await machineInfo()));
  const path = await urlFile(n);
  const file = [];
  for (let i = 0; i < runs; i++) {
    file.push(await fileRun(path, n));
    log.info("check-url --file run", { run: i + 1, ...file.at(-1) });
  }
  const rate = summarize(file.map((r) => r.rate));
  const rss = summarize(file.map((r) => r.rssMb));
  const cpu = summarize(file.map((r) => r.cpuRate));
  console.log(
    `check-url --file ${n} URLs: median ${Math.round(rate.median)} URLs/s ` +
      `(best ${Math.round(Math.max(...rate.samples))}), ${Math.round(cpu.median)} URLs per ` +
      `CPU second (user + sys), peak RSS median ${rss.median.toFixed(0)} MB`,
  );
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
