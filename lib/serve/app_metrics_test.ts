/**
 * Regression (issue 11): `/metrics` counted 404 and 405 answers as status
 * 200, because the not-found handler's error reached the metrics middleware
 * before the error handler had set the response.
 */
import { strictEqual } from "node:assert/strict";
import { memoryLogger } from "../log.ts";
import { fakeModel, testPreprocess } from "./_testing.ts";
import { createApp } from "./app.ts";
import { DEFAULT_LIMITS } from "./body.ts";
import { createMetrics } from "./metrics.ts";
import { ModelHolder } from "./model_holder.ts";

Deno.test("/metrics counts 404 and 405 answers with their real status", async () => {
  const models = new ModelHolder();
  models.swap(fakeModel("v1", await testPreprocess()), { source: "mem" });
  const metrics = createMetrics();
  const app = createApp({
    models,
    limits: DEFAULT_LIMITS,
    log: memoryLogger(),
    metrics,
    draining: () => false,
  });
  strictEqual((await app.request("/nope")).status, 404);
  strictEqual((await app.request("/nope", { method: "POST" })).status, 404);
  strictEqual((await app.request("/v1/predict")).status, 405);
  strictEqual((await app.request("/health")).status, 200);
  const requests = metrics.snapshot().requests;
  strictEqual(requests.get("other\u0000GET\u0000404"), 1);
  strictEqual(requests.get("other\u0000POST\u0000404"), 1);
  strictEqual(requests.get("/v1/predict\u0000GET\u0000405"), 1);
  strictEqual(requests.get("other\u0000GET\u0000200"), undefined);
  strictEqual(requests.get("/v1/predict\u0000GET\u0000200"), undefined);
  strictEqual(requests.get("/health\u0000GET\u0000200"), 1);
  const text = await (await app.request("/metrics")).text();
  const line = text.split("\n").find((l) => l.includes('status="405"'));
  strictEqual(line !== undefined, true, "a 405 series in the exposition");
});
