import assert from "node:assert/strict";
import { join } from "node:path";
import { runHistoryPath } from "../runner/run/run_history.ts";
import { PAGES } from "./layout.ts";
import { testDashboard } from "./_testing.ts";

const KEY = "dashboard-test-key-0123456789";

Deno.test("dashboard: every page and JSON route answers; GET changes nothing; assets from npm", async () => {
  const d = await testDashboard();
  try {
    for (const path of ["/", ...Object.keys(PAGES)]) {
      const res = await d.app.request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      assert.match(await res.text(), /<h1>/);
    }
    for (
      const path of [
        "/api/pipeline",
        "/api/runs",
        "/api/model",
        "/api/data",
        "/api/history",
        "/api/train",
        "/api/openapi.json",
      ]
    ) {
      const res = await d.app.request(path);
      assert.equal(res.status, 200, path);
      await res.json();
    }
    const pipeline = await (await d.app.request("/api/pipeline")).json();
    assert.deepEqual(pipeline.stages.map((s: { name: string }) => s.name), ["validate", "summary"]);
    assert.equal(pipeline.stages[0].state, "stale");
    assert.equal((await d.app.request("/api/train")).status, 200);
    assert.equal(d.trainer.state.running, false, "GET /api/train starts nothing");
    const uplot = await d.app.request("/assets/vendor/uplot.js");
    assert.equal(uplot.status, 200);
    assert.match(await uplot.text(), /uPlot/);
    // /v1 is serve's app
    const model = await (await d.app.request("/v1/model")).json();
    assert.equal(model.version, d.scorer.version);
    // the API and the form append to the prediction history
    const [header, first] = d.testCsv.split("\n").map((l) => l.split(","));
    const record = Object.fromEntries(
      d.scorer.preprocess.schema.features.map((f) => [f, Number(first[header.indexOf(f)])]),
    );
    const scored = await d.app.request("/v1/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([record, record]),
    });
    assert.equal(scored.status, 200);
    const form = await d.app.request("/api/score/record", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ record }),
    });
    const explained = await form.json();
    assert.equal(explained.effects.length, 8);
    await d.settle();
    const { entries } = await (await d.app.request("/api/history")).json();
    // the serve hook appends without waiting: the two may land in either order
    const got = entries.map((e: { source: string; rows: number }) => `${e.source}:${e.rows}`);
    assert.deepEqual(got.sort(), ["dashboard:1", "serve:2"]);
  } finally {
    await d.close();
  }
});

Deno.test("dashboard: cross-origin POST is refused; the key guards upload, train and clear", async () => {
  const d = await testDashboard({ apiKey: KEY });
  try {
    const cross = await d.app.request("/api/history/clear", {
      method: "POST",
      headers: { origin: "http://evil.example", "x-api-key": KEY },
    });
    assert.equal(cross.status, 403);
    for (
      const path of [
        "/api/history/clear",
        "/api/train",
        "/api/train/cancel",
        "/api/score/upload",
        "/api/score/record",
        "/v1/predict",
      ]
    ) {
      const res = await d.app.request(path, { method: "POST", body: "{}" });
      assert.equal(res.status, 401, path);
    }
    const ok = await d.app.request("http://localhost/api/history/clear", {
      method: "POST",
      headers: { origin: "http://localhost", "x-api-key": KEY },
    });
    assert.equal(ok.status, 200);
    const get = await d.app.request("/api/history/clear");
    assert.equal(get.status, 404);
  } finally {
    await d.close();
  }
});

Deno.test("dashboard: runs page sorts and paginates 10,000 runs on the server; diff uses diffValues", async () => {
  const d = await testDashboard();
  try {
    const path = runHistoryPath(join(d.root, ".cache"));
    const lines = [];
    for (let i = 0; i < 10_000; i++) {
      const t = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      lines.push(JSON.stringify({
        id: `b${i}`,
        kind: "repro",
        started: t,
        ended: t,
        seconds: i % 97,
        outcome: "ok",
        args: [],
        changedParams: {},
        metrics: { "m.json": { auc: i / 10_000 } },
        models: {},
        stages: [],
      }));
    }
    await Deno.writeTextFile(path, lines.join("\n") + "\n", { append: true });
    const page = await (await d.app.request("/api/runs?offset=25&limit=25&sort=seconds&order=desc"))
      .json();
    assert.equal(page.total, 10_002);
    assert.equal(page.runs.length, 25);
    assert.ok(page.runs.every((r: { seconds: number }) => r.seconds === 96));
    const byMetric = await (await d.app.request("/api/runs?limit=1&sort=metric:m.json:auc")).json();
    assert.equal(byMetric.runs[0].id, "b9999");
    const trend = await (await d.app.request("/api/runs/trend?metric=m.json:auc")).json();
    assert.equal(trend.points.length, 2000);
    const diff = await (await d.app.request("/api/runs/diff?a=r1&b=r2")).json();
    assert.deepEqual(diff.params, [
      { file: "params.yaml", key: "train.epochs", new: 80 },
    ]);
    assert.equal(diff.metrics.find((r: { key: string }) => r.key === "roc_auc").change, 0.03);
    assert.equal((await d.app.request("/api/runs?sort=nope")).status, 400);
    assert.equal((await d.app.request("/api/runs/diff?a=r1&b=zz")).status, 404);
  } finally {
    await d.close();
  }
});

Deno.test("dashboard: server-rendered strings are escaped", async () => {
  const d = await testDashboard();
  try {
    const spec = await Deno.readTextFile(join(d.root, "pipeline.yaml"));
    await Deno.writeTextFile(
      join(d.root, "pipeline.yaml"),
      spec.replace("bytes of the report", `'"><img src=x onerror=alert(1)><script>x</script>'`),
    );
    const html = await (await d.app.request("/pipeline")).text();
    assert.ok(!html.includes("<img src=x"), "no raw tag");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;"));
  } finally {
    await d.close();
  }
});

Deno.test("dashboard: one run at a time (409 names the lock holder), cancel ends it as interrupted", async () => {
  const d = await testDashboard();
  try {
    const post = (path: string, body = "{}") =>
      d.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    assert.equal((await post("/api/train", '{"force": true}')).status, 202);
    // wait until repro holds the workspace lock, then a second start is refused with its holder
    const events: string[] = [];
    const off = d.trainer.subscribe((e) => events.push(e.type === "stage" ? e.state : e.type));
    while (!(await d.trainer.lockHolder()) && d.trainer.state.running) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const second = await post("/api/train");
    assert.equal(second.status, 409);
    const body = await second.json();
    assert.equal(body.error.code, "CONFLICT");
    assert.match(body.holder.command, /^repro/);
    assert.equal((await (await post("/api/train/cancel")).json()).cancelled, true);
    await d.trainer.finished;
    off();
    assert.equal(d.trainer.state.outcome, "interrupted");
    assert.equal(events.at(-1), "end");
    assert.equal((await (await post("/api/train/cancel")).json()).cancelled, false);
    const bad = await post("/api/train", JSON.stringify({ overrides: "train.nope=1" }));
    assert.equal(bad.status, 400);
  } finally {
    await d.close();
  }
});

Deno.test("dashboard: JSON Lines upload scores rows like the form and reports bad lines as rejects", async () => {
  const d = await testDashboard();
  try {
    const [header, first] = d.testCsv.split("\n").map((l) => l.split(","));
    const record = Object.fromEntries(
      d.scorer.preprocess.schema.features.map((f) => [f, Number(first[header.indexOf(f)])]),
    );
    const text = [
      JSON.stringify(record),
      "not json",
      JSON.stringify({ ...record, sfh: 7 }),
      "",
      JSON.stringify(record),
    ].join("\n");
    const res = await d.app.request("/api/score/upload?name=b.jsonl", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: text,
    });
    assert.equal(res.status, 200);
    const out = await res.json();
    assert.deepEqual(out.rows.map((r: { line: number }) => r.line), [1, 5]);
    assert.deepEqual(out.rejects.map((r: { line: number }) => r.line), [2, 3]);
    assert.equal(out.rejects[1].field, "sfh");
    const expected = d.scorer.scoreRecord(record).probability;
    assert.equal(out.rows[0].probability, expected);
    assert.match(out.csv, /^line,probability,label\n1,/);
    assert.equal(out.drift.tested, true);
    assert.equal(out.drift.columns.length, d.scorer.preprocess.encoders.length);
    const empty = await d.app.request("/api/score/upload", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "",
    });
    assert.equal(empty.status, 400);
  } finally {
    await d.close();
  }
});

Deno.test("dashboard: the Model page switches to the URL model (card and url_evaluate outs)", async () => {
  const d = await testDashboard();
  try {
    const page = await (await d.app.request("/model?model=url")).text();
    assert.match(page, /<a href="\/model\?model=url" aria-current="page">URL model/);
    assert.match(page, /Predicted phishing/);
    const url = await (await d.app.request("/api/model?model=url")).json();
    assert.equal(url.model, "url");
    assert.deepEqual(url.labels, { positive: "phishing", negative: "legitimate" });
    assert.equal(url.card.version, d.urlModel.checker.version);
    assert.equal(url.card.threshold, d.urlModel.checker.threshold);
    assert.deepEqual(url.card.input_columns, ["url"]);
    assert.equal(url.evaluate.counts.totalPositives + url.evaluate.counts.totalNegatives, 80);
    assert.ok(url.evaluate.roc.points.length > 1);
    const flow = await (await d.app.request("/api/model")).json();
    assert.equal(flow.model, "flow");
    assert.equal(flow.card.version, d.scorer.version);
    const bad = await d.app.request("/api/model?model=nope");
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error.message, /unknown model 'nope'/);
    const pipeline = await (await d.app.request("/api/pipeline")).json();
    assert.deepEqual(pipeline.models.map((m: { path: string }) => m.path), [
      "artifacts/model",
      "artifacts/url/model",
    ]);
    assert.match(await (await d.app.request("/pipeline")).text(), /href="\/model\?model=url"/);
  } finally {
    await d.close();
  }
});
