import assert from "node:assert/strict";
import { ServiceError } from "../errors.ts";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { artifactEndpoint, BATCH_LIMITS, MlflowApiError, MlflowClient } from "./client.ts";

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** A fetch that records requests and answers from `answer`. */
function fakeFetch(answer: (req: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit) => {
    const req: Seen = {
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : "",
    };
    seen.push(req);
    return await answer(req);
  };
  return { fetch: fn as typeof fetch, seen };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

Deno.test("client: MLflow's error_code and message are surfaced in a ServiceError (exit 7)", async () => {
  const { fetch } = fakeFetch(() =>
    json({ error_code: "INVALID_PARAMETER_VALUE", message: "Missing value for 'run_id'" }, 400)
  );
  const client = new MlflowClient({ trackingUri: "http://mlflow.test:5000/", fetch });
  await assert.rejects(client.getRun("r1"), (err: unknown) => {
    assert.ok(err instanceof MlflowApiError && err instanceof ServiceError);
    assert.equal(err.exitCode, 7);
    assert.equal(err.status, 400);
    assert.equal(err.errorCode, "INVALID_PARAMETER_VALUE");
    assert.match(err.message, /MLflow at http:\/\/mlflow\.test:5000/);
    assert.match(err.message, /GET \/api\/2\.0\/mlflow\/runs\/get/);
    assert.match(err.message, /Missing value for 'run_id'/);
    return true;
  });
});

Deno.test("client: a missing experiment or model is undefined, not an error", async () => {
  const { fetch } = fakeFetch(() =>
    json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "nope" }, 404)
  );
  const client = new MlflowClient({ trackingUri: "http://h", fetch });
  assert.equal(await client.getExperimentByName("x"), undefined);
  assert.equal(await client.getRegisteredModel("m"), undefined);
});

Deno.test("client: bearer and basic auth headers; secrets never appear in errors", async () => {
  const { fetch, seen } = fakeFetch(() => new Response("<h1>Unauthorized</h1>", { status: 401 }));
  const bearer = new MlflowClient({
    trackingUri: "http://h",
    auth: { kind: "bearer", token: "t0ken-s3cret" },
    fetch,
  });
  await assert.rejects(bearer.getRun("r"), (err: Error) => {
    assert.doesNotMatch(err.message + ((err as ServiceError).hint ?? ""), /t0ken-s3cret/);
    assert.match((err as ServiceError).hint ?? "", /MLFLOW_TRACKING_TOKEN/);
    assert.match(err.message, /HTTP 401 HTTP_401: Unauthorized/);
    return true;
  });
  assert.equal(seen[0].headers.get("authorization"), "Bearer t0ken-s3cret");
  const basic = new MlflowClient({
    trackingUri: "http://h",
    auth: { kind: "basic", username: "ann", password: "pässword" },
    fetch,
  });
  await assert.rejects(basic.getRun("r"), (err: Error) => !/pässword/.test(err.message));
  const header = seen[1].headers.get("authorization")!;
  assert.match(header, /^Basic /);
  const decoded = new TextDecoder().decode(
    Uint8Array.from(atob(header.slice(6)), (c) => c.charCodeAt(0)),
  );
  assert.equal(decoded, "ann:pässword");
});

Deno.test("client: busy answers are retried, then surfaced", async () => {
  let calls = 0;
  const { fetch } = fakeFetch(() => {
    calls++;
    return calls < 3 ? new Response("busy", { status: 503 }) : json({ run: { info: {} } });
  });
  const client = new MlflowClient({ trackingUri: "http://h", fetch, retries: 2, retryBaseMs: 1 });
  await client.getRun("r");
  assert.equal(calls, 3);
  calls = -10;
  await assert.rejects(client.getRun("r"), (err: MlflowApiError) => err.status === 503);
});

Deno.test("client: a non-JSON success answer is a ServiceError", async () => {
  const { fetch } = fakeFetch(() => new Response("<html>not mlflow</html>"));
  const client = new MlflowClient({ trackingUri: "http://h", fetch });
  await assert.rejects(client.getRun("r"), /not JSON/);
});

Deno.test("client: logBatch splits params, tags and metrics within MLflow's limits", async () => {
  const { fetch, seen } = fakeFetch(() => json({}));
  const client = new MlflowClient({ trackingUri: "http://h", fetch });
  const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
  const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: 1 }));
  await client.logBatch("r", { params, metrics, tags: [{ key: "t", value: "v" }] });
  const bodies = seen.map((s) => JSON.parse(s.body));
  assert.deepEqual(
    bodies.map((b) => [b.params?.length, b.tags?.length, b.metrics?.length]),
    [
      [100, undefined, undefined],
      [100, undefined, undefined],
      [50, undefined, undefined],
      [
        undefined,
        1,
        undefined,
      ],
      [undefined, undefined, 1000],
      [undefined, undefined, 1],
    ],
  );
  assert.ok(bodies.every((b) => b.run_id === "r"));
  assert.ok(seen.every((s) => s.url.pathname === "/api/2.0/mlflow/runs/log-batch"));
  assert.equal(BATCH_LIMITS.params, 100);
});

Deno.test("client: a closed port is a ServiceError naming the server and endpoint", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
  await assert.rejects(client.ensureExperiment("x"), (err: unknown) => {
    assert.ok(err instanceof ServiceError);
    assert.equal(err.exitCode, 7);
    assert.match(
      err.message,
      new RegExp(`MLflow at http://127\\.0\\.0\\.1:${port} is unreachable`),
    );
    assert.match(err.message, /experiments\/get-by-name/);
    assert.match(err.hint ?? "", /MLFLOW_TRACKING_URI/);
    return true;
  });
});

Deno.test("client: a server that never answers times out with a ServiceError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const client = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, timeoutMs: 300 });
    await assert.rejects(client.createRun({ experimentId: "1" }), (err: unknown) => {
      assert.ok(err instanceof ServiceError);
      assert.match(err.message, /did not answer POST \/api\/2\.0\/mlflow\/runs\/create in 300 ms/);
      return true;
    });
  } finally {
    listener.close();
    for (const c of held) c.close();
    await accepting.catch(() => {});
  }
});

Deno.test("artifactEndpoint: the proxy path of a run's artifact URI, segments encoded", () => {
  const uri = "mlflow-artifacts:/7/0abc/artifacts";
  assert.equal(
    artifactEndpoint(uri, "artifacts/model/card.json", "http://h"),
    "mlflow-artifacts/artifacts/7/0abc/artifacts/artifacts/model/card.json",
  );
  assert.equal(
    artifactEndpoint("mlflow-artifacts://host:5000/7/0abc/artifacts", "a b/#c", "http://h"),
    "mlflow-artifacts/artifacts/7/0abc/artifacts/a%20b/%23c",
  );
  assert.throws(() => artifactEndpoint("s3://bucket/7/0abc/artifacts", "x", "http://h"), /proxy/);
  assert.throws(() => artifactEndpoint(uri, "../x", "http://h"), RangeError);
});

const env = servicesFromEnv();
const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

Deno.test({
  name: `client: experiment, run, batch, artifact roundtrip on the real server ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri!, timeoutMs: 10_000 });
    const name = `client-test-${crypto.randomUUID().slice(0, 8)}`;
    const exp = await client.ensureExperiment(name);
    assert.equal((await client.ensureExperiment(name)).experiment_id, exp.experiment_id);
    const run = await client.createRun({ experimentId: exp.experiment_id, runName: "rt" });
    await client.logBatch(run.run_id, {
      params: [{ key: "lr", value: "0.01" }],
      metrics: [1, 2, 3].map((step) => ({ key: "loss", value: 1 / step, timestamp: 1, step })),
      tags: [{ key: "k", value: "v" }],
    });
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await client.uploadArtifact(run.artifact_uri, "dir/a b.bin", bytes);
    assert.deepEqual(await client.downloadArtifact(run.artifact_uri, "dir/a b.bin"), bytes);
    assert.deepEqual(await client.listArtifacts(run.run_id, "dir"), [
      { path: "dir/a b.bin", is_dir: false, file_size: 4 },
    ]);
    await client.updateRun(run.run_id, { status: "FINISHED" });
    const got = await client.getRun(run.run_id);
    assert.equal(got.info.status, "FINISHED");
    assert.deepEqual(got.data.params, [{ key: "lr", value: "0.01" }]);
    const history = await client.getMetricHistory(run.run_id, "loss");
    assert.deepEqual(history.map((m) => m.step), [1, 2, 3]);
    await assert.rejects(
      client.getRun("0".repeat(32)),
      (err: MlflowApiError) => err.errorCode === "RESOURCE_DOES_NOT_EXIST",
    );
  },
});
