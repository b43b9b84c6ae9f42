/**
 * `deno task bench serve`: single-record predictions per second and p50/p99
 * latency of `deno task serve` against a FastAPI + uvicorn + scikit-learn
 * server doing the same (`bench/serve_reference.py`), at 1, 16 and 64
 * concurrent connections from `wrk` on loopback. Both serve a snapshot of
 * the released model (artifacts/model) and must agree on its probabilities
 * first. Runs alternate (ours, reference, ours …) so load from others on the
 * machine falls on both; medians of the runs are reported with the ratios
 * and the goals (p50 < 2 ms and p99 < 10 ms at 16 connections; ≥ 3x the
 * reference's requests/s).
 *
 * Options: `--duration 10` (s per run) `--warmup 2` `--runs 3`
 * `--connections 1,16,64` `--model artifacts/model` `--venv DIR`
 * `--no-reference`.
 *
 * Setup: `wrk` from Debian (`apt-get install -y wrk`), one thread, keep-alive
 * connections, a Lua script for the POST body and the JSON summary. The
 * reference runs in a virtualenv outside the repository
 * (`~/.cache/threatline/bench-venv`, created on first use with the packages
 * pinned in `_serve.ts`'s `REFERENCE_PACKAGES`) as `uvicorn --workers 1 --loop uvloop
 * --http httptools --no-access-log`, an `async def` endpoint (the CPU work
 * is short; a threadpool hop would only slow it down). Ours runs as
 * `deno task serve` does (the task's permissions, `--reload-seconds 0`).
 *
 * Results, `deno task bench serve`, 2026-11-24T05:13Z, 2 cpus AMD EPYC
 * shared with other sessions (load 3.1 at start, 2.5 at end; single runs
 * move by ±30%), deno 2.9.6, Python 3.11.7, fastapi 0.165.0, uvicorn 0.54.0,
 * scikit-learn 1.9.1; model 16859c037393 (three mlp[64,32] averaged); both
 * servers agree on 20 records (max |Δp| 3.9e-8):
 *
 * | connections | ours req/s | ref req/s | ours/ref | ours p50 | ref p50 | ours p99 | ref p99 |
 * | ----------: | ---------: | --------: | -------: | -------: | ------: | -------: | ------: |
 * |           1 |     23,084 |     2,490 |     9.3x | 0.027 ms | 0.26 ms |  6.01 ms | 5.66 ms |
 * |          16 |     47,713 |     4,287 |    11.1x | 0.284 ms | 3.45 ms |  3.03 ms | 7.10 ms |
 * |          64 |     48,312 |     4,103 |    11.8x |  1.19 ms | 15.0 ms |  3.89 ms | 30.9 ms |
 *
 * A second run at 05:23Z (load 2.1 → 3.0), same model: 26,725 / 31,415 /
 * 33,875 req/s against 3,354 / 4,242 / 3,156 (8.0x / 7.4x / 10.7x); at 16
 * connections p50 0.40 ms and p99 6.92 ms (reference 3.69 / 7.53 ms).
 *
 * Goals met in both runs: p50 0.28–0.40 ms and p99 3.0–6.9 ms at 16
 * connections; 7–12x the reference's requests/s. The p99 at one connection (~6 ms on both sides) is
 * the machine, not the servers: with wrk, the server and other sessions'
 * jobs on 2 cores, a request waits for a core now and then; V8's young-gen
 * GC adds to it (about 17 scavenges/s at 24k req/s, 1–10 ms each under this
 * contention).
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { MODEL_FILES } from "../lib/learn/model_io.ts";
import { freePorts } from "../lib/services/ports.ts";
import { SERVE_PERMISSIONS } from "../lib/serve/config.ts";
import { machineInfo } from "./_report.ts";
import { summarize } from "./_measure.ts";
import {
  checkAgreement,
  ensureReference,
  type LoadRun,
  requestBodies,
  runWrk,
  type Started,
  startServer,
} from "./_serve.ts";
import { formatServeTable, type ServeResult } from "./_serve_table.ts";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const USAGE = "deno task bench serve [--duration S] [--warmup S] [--runs N] " +
  "[--connections 1,16,64] [--model DIR] [--venv DIR] [--no-reference]";

function defaultVenv(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  return join(xdg || join(Deno.env.get("HOME") ?? "/tmp", ".cache"), "threatline", "bench-venv");
}

async function serveFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  const line: string | undefined = config.tasks?.serve;
  return line
    ? line.split(/\s+/).filter((w) => w.startsWith("--"))
      .map((w) => w.replaceAll("$HOME", Deno.env.get("HOME") ?? ""))
    : [...SERVE_PERMISSIONS];
}

/**
 * Run the serving benchmark; see the module doc. Returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./serve_bench.ts";
 * await main(["--duration", "5", "--connections", "16"], log);
 * ```
 */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    maxPositionals: 0,
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      runs: { type: "string" },
      connections: { type: "string" },
      model: { type: "string" },
      venv: { type: "string" },
      "no-reference": { type: "boolean" },
    },
  });
  const str = (k: string) => values[k] as string | undefined;
  const duration = positiveInt(str("duration") ?? "10", "--duration");
  const warmup = positiveInt(str("warmup") ?? "2", "--warmup");
  const runs = positiveInt(str("runs") ?? "3", "--runs");
  const connections = (str("connections") ?? "1,16,64").split(",").map((c) =>
    positiveInt(c.trim(), "--connections")
  );
  const modelDir = str("model") ?? join(REPO, "artifacts/model");
  const date = new Date().toISOString();
  const machine = await machineInfo();

  // A snapshot of the release, so a training run meanwhile changes nothing here.
  const tmp = await Deno.makeTempDir({ prefix: "serve_bench_" });
  const started: Started[] = [];
  try {
    const model = join(tmp, "model");
    await Deno.mkdir(model);
    for (const name of Object.values(MODEL_FILES)) {
      try {
        await Deno.copyFile(join(modelDir, name), join(model, name));
      } catch (err) {
        // A release holds its family's files only: weights or trees.
        if (err instanceof Deno.errors.NotFound && name !== MODEL_FILES.card) continue;
        throw new ConfigError(`cannot read the released model: ${(err as Error).message}`, {
          file: join(modelDir, name),
          hint: "run the pipeline first (deno task repro), or pass --model DIR",
        });
      }
    }
    const { version } = JSON.parse(await Deno.readTextFile(join(model, MODEL_FILES.card)));
    const bodies = requestBodies(
      JSON.parse(await Deno.readTextFile(join(model, "preprocess.json"))),
    );
    const [ourPort, refPort] = freePorts(2);
    log.info("starting our server", { port: ourPort, model: version });
    const ours = await startServer({
      name: "ours",
      program: Deno.execPath(),
      args: [
        "run",
        ...(await serveFlags()),
        join(REPO, "tasks/serve.ts"),
        ...["--host", "127.0.0.1", "--port", String(ourPort)],
        ...["--model", model, "--reload-seconds", "0"],
      ],
      port: ourPort,
      env: {},
    });
    started.push(ours);
    let reference: Started | undefined;
    let referenceUnavailable: string | undefined;
    if (!values["no-reference"]) {
      const venv = await ensureReference(str("venv") ?? defaultVenv(), log);
      if ("error" in venv) {
        referenceUnavailable = venv.error;
        log.warn("reference server unavailable; measuring ours alone", { reason: venv.error });
      } else {
        machine.versions = { ...machine.versions, ...venv.versions };
        reference = await startServer({
          name: "reference",
          program: venv.python,
          args: [
            ...["-m", "uvicorn", "serve_reference:app", "--app-dir", join(REPO, "bench")],
            ...["--host", "127.0.0.1", "--port", String(refPort), "--workers", "1"],
            ...["--loop", "uvloop", "--http", "httptools", "--no-access-log"],
            ...["--log-level", "warning"],
          ],
          port: refPort,
          env: { THREATLINE_MODEL_DIR: model, PYTHONDONTWRITEBYTECODE: "1" },
        });
        started.push(reference);
      }
    }
    const agreement = reference
      ? await checkAgreement(ours.url, reference.url, bodies.sample)
      : undefined;
    if (agreement) {
      log.info("servers agree", {
        records: agreement.records,
        max_diff: agreement.maxDiff.toExponential(1),
      });
    }
    const script = join(tmp, "post.lua");
    await Deno.writeTextFile(script, bodies.luaScript);
    const servers = reference ? [ours, reference] : [ours];
    const samples: Record<string, Record<number, LoadRun[]>> = {};
    for (const c of connections) {
      for (const s of servers) {
        log.info("warm-up", { server: s.name, connections: c });
        await runWrk({ url: `${s.url}/v1/predict`, connections: c, seconds: warmup, script });
      }
      for (let r = 0; r < runs; r++) {
        for (const s of servers) {
          const run = await runWrk({
            url: `${s.url}/v1/predict`,
            connections: c,
            seconds: duration,
            script,
          });
          log.info("run", {
            server: s.name,
            connections: c,
            rps: Math.round(run.rps),
            p50_ms: run.p50Ms,
            p99_ms: run.p99Ms,
          });
          ((samples[s.name] ??= {})[c] ??= []).push(run);
        }
      }
    }
    const result: ServeResult = {
      date,
      machine,
      loadAtEnd: Deno.loadavg().map((x) => Math.round(x * 100) / 100),
      command: `deno task bench serve ${args.join(" ")}`.trim(),
      model: {
        version,
        description: JSON.parse(await Deno.readTextFile(join(model, MODEL_FILES.card))).description,
      },
      settings: { duration, warmup, runs, connections },
      referenceUnavailable,
      agreement,
      figures: Object.fromEntries(
        Object.entries(samples).map(([name, byC]) => [
          name,
          Object.fromEntries(
            Object.entries(byC).map(([c, list]) => [c, {
              rps: summarize(list.map((x) => x.rps)).median,
              p50Ms: summarize(list.map((x) => x.p50Ms)).median,
              p99Ms: summarize(list.map((x) => x.p99Ms)).median,
              runs: list,
            }]),
          ),
        ]),
      ),
    };
    for (const line of formatServeTable(result)) console.log(line);
    await Deno.mkdir(join(REPO, "bench/out"), { recursive: true });
    const out = join(REPO, "bench/out", `serve-${date.replace(/[:.]/g, "-").slice(0, 19)}Z.json`);
    await Deno.writeTextFile(out, JSON.stringify(result, null, 2) + "\n");
    log.info("results written", { file: out });
    return 0;
  } finally {
    for (const s of started) await s.stop();
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
