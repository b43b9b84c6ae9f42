/**
 * The scoring server over real sockets, with real (tiny) released models:
 * every error class of the API on a server started on a free port, a model
 * swap under concurrent requests that loses none, and `deno task serve` as a
 * subprocess finishing an in-flight request after SIGTERM.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { memoryLogger } from "../lib/log.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { MODEL_FILES } from "../lib/learn/model_io.ts";
import { loadScorer, resolveModelSource, type Scorer } from "../lib/scoring/mod.ts";
import { mixedCsv, mixedSchema, writeTinyRelease } from "../lib/scoring/_testing.ts";
import {
  createApp,
  createMetrics,
  DEFAULT_LIMITS,
  localDirLoader,
  ModelHolder,
  ModelWatcher,
  resolvingLoader,
  SERVE_PERMISSIONS,
  ServerHandle,
} from "../lib/serve/mod.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { REPO } from "./_workspace.ts";
import { writeTestUrlModel } from "../lib/url/_testing.ts";

const services = servicesFromEnv();
const mlflow = serviceGate(services, { MLFLOW_TRACKING_URI: services.mlflowTrackingUri });

const KEY = "test-key-0123456789abcdef";
const RECORD = { id: 1, bytes: 300.5, proto: "tcp", svc: "http", tri: 1, flag: true };

/** Two tiny releases (different networks, so different versions) under a temp folder. */
async function releases(): Promise<{ root: string; a: string; b: string }> {
  const root = await Deno.makeTempDir({ prefix: "serve_test_" });
  const csv = mixedCsv(200, { seed: 1, withDropped: true });
  const schema = mixedSchema();
  const a = join(root, "a");
  const b = join(root, "b");
  await writeTinyRelease({ dir: a, schema, csv, epochs: 0, config: { hidden: [8] } });
  await writeTinyRelease({ dir: b, schema, csv, epochs: 0, config: { hidden: [4] } });
  return { root, a, b };
}

/** Publish a release into `to` the way the train stage does: file by file, card last. */
async function publish(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for (
    const name of [MODEL_FILES.model, MODEL_FILES.weights, MODEL_FILES.preprocess, "card.json"]
  ) {
    await Deno.copyFile(join(from, name), join(to, `${name}.tmp`));
    await Deno.rename(join(to, `${name}.tmp`), join(to, name));
  }
}

async function startInProcess(
  dir: string,
  options: { maxBodyBytes?: number; timeoutMs?: number } = {},
) {
  const log = memoryLogger();
  const models = new ModelHolder({ log });
  const loader = localDirLoader(dir, (d) => loadScorer(d, { use: "single", log }));
  models.swap(await loader.load(), { source: dir });
  const metrics = createMetrics();
  const limits = {
    ...DEFAULT_LIMITS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
    requestTimeoutMs: options.timeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
  };
  const app = createApp({ models, apiKey: KEY, limits, log, metrics });
  const server = ServerHandle.start({
    fetch: app.fetch,
    hostname: "127.0.0.1",
    port: 0,
    auth: true,
    log,
  });
  const watcher = new ModelWatcher({ holder: models, loader, intervalMs: 3_600_000, log });
  const stop = async () => {
    await watcher.stop();
    await server.shutdown();
    await models.close();
  };
  return { server, models, watcher, log, metrics, stop };
}

const auth = { authorization: `Bearer ${KEY}` };

function post(url: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(url, { method: "POST", body, headers });
}

async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  strictEqual(res.status, status, text);
  strictEqual(JSON.parse(text).error.code, code, text);
}

/** Send raw bytes on a new connection; return the connection. */
async function rawRequest(port: number, head: string, body = ""): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(head + body));
  return conn;
}

async function readAll(conn: Deno.TcpConn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
    const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    const [head, body] = text.split("\r\n\r\n");
    const length = /content-length: (\d+)/i.exec(head ?? "")?.[1];
    if (body !== undefined && length !== undefined && body.length >= Number(length)) break;
  }
  conn.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("serve over a socket: every error class (400/401/404/405/408/413/415/422) and no crash", async () => {
  const { root, a } = await releases();
  const s = await startInProcess(a, { maxBodyBytes: 4096, timeoutMs: 1000 });
  const url = s.server.url;
  try {
    const json = { "content-type": "application/json", ...auth };
    const ok200 = await post(`${url}/v1/predict`, JSON.stringify(RECORD), json);
    strictEqual(ok200.status, 200);
    strictEqual((await ok200.json()).model_version, s.models.version);
    await expectError(await post(`${url}/v1/predict`, '{"id": 1,', json), 400, "MALFORMED_JSON");
    await expectError(await post(`${url}/v1/predict`, "[]", json), 400, "INVALID_BODY");
    await expectError(
      await post(`${url}/v1/predict`, JSON.stringify(RECORD), {
        "content-type": "application/json",
      }),
      401,
      "UNAUTHORIZED",
    );
    await expectError(await fetch(`${url}/nope`), 404, "NOT_FOUND");
    await expectError(await fetch(`${url}/v1/predict`), 405, "METHOD_NOT_ALLOWED");
    await expectError(
      await post(`${url}/v1/predict`, "x".repeat(5000), json),
      413,
      "BODY_TOO_LARGE",
    );
    // A chunked body (no Content-Length) is cut off once it passes the limit.
    const chunked = ReadableStream.from([
      new Uint8Array(3000).fill(32),
      new Uint8Array(3000).fill(32),
    ]);
    await expectError(await post(`${url}/v1/predict`, chunked, json), 413, "BODY_TOO_LARGE");
    await expectError(
      await post(`${url}/v1/predict`, JSON.stringify(RECORD), {
        "content-type": "text/plain",
        ...auth,
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    for (
      const [record, code] of [[{ ...RECORD, zzz: 1 }, "UNKNOWN_FIELD"], [
        { ...RECORD, tri: 7 },
        "INVALID_VALUE",
      ], [{ ...RECORD, svc: null }, "MISSING_FIELD"]] as const
    ) {
      await expectError(await post(`${url}/v1/predict`, JSON.stringify(record), json), 422, code);
    }
    // A body that stops arriving: 408 after the request timeout.
    const conn = await rawRequest(
      s.server.addr.port,
      `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Authorization: Bearer ${KEY}\r\nContent-Length: 100\r\n\r\n`,
      '{"id": 1',
    );
    const response = await readAll(conn);
    ok(response.startsWith("HTTP/1.1 408"), response);
    ok(response.includes('"REQUEST_TIMEOUT"'), response);
    // Still serving after all of that.
    strictEqual((await fetch(`${url}/health`)).status, 200);
    const csv = await post(
      `${url}/v1/predict/csv`,
      "id,bytes,proto,svc,tri,flag\n5,1,udp,dns,0,false\n",
      {
        "content-type": "text/csv",
        ...auth,
      },
    );
    strictEqual(csv.status, 200);
    strictEqual((await csv.text()).split("\n")[0], "row,id,probability,label");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    ok(metrics.includes('threatline_rejects_total{code="BODY_TOO_LARGE"} 2'), metrics);
    ok(!JSON.stringify(s.log.records).includes(KEY), "the key is never logged");
  } finally {
    await s.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve over a socket: 200 requests from 16 clients while the model is swapped twice lose none", async () => {
  const { root, a, b } = await releases();
  const live = join(root, "live");
  await publish(a, live);
  const s = await startInProcess(live);
  const scorers: Scorer[] = [
    await loadScorer(a, { use: "single" }),
    await loadScorer(b, { use: "single" }),
  ];
  const expected = new Map(scorers.map((sc) => [sc.version, sc.scoreRecord(RECORD).probability]));
  const [va, vb] = scorers.map((sc) => sc.version);
  ok(va !== vb);
  // Timeline of the answering version: [time it started answering, version].
  const timeline: [number, string][] = [[0, va]];
  s.models.onSwap(({ to, at }) => timeline.push([at, to]));
  const url = `${s.server.url}/v1/predict`;
  const total = 200;
  let issued = 0;
  let done = 0;
  const answers: {
    t0: number;
    t1: number;
    status: number;
    version?: string;
    probability?: number;
  }[] = [];
  // Requests 1-100 run while the first swap is triggered (after 40 answers)
  // and loads; 101-200 start once it is done, while the second swap is
  // triggered (after 130 answers) and loads. So each model answers some.
  let firstSwapDone!: () => void;
  const firstSwap = new Promise<void>((r) => (firstSwapDone = r));
  const client = async () => {
    while (issued < total) {
      if (++issued > total / 2) await firstSwap;
      const t0 = performance.now();
      const res = await post(url, JSON.stringify(RECORD), {
        "content-type": "application/json",
        ...auth,
      });
      const body = await res.json();
      answers.push({
        t0,
        t1: performance.now(),
        status: res.status,
        version: body.model_version,
        probability: body.probability,
      });
      done++;
    }
  };
  const swapper = async () => {
    const when = async (n: number) => {
      while (done < n) await new Promise((r) => setTimeout(r, 1));
    };
    await when(40);
    await publish(b, live);
    strictEqual(await s.watcher.poll(), "swapped");
    firstSwapDone();
    await when(130);
    await publish(a, live);
    strictEqual(await s.watcher.poll(), "swapped");
  };
  try {
    await Promise.all([...Array.from({ length: 16 }, client), swapper()]);
    strictEqual(answers.length, total);
    deepStrictEqual(answers.filter((r) => r.status !== 200), []);
    deepStrictEqual(timeline.map(([, v]) => v), [va, vb, va]);
    for (const r of answers) {
      // The version answering when the request started, or one swapped in before it ended.
      const allowed = new Set(
        timeline.filter(([at], i) => at <= r.t1 && (timeline[i + 1]?.[0] ?? Infinity) >= r.t0).map((
          [, v],
        ) => v),
      );
      ok(allowed.has(r.version!), `answered by ${r.version}, current then: ${[...allowed]}`);
      strictEqual(r.probability, expected.get(r.version!));
    }
    const versions = new Set(answers.map((r) => r.version));
    ok(versions.has(vb), "some requests were answered by the second model");
    strictEqual(s.models.version, va);
    strictEqual(s.metrics.snapshot().swaps, 2);
    const model = await (await fetch(`${s.server.url}/v1/model`)).json();
    strictEqual(model.version, va);
    const disposed = s.log.records.filter((r) => r.msg === "model disposed").map((r) =>
      r.fields.version
    );
    deepStrictEqual(disposed, [va, vb], "each replaced model was disposed once");
  } finally {
    for (const sc of scorers) sc.dispose();
    await s.stop();
    await Deno.remove(root, { recursive: true });
  }
});

/** The flags of deno.json's `serve` task, or {@linkcode SERVE_PERMISSIONS}. */
async function serveFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  const line: string | undefined = config.tasks?.serve;
  if (!line) return [...SERVE_PERMISSIONS];
  return line.split(/\s+/).filter((w) => w.startsWith("--"))
    .map((w) => w.replaceAll("$HOME", Deno.env.get("HOME") ?? ""));
}

/** `deno task serve ARGS` as a child on a free port; `waitFor` reads its log until a pattern shows. */
async function spawnServe(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...await serveFlags(), join(REPO, "tasks/serve.ts"), "--port", "0", ...args],
    cwd: REPO,
    env: { THREATLINE_API_KEY: KEY },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const m = pattern.exec(stderr);
      if (m) return m;
      const { done, value } = await lines.read();
      if (done) throw new Error(`server ended before ${pattern}:\n${stderr}`);
      stderr += value;
    }
  };
  /** Kill it if still running and release its pipe. */
  const cleanup = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    await lines.cancel().catch(() => {});
  };
  return { child, waitFor, stderr: () => stderr, cleanup };
}

Deno.test("deno task serve: a new URL model release in --url-model's folder answers /v1/check-url without a restart", async () => {
  const { root, a } = await releases();
  const urlModel = join(root, "url");
  await writeTestUrlModel(urlModel);
  const { child, waitFor, stderr, cleanup } = await spawnServe([
    "--model",
    a,
    "--url-model",
    urlModel,
    "--reload-seconds",
    "0.2",
  ]);
  const check = async (port: number) => {
    const res = await post(
      `http://127.0.0.1:${port}/v1/check-url`,
      JSON.stringify({ url: "http://10.1.2.3/paypal/login.php" }),
      { ...auth, "content-type": "application/json", connection: "close" },
    );
    strictEqual(res.status, 200);
    return (await res.json()).model.version as string;
  };
  try {
    const port = Number((await waitFor(/listening url=http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const before = await check(port);
    // The URL pipeline writes a retrained model (another family: another version).
    await writeTestUrlModel(urlModel, undefined, "logreg");
    const swapped = await waitFor(/URL model answering version=(\w+) previous=(\w+)/);
    deepStrictEqual([swapped[2], swapped[1] !== before], [before, true]);
    strictEqual(await check(port), swapped[1]);
    child.kill("SIGTERM");
    strictEqual((await child.status).code, 0, stderr());
  } finally {
    await cleanup();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task serve: SIGTERM turns new requests away, finishes the in-flight one, exits 0", async () => {
  const { root, a } = await releases();
  const { child, waitFor, stderr, cleanup } = await spawnServe([
    "--model",
    a,
    "--reload-seconds",
    "0",
  ]);
  try {
    const port = Number((await waitFor(/listening url=http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const body = JSON.stringify(RECORD);
    const conn = await rawRequest(
      port,
      `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `X-API-Key: ${KEY}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      body.slice(0, 10),
    );
    // Wait until the server is handling it (this /metrics request is the other one in flight).
    for (;;) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { connection: "close" },
      })).text();
      if (/threatline_http_requests_in_flight 2/.test(text)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGTERM");
    await waitFor(/shutting down.*in_flight=1/);
    // Draining: a new request is turned away, the one in flight goes on.
    const late = await fetch(`http://127.0.0.1:${port}/health`, {
      headers: { connection: "close" },
    });
    strictEqual(late.status, 503);
    strictEqual((await late.json()).error.code, "SHUTTING_DOWN");
    await conn.write(new TextEncoder().encode(body.slice(10)));
    const response = await readAll(conn);
    ok(response.startsWith("HTTP/1.1 200"), response);
    ok(/"model_version":"[0-9a-f]{12}"/.test(response), response);
    await waitFor(/info +stopped/);
    const status = await child.status;
    strictEqual(status.code, 0, stderr());
    let refused = false;
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    } catch (err) {
      refused = err instanceof Deno.errors.ConnectionRefused;
    }
    ok(refused, "the listener is closed");
    ok(!stderr().includes(KEY), "the key is never logged");
  } finally {
    await cleanup();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name:
    `serve: when the registry alias moves, the server swaps to the new champion ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const trackingUri = services.mlflowTrackingUri!;
    const client = new MlflowClient({ trackingUri, timeoutMs: 10_000 });
    const { root, a, b } = await releases();
    const name = `serve-test-${crypto.randomUUID().slice(0, 8)}`;
    const log = memoryLogger();
    const models = new ModelHolder({ log });
    const env = { MLFLOW_TRACKING_URI: trackingUri };
    const cacheDir = join(root, "cache");
    const resolve = async (source: string) =>
      (await resolveModelSource(source, { env, cacheDir, log })).dir;
    const loader = resolvingLoader(
      `models:/${name}@champion`,
      resolve,
      (dir) => loadScorer(dir, { use: "single", log }),
    );
    const app = createApp({ models, limits: DEFAULT_LIMITS, log, metrics: createMetrics() });
    const server = ServerHandle.start({
      fetch: app.fetch,
      hostname: "127.0.0.1",
      port: 0,
      auth: false,
      log,
    });
    const watcher = new ModelWatcher({ holder: models, loader, intervalMs: 3_600_000, log });
    try {
      const experiment = await client.ensureExperiment(`serve-test-${name}`);
      await client.ensureRegisteredModel(name);
      const versions: string[] = [];
      for (const dir of [a, b]) {
        const run = await client.createRun({ experimentId: experiment.experiment_id });
        // A release holds the files of its family only (network or trees).
        for (const file of Object.values(MODEL_FILES)) {
          const bytes = await Deno.readFile(join(dir, file)).catch(() => undefined);
          if (bytes) await client.uploadArtifact(run.artifact_uri, `model/${file}`, bytes);
        }
        const mv = await client.createModelVersion({
          name,
          source: `${run.artifact_uri}/model`,
          runId: run.run_id,
        });
        versions.push(mv.version);
      }
      const cards = await Promise.all(
        [a, b].map(async (d) => JSON.parse(await Deno.readTextFile(join(d, "card.json"))).version),
      );
      await client.setAlias(name, "champion", versions[0]);
      models.swap(await loader.load(), { source: loader.source });
      const ask = async () =>
        (await (await post(`${server.url}/v1/predict`, JSON.stringify(RECORD), {
          "content-type": "application/json",
        })).json()).model_version;
      strictEqual(await ask(), cards[0]);
      strictEqual(await watcher.poll(), "unchanged");
      await client.setAlias(name, "champion", versions[1]);
      strictEqual(await watcher.poll(), "swapped");
      strictEqual(await ask(), cards[1]);
      const model = await (await fetch(`${server.url}/v1/model`)).json();
      deepStrictEqual([model.version, model.source], [cards[1], `models:/${name}@champion`]);
    } finally {
      await watcher.stop();
      await server.shutdown();
      await models.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
