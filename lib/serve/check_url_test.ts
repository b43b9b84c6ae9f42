import { deepStrictEqual, ok } from "node:assert/strict";
import { apiEntry, LocalHistory, recordScored } from "../history/mod.ts";
import type { ScoredEvent } from "../history/record.ts";
import { nullLogger } from "../log.ts";
import { writeTestUrlModel } from "../url/_testing.ts";
import { loadUrlChecker } from "../url/url_checker.ts";
import { createApp } from "./app.ts";
import { DEFAULT_LIMITS } from "./body.ts";
import { createMetrics } from "./metrics.ts";
import { ModelHolder } from "./model_holder.ts";
import { fakeModel, testPreprocess } from "./_testing.ts";

const dir = await Deno.makeTempDir();
await writeTestUrlModel(dir);
const checker = await loadUrlChecker(dir, { use: "single" });
const limits = { ...DEFAULT_LIMITS, maxBatchRecords: 3 };
const app = createApp({
  models: new ModelHolder({ log: nullLogger }),
  limits,
  log: nullLogger,
  metrics: createMetrics(),
  urlModel: () => ({ checker, source: dir }),
});

const post = (body: unknown, type = "application/json") =>
  app.request("/v1/check-url", {
    method: "POST",
    headers: { "Content-Type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

Deno.test("POST /v1/check-url: one URL and a batch, in the shared contract's shape", async () => {
  const one = await post({ url: "http://10.2.3.4/paypal/login.php" });
  deepStrictEqual(one.status, 200);
  const body = await one.json();
  deepStrictEqual(body.model, { name: "threatline-url", version: checker.version });
  deepStrictEqual(body.threshold, checker.threshold);
  deepStrictEqual(body.results[0].label, "phishing");
  ok(
    body.results[0].reasons.every((r: { feature: string; text: string; contribution: number }) =>
      typeof r.feature === "string" && typeof r.text === "string" && r.contribution > 0
    ),
  );
  const batch = await (await post({ urls: ["https://www.a.org/about", "data:x", 5] })).json();
  deepStrictEqual(
    batch.results.map((r: { label?: string; error?: { code: string } }) =>
      r.label ?? r.error!.code
    ),
    [
      "legitimate",
      "unsupported_scheme",
      "not_a_string",
    ],
  );
});

Deno.test("POST /v1/check-url: bad input answers 4xx with a clear error", async () => {
  const single = await post({ url: "http://a.com/%zz" });
  deepStrictEqual(single.status, 422);
  deepStrictEqual((await single.json()).error.code, "INVALID_URL");
  deepStrictEqual((await post({ url: 3 })).status, 400);
  deepStrictEqual((await post({ urls: [] })).status, 400);
  deepStrictEqual((await post({ link: "x" })).status, 400);
  deepStrictEqual((await post("{not json")).status, 400);
  deepStrictEqual((await post({ urls: ["a", "b", "c", "d"] })).status, 413);
  deepStrictEqual((await post({ url: "http://a.com/" }, "text/plain")).status, 415);
  deepStrictEqual((await app.request("/v1/check-url")).status, 405);
});

Deno.test("POST /v1/check-url without a URL model is 503", async () => {
  const bare = createApp({
    models: new ModelHolder({ log: nullLogger }),
    limits,
    log: nullLogger,
    metrics: createMetrics(),
  });
  const res = await bare.request("/v1/check-url", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: '{"url":"http://a.com/"}',
  });
  deepStrictEqual(res.status, 503);
  await res.body?.cancel();
});

Deno.test("POST /v1/check-url over a real socket", async () => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/v1/check-url`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url: "https://www.site3.com/about/team" }),
    });
    deepStrictEqual(res.status, 200);
    deepStrictEqual((await res.json()).results[0].label, "legitimate");
  } finally {
    await server.shutdown();
  }
});

Deno.test("/openapi.json documents POST /v1/check-url and its answer", async () => {
  const models = new ModelHolder({ log: nullLogger });
  models.swap(fakeModel("v1", await testPreprocess()), { source: "mem" });
  const withModel = createApp({
    models,
    limits,
    log: nullLogger,
    metrics: createMetrics(),
    urlModel: () => ({ checker, source: dir }),
  });
  const doc = await (await withModel.request("/openapi.json")).json();
  const post = doc.paths["/v1/check-url"].post;
  deepStrictEqual(Object.keys(post.responses).sort(), ["200", "400", "413", "415", "422", "503"]);
  deepStrictEqual(
    post.requestBody.content["application/json"].schema.oneOf[1].properties.urls.maxItems,
    3,
  );
  ok(doc.components.schemas.UrlCheck.properties.results);
  ok(doc.components.schemas.Error.properties.error.properties.code.enum.includes("INVALID_URL"));
  await models.close();
});

Deno.test("POST /v1/check-url appends a prediction-history entry per answered request", async () => {
  const hdir = await Deno.makeTempDir();
  const history = new LocalHistory(`${hdir}/predictions.jsonl`);
  const pending: Promise<void>[] = [];
  const events: ScoredEvent[] = [];
  const recording = createApp({
    models: new ModelHolder({ log: nullLogger }),
    limits,
    log: nullLogger,
    metrics: createMetrics(),
    urlModel: () => ({ checker, source: dir }),
    onScored: (e) => {
      events.push(e);
      pending.push(recordScored(history, apiEntry(e), nullLogger));
    },
  });
  const send = (body: unknown) =>
    recording.request("/v1/check-url", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  try {
    deepStrictEqual((await send({ url: "http://10.2.3.4/paypal/login.php" })).status, 200);
    deepStrictEqual(
      (await send({
        urls: ["https://www.a.org/about", "data:x", "http://10.9.8.7/paypal/login.php"],
      }))
        .status,
      200,
    );
    const refused = await send({ url: "javascript:alert(1)" });
    deepStrictEqual(refused.status, 422);
    await refused.body?.cancel();
    await Promise.all(pending);
    deepStrictEqual(events.length, 2, "a refused single URL is not a scored request");
    const { entries, total } = await history.list({ limit: 10 });
    deepStrictEqual(total, 2);
    const mine = entries.map((e) => ({
      source: e.source,
      input: e.input,
      model: e.model,
      modelVersion: e.modelVersion,
      rows: e.rows,
      rejects: e.rejects,
      labels: e.labels,
    })).sort((a, b) => a.rows - b.rows);
    deepStrictEqual(mine, [
      {
        source: "serve",
        input: "POST /v1/check-url",
        model: "threatline-url",
        modelVersion: checker.version,
        rows: 1,
        rejects: 0,
        labels: { phishing: 1, legitimate: 0 },
      },
      {
        source: "serve",
        input: "POST /v1/check-url",
        model: "threatline-url",
        modelVersion: checker.version,
        rows: 2,
        rejects: 1,
        labels: { phishing: 1, legitimate: 1 },
      },
    ]);
  } finally {
    await Deno.remove(hdir, { recursive: true });
  }
});
