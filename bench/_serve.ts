/**
 * Pieces of the serving benchmark (`serve_bench.ts`): request bodies from
 * the model's schema, the reference server's virtualenv, starting and
 * stopping a server process, the agreement check, one `wrk` run, and the
 * table.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { createRng } from "../lib/rng.ts";

/** The reference server's packages, pinned. */
export const REFERENCE_PACKAGES = [
  "fastapi==0.165.0",
  "uvicorn[standard]==0.54.0",
  "scikit-learn==1.9.1",
];

interface SchemaColumn {
  name: string;
  type: string;
  values?: unknown[];
}
interface SpecFeature {
  kind: string;
  column: string;
  impute: unknown;
  categories?: string[];
}
interface Spec {
  schema: { columns: SchemaColumn[]; target: { column: string }; id?: string };
  features: SpecFeature[];
}

/**
 * Valid records of the model's schema: the one the load generator sends
 * (`single`, also in `luaScript`) and 20 seeded random ones for the
 * agreement check.
 *
 * @example
 * ```ts ignore
 * const { single, sample, luaScript } = requestBodies(JSON.parse(preprocessJson));
 * ```
 */
export function requestBodies(spec: Spec): { single: string; sample: string[]; luaScript: string } {
  const rng = createRng(20261124);
  const columns = new Map(spec.schema.columns.map((c) => [c.name, c]));
  const record = () => {
    const r: Record<string, unknown> = {};
    if (spec.schema.id) {
      r[spec.schema.id] = columns.get(spec.schema.id)?.type === "categorical" ? "1" : 1;
    }
    for (const f of spec.features) {
      const col = columns.get(f.column)!;
      const choices = col.values ?? f.categories ?? [f.impute];
      const v = choices[rng.int(choices.length)];
      r[f.column] = col.type === "boolean" ? Boolean(v) : v;
    }
    return JSON.stringify(r);
  };
  const sample = Array.from({ length: 20 }, record);
  const single = sample[0];
  const luaScript = [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    `wrk.body = [==[${single}]==]`,
    "function done(summary, latency, requests)",
    "  local e = summary.errors",
    '  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,' +
    '\\"p50_us\\":%d,\\"p99_us\\":%d,\\"max_us\\":%d,\\"connect\\":%d,\\"read\\":%d,' +
    '\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}\\n", summary.requests, summary.duration,' +
    " latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write," +
    " e.status, e.timeout))",
    "end",
  ].join("\n") + "\n";
  return { single, sample, luaScript };
}

async function run(program: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const t = new TextDecoder();
    return { ok: r.success, out: (t.decode(r.stdout) + t.decode(r.stderr)).trim() };
  } catch (err) {
    return { ok: false, out: (err as Error).message };
  }
}

const VERSIONS_PY = "import json, sys, fastapi, uvicorn, sklearn, numpy, pydantic; " +
  'print(json.dumps({"python": sys.version.split()[0], "fastapi": fastapi.__version__, ' +
  '"uvicorn": uvicorn.__version__, "scikit-learn": sklearn.__version__, ' +
  '"numpy": numpy.__version__, "pydantic": pydantic.__version__}))';

/**
 * A Python with the pinned reference packages, in a virtualenv outside the
 * repository (created and installed on first use), or why there is none.
 *
 * @example
 * ```ts ignore
 * const ref = await ensureReference(`${HOME}/.cache/threatline/bench-venv`, log);
 * ```
 */
export async function ensureReference(
  venvDir: string,
  log: Logger,
): Promise<{ python: string; versions: Record<string, string> } | { error: string }> {
  const python = join(venvDir, "bin", "python");
  const pinned = (v: Record<string, string>) =>
    REFERENCE_PACKAGES.every((p) => {
      const [name, version] = p.replace("[standard]", "").split("==");
      return v[name] === version;
    });
  const probe = async () => {
    const r = await run(python, ["-c", VERSIONS_PY]);
    return r.ok ? JSON.parse(r.out.split("\n").at(-1)!) as Record<string, string> : undefined;
  };
  let versions = await probe();
  if (!versions || !pinned(versions)) {
    if (!(await run(python, ["--version"])).ok) {
      log.info("creating the reference virtualenv", { dir: venvDir });
      const venv = await run("python3", ["-m", "venv", venvDir]);
      if (!venv.ok) return { error: `python3 -m venv failed: ${venv.out.slice(-300)}` };
    }
    log.info("installing the reference server's packages from PyPI", {
      packages: REFERENCE_PACKAGES,
    });
    const pip = await run(python, [
      ...["-m", "pip", "install", "--quiet", "--disable-pip-version-check"],
      ...REFERENCE_PACKAGES,
    ]);
    if (!pip.ok) return { error: `pip install failed: ${pip.out.slice(-300)}` };
    versions = await probe();
    if (!versions) return { error: "the reference packages do not import after installing" };
  }
  return { python, versions };
}

/** A started server process. */
export interface Started {
  /** `ours` or `reference`. */
  name: string;
  /** Base URL. */
  url: string;
  /** SIGTERM it (SIGKILL after 10 s) and wait. */
  stop(): Promise<void>;
}

/**
 * Start a server process and wait until `GET /ready` answers 200 (2 min at
 * most); a process that exits first throws with the end of its stderr.
 *
 * @example
 * ```ts ignore
 * const s = await startServer({ name: "ours", program: Deno.execPath(), args, port, env: {} });
 * ```
 */
export async function startServer(o: {
  name: string;
  program: string;
  args: string[];
  port: number;
  env: Record<string, string>;
}): Promise<Started> {
  const child = new Deno.Command(o.program, {
    args: o.args,
    env: o.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const drain = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (stderr = (stderr + t).slice(-4000)) }),
  ).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const url = `http://127.0.0.1:${o.port}`;
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 10_000);
      await status;
      clearTimeout(timer);
    }
    await drain;
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${o.name} server exited before it was ready:\n${stderr}`);
    try {
      const res = await fetch(`${url}/ready`);
      await res.body?.cancel();
      if (res.ok) return { name: o.name, url, stop };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${o.name} server not ready after 120 s:\n${stderr}`);
}

/**
 * Send each record to both servers: the probabilities must agree (|Δ| ≤
 * 1e-4) and both must refuse an unknown field with 422; else the comparison
 * would be of different work, and this throws.
 *
 * @example
 * ```ts ignore
 * const { records, maxDiff } = await checkAgreement(ours.url, ref.url, bodies.sample);
 * ```
 */
export async function checkAgreement(
  ours: string,
  reference: string,
  records: string[],
): Promise<{ records: number; maxDiff: number }> {
  const post = async (url: string, body: string) => {
    const res = await fetch(`${url}/v1/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
  let maxDiff = 0;
  for (const body of records) {
    const [a, b] = [await post(ours, body), await post(reference, body)];
    if (a.status !== 200 || b.status !== 200) {
      throw new Error(`a valid record was refused (${a.status}/${b.status}): ${body}`);
    }
    maxDiff = Math.max(maxDiff, Math.abs(a.body.probability - b.body.probability));
  }
  if (maxDiff > 1e-4) throw new Error(`the servers disagree: max |Δp| = ${maxDiff}`);
  const bad = JSON.stringify({ ...JSON.parse(records[0]), not_a_column: 1 });
  const [a, b] = [await post(ours, bad), await post(reference, bad)];
  if (a.status !== 422 || b.status !== 422) {
    throw new Error(`an unknown field was not refused with 422 (${a.status}/${b.status})`);
  }
  return { records: records.length, maxDiff };
}

/** One `wrk` run. */
export interface LoadRun {
  /** Completed requests per second. */
  rps: number;
  /** Median latency, ms. */
  p50Ms: number;
  /** 99th percentile latency, ms. */
  p99Ms: number;
  /** Requests completed. */
  requests: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** Answers other than 2xx/3xx. */
  non2xx: number;
}

/**
 * Run `wrk` (one thread, `connections` keep-alive connections) against a
 * loopback URL for `seconds`.
 *
 * @example
 * ```ts ignore
 * const r = await runWrk({ url: "http://127.0.0.1:8080/v1/predict", connections: 16, seconds: 10, script });
 * ```
 */
export async function runWrk(
  o: { url: string; connections: number; seconds: number; script: string },
): Promise<LoadRun> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(o.url)) throw new RangeError(`not loopback: ${o.url}`);
  const args = [
    ...["-t1", `-c${o.connections}`, `-d${o.seconds}s`, "--timeout", "5s"],
    ...["-s", o.script, o.url],
  ];
  let out;
  try {
    out = await new Deno.Command("wrk", { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ConfigError("the load generator 'wrk' is not installed", {
        hint: "apt-get install -y wrk",
      });
    }
    throw err;
  }
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (!out.success || !line) {
    throw new Error(`wrk failed:\n${text}${new TextDecoder().decode(out.stderr)}`);
  }
  const j = JSON.parse(line.slice(8));
  return {
    rps: j.requests / (j.duration_us / 1e6),
    p50Ms: j.p50_us / 1000,
    p99Ms: j.p99_us / 1000,
    requests: j.requests,
    errors: j.connect + j.read + j.write + j.timeout,
    non2xx: j.status,
  };
}
