import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { memoryLogger } from "../log.ts";
import { fakeModel, testPreprocess, VALID_RECORD } from "./_testing.ts";
import { createApp } from "./app.ts";
import { DEFAULT_LIMITS, type Limits } from "./body.ts";
import { createMetrics } from "./metrics.ts";
import { ModelHolder } from "./model_holder.ts";

const pre = await testPreprocess();
const KEY = "k3y-0123456789abcdef";

function setup(options: { apiKey?: string; limits?: Partial<Limits>; empty?: boolean } = {}) {
  const models = new ModelHolder();
  if (!options.empty) models.swap(fakeModel("v1", pre), { source: "mem" });
  const log = memoryLogger();
  const metrics = createMetrics();
  let draining = false;
  const app = createApp({
    models,
    apiKey: options.apiKey,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    log,
    metrics,
    draining: () => draining,
  });
  return { app, models, log, metrics, drain: () => (draining = true) };
}

function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

async function expectError(res: Response, status: number, code: string, field?: string) {
  strictEqual(res.status, status, `${res.status} ${await res.clone().text()}`);
  ok(res.headers.get("content-type")?.startsWith("application/json"));
  const body = await res.json();
  strictEqual(body.error.code, code);
  strictEqual(typeof body.error.message, "string");
  if (field !== undefined) strictEqual(body.error.field, field);
  return body.error as { code: string; message: string; field?: string };
}

Deno.test("POST /v1/predict: one record → probability, label, model version, id echoed", async () => {
  const { app, metrics } = setup();
  const res = await app.request("/v1/predict", postJson(VALID_RECORD));
  strictEqual(res.status, 200);
  const body = await res.json();
  const want = fakeModel("v1", pre).scoreRecord({ ...VALID_RECORD });
  deepStrictEqual(body, { model_version: "v1", ...want, id: 7 });
  strictEqual(metrics.snapshot().predictions[want.label], 1);
});

Deno.test("POST /v1/predict: a batch (array) → predictions in order; text values accepted", async () => {
  const { app } = setup();
  const second = { bytes: null, proto: "udp", svc: "dns", tri: "0", flag: "false" };
  const res = await app.request("/v1/predict", postJson([VALID_RECORD, second]));
  strictEqual(res.status, 200);
  const body = await res.json();
  strictEqual(body.model_version, "v1");
  strictEqual(body.predictions.length, 2);
  strictEqual(body.predictions[0].id, 7);
  strictEqual("id" in body.predictions[1], false);
  for (const p of body.predictions) {
    ok(p.probability >= 0 && p.probability <= 1 && p.label in [0, 1]);
  }
});

Deno.test("POST /v1/predict: 422 names the field (unknown, missing, wrong type, out of domain)", async () => {
  const { app, metrics } = setup();
  const cases: [Record<string, unknown>, string, string][] = [
    [{ ...VALID_RECORD, bogus: 1 }, "UNKNOWN_FIELD", "bogus"],
    [{ ...VALID_RECORD, tri: undefined }, "MISSING_FIELD", "tri"],
    [{ ...VALID_RECORD, svc: null }, "MISSING_FIELD", "svc"],
    [{ ...VALID_RECORD, tri: "x" }, "INVALID_VALUE", "tri"],
    [{ ...VALID_RECORD, tri: 5 }, "INVALID_VALUE", "tri"],
    [{ ...VALID_RECORD, bytes: -3 }, "INVALID_VALUE", "bytes"],
    [{ ...VALID_RECORD, proto: "sctp" }, "INVALID_VALUE", "proto"],
    [{ ...VALID_RECORD, flag: { nested: true } }, "INVALID_VALUE", "flag"],
  ];
  for (const [record, code, field] of cases) {
    const err = await expectError(
      await app.request("/v1/predict", postJson(record)),
      422,
      code,
      field,
    );
    ok(err.message.includes(field), err.message);
  }
  strictEqual(metrics.snapshot().rejects.get("INVALID_VALUE"), 5);
});

Deno.test("POST /v1/predict: a bad record in a batch answers 422 naming its index; nothing is scored", async () => {
  const { app, metrics } = setup();
  const res = await app.request(
    "/v1/predict",
    postJson([VALID_RECORD, VALID_RECORD, { ...VALID_RECORD, tri: 9 }, { nope: 1 }]),
  );
  const err = await expectError(res, 422, "INVALID_VALUE", "[2].tri");
  ok(/^record 2: .*\(and 1 more invalid records\)$/.test(err.message), err.message);
  deepStrictEqual(metrics.snapshot().predictions, [0, 0]);
});

Deno.test("POST /v1/predict: 400 malformed JSON and wrong shapes", async () => {
  const { app } = setup();
  await expectError(await app.request("/v1/predict", postJson('{"tri": ')), 400, "MALFORMED_JSON");
  await expectError(await app.request("/v1/predict", postJson("")), 400, "MALFORMED_JSON");
  await expectError(await app.request("/v1/predict", postJson("42")), 400, "INVALID_BODY");
  await expectError(await app.request("/v1/predict", postJson([])), 400, "INVALID_BODY");
  await expectError(await app.request("/v1/predict", postJson([1])), 400, "INVALID_BODY", "[0]");
});

Deno.test("POST /v1/predict: 415 for a wrong or missing Content-Type", async () => {
  const { app } = setup();
  const text = { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" };
  await expectError(await app.request("/v1/predict", text), 415, "UNSUPPORTED_MEDIA_TYPE");
  const none = { method: "POST", body: new Uint8Array([123, 125]) };
  await expectError(await app.request("/v1/predict", none), 415, "UNSUPPORTED_MEDIA_TYPE");
  const csv = postJson("{}", { "content-type": "text/csv" });
  await expectError(await app.request("/v1/predict", csv), 415, "UNSUPPORTED_MEDIA_TYPE");
});

Deno.test("POST /v1/predict: 413 for a body over the limit and for too many records", async () => {
  const { app } = setup({ limits: { maxBodyBytes: 200, maxBatchRecords: 2 } });
  const big = postJson({ ...VALID_RECORD, svc: "x".repeat(300) });
  await expectError(await app.request("/v1/predict", big), 413, "BODY_TOO_LARGE");
  const many = postJson([{}, {}, {}]);
  await expectError(await app.request("/v1/predict", many), 413, "TOO_MANY_RECORDS");
});

Deno.test("API key: predict routes need it (Bearer or X-API-Key); other routes do not", async () => {
  const { app, log } = setup({ apiKey: KEY });
  const none = await app.request("/v1/predict", postJson(VALID_RECORD));
  await expectError(none, 401, "UNAUTHORIZED");
  strictEqual(none.headers.get("www-authenticate"), 'Bearer realm="threatline"');
  const wrong = postJson(VALID_RECORD, { authorization: "Bearer nope" });
  await expectError(await app.request("/v1/predict", wrong), 401, "UNAUTHORIZED");
  const csvNoKey = { method: "POST", headers: { "content-type": "text/csv" }, body: "a\n1\n" };
  await expectError(await app.request("/v1/predict/csv", csvNoKey), 401, "UNAUTHORIZED");
  const bearer = postJson(VALID_RECORD, { authorization: `Bearer ${KEY}` });
  strictEqual((await app.request("/v1/predict", bearer)).status, 200);
  const header = postJson(VALID_RECORD, { "x-api-key": KEY });
  strictEqual((await app.request("/v1/predict", header)).status, 200);
  for (const path of ["/health", "/ready", "/v1/model", "/metrics", "/openapi.json"]) {
    strictEqual((await app.request(path)).status, 200, path);
  }
  ok(!JSON.stringify(log.records).includes(KEY), "the key is never logged");
});

Deno.test("404 unknown route, 405 known route with another method (Allow header)", async () => {
  const { app, metrics } = setup();
  await expectError(await app.request("/v2/predict"), 404, "NOT_FOUND");
  const res = await app.request("/v1/predict");
  await expectError(res, 405, "METHOD_NOT_ALLOWED");
  strictEqual(res.headers.get("allow"), "POST");
  await expectError(await app.request("/health", { method: "DELETE" }), 405, "METHOD_NOT_ALLOWED");
  const routes = [...metrics.snapshot().requests.keys()].map((k) => k.split("\u0000")[0]);
  ok(routes.includes("other") && !routes.includes("/v2/predict"), "raw paths never become labels");
});

Deno.test("POST /v1/predict/csv: CSV in, CSV out (id echoed), raw or multipart", async () => {
  const { app, metrics } = setup();
  const csv = "id,bytes,proto,svc,tri,flag\n7,12.5,tcp,http,1,true\n8,,udp,dns,0,0\n";
  const res = await app.request("/v1/predict/csv", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("x-model-version"), "v1");
  ok(res.headers.get("content-type")?.startsWith("text/csv"));
  const lines = (await res.text()).trimEnd().split("\n");
  strictEqual(lines[0], "row,id,probability,label");
  const p = fakeModel("v1", pre).scoreRecord({ ...VALID_RECORD });
  strictEqual(lines[1], `1,7,${p.probability},${p.label}`);
  ok(lines[2].startsWith("2,8,"));
  const [n0, n1] = metrics.snapshot().predictions;
  strictEqual(n0 + n1, 2);
  const form = new FormData();
  form.append("file", new File(["bytes,proto,svc,tri,flag\n1,tcp,http,1,true\n"], "x.csv"));
  const multi = await app.request("/v1/predict/csv", { method: "POST", body: form });
  strictEqual(multi.status, 200);
  strictEqual((await multi.text()).split("\n")[0], "row,probability,label");
});

Deno.test("POST /v1/predict/csv: 422 naming the line and column, 400 malformed, 415, 413", async () => {
  const { app } = setup({ limits: { maxCsvBytes: 100 } });
  const send = (body: string, type = "text/csv") =>
    app.request("/v1/predict/csv", { method: "POST", headers: { "content-type": type }, body });
  const bad = await expectError(
    await send("bytes,proto,svc,tri,flag\n1,tcp,http,1,true\n1,tcp,http,7,true\n"),
    422,
    "INVALID_VALUE",
    "tri",
  );
  ok(bad.message.startsWith("line 3: "), bad.message);
  await expectError(await send("bytes,zzz\n1,2\n"), 422, "UNKNOWN_FIELD", "zzz");
  await expectError(
    await send("bytes,proto,svc,flag\n1,tcp,http,true\n"),
    422,
    "MISSING_FIELD",
    "tri",
  );
  await expectError(
    await send("bytes,proto,svc,tri,flag\n1,tcp,,1,true\n"),
    422,
    "MISSING_FIELD",
    "svc",
  );
  await expectError(await send("a,b\n1\n"), 400, "MALFORMED_CSV");
  await expectError(await send("{}", "application/json"), 415, "UNSUPPORTED_MEDIA_TYPE");
  await expectError(await send("x".repeat(101)), 413, "BODY_TOO_LARGE");
});

Deno.test("GET /v1/model: version, threshold, metrics, schema, source", async () => {
  const { app } = setup();
  const body = await (await app.request("/v1/model")).json();
  strictEqual(body.version, "v1");
  strictEqual(body.threshold, 0.5);
  deepStrictEqual(body.metrics, { roc_auc: 0.99 });
  strictEqual(body.source, "mem");
  deepStrictEqual(body.input_columns, ["id", "bytes", "proto", "svc", "tri", "flag"]);
  strictEqual(body.schema.columns.length, 7);
  strictEqual(body.schema.target.column, "label");
});

Deno.test("/health, /ready (503 without a model and while draining), /metrics, /openapi.json", async () => {
  const empty = setup({ empty: true });
  strictEqual((await empty.app.request("/health")).status, 200);
  await expectError(await empty.app.request("/ready"), 503, "NOT_READY");
  await expectError(
    await empty.app.request("/v1/predict", postJson(VALID_RECORD)),
    503,
    "NOT_READY",
  );
  await expectError(await empty.app.request("/v1/model"), 503, "NOT_READY");
  const { app, drain } = setup();
  deepStrictEqual(await (await app.request("/ready")).json(), {
    status: "ready",
    model_version: "v1",
  });
  drain();
  await expectError(await app.request("/ready"), 503, "SHUTTING_DOWN");
  const metrics = await app.request("/metrics");
  ok(metrics.headers.get("content-type")?.startsWith("text/plain; version=0.0.4"));
  const text = await metrics.text();
  ok(text.includes("threatline_model_swaps_total 0\n"));
  ok(text.includes('threatline_http_requests_total{route="/ready",method="GET",status="200"} 1'));
  ok(text.includes('threatline_rejects_total{code="SHUTTING_DOWN"} 1'));
  ok(text.includes('threatline_model_info{version="v1"} 1'));
  const doc = await (await app.request("/openapi.json")).json();
  strictEqual(doc.openapi, "3.1.0");
  ok(doc.components.schemas.Record.properties.proto.enum.includes("tcp"));
});

Deno.test("an unexpected error is a 500 INTERNAL without details, logged", async () => {
  const models = new ModelHolder();
  const broken = fakeModel("v1", pre);
  broken.scoreRecord = () => {
    throw new Error("kaboom at /secret/path");
  };
  models.swap(broken, { source: "mem" });
  const log = memoryLogger();
  const app = createApp({ models, limits: DEFAULT_LIMITS, log, metrics: createMetrics() });
  const err = await expectError(
    await app.request("/v1/predict", postJson(VALID_RECORD)),
    500,
    "INTERNAL",
  );
  strictEqual(err.message, "internal error");
  ok(log.records.some((r) => r.level === "error" && r.fields.error === "kaboom at /secret/path"));
});
