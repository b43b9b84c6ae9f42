import { ok, strictEqual } from "node:assert/strict";
import { createMetrics, LATENCY_BUCKETS, renderMetrics } from "./metrics.ts";

Deno.test("metrics: counts by route/method/status, predictions, rejects, in flight", () => {
  const m = createMetrics();
  m.request("/v1/predict", "POST", 200, 0.0004);
  m.request("/v1/predict", "POST", 200, 0.003);
  m.request("/v1/predict", "POST", 422, 0.02);
  m.predictions(1);
  m.predictions(0, 3);
  m.reject("UNKNOWN_FIELD");
  m.inFlight(1);
  m.swapped();
  const text = renderMetrics(m.snapshot(), { version: "abc" });
  const has = (line: string) => ok(text.includes(line + "\n"), `missing: ${line}\n${text}`);
  has('threatline_http_requests_total{route="/v1/predict",method="POST",status="200"} 2');
  has('threatline_http_requests_total{route="/v1/predict",method="POST",status="422"} 1');
  has('threatline_predictions_total{label="0"} 3');
  has('threatline_predictions_total{label="1"} 1');
  has('threatline_rejects_total{code="UNKNOWN_FIELD"} 1');
  has("threatline_http_requests_in_flight 1");
  has("threatline_model_swaps_total 1");
  has('threatline_model_info{version="abc"} 1');
  has("# TYPE threatline_http_request_duration_seconds histogram");
});

Deno.test("metrics: the histogram is cumulative over the fixed buckets, +Inf = count", () => {
  const m = createMetrics();
  for (const s of [0.0001, 0.0015, 0.0015, 0.3, 99]) m.request("/health", "GET", 200, s);
  const text = renderMetrics(m.snapshot());
  const bucket = (le: string) =>
    Number(
      new RegExp(`_bucket\\{route="/health",le="${le.replace(/[.+]/g, "\\$&")}"\\} (\\d+)`).exec(
        text,
      )
        ?.[1],
    );
  strictEqual(bucket("0.0005"), 1);
  strictEqual(bucket("0.001"), 1);
  strictEqual(bucket("0.002"), 3);
  strictEqual(bucket("0.25"), 3);
  strictEqual(bucket("0.5"), 4);
  strictEqual(bucket(String(LATENCY_BUCKETS.at(-1))), 4);
  strictEqual(bucket("+Inf"), 5);
  ok(text.includes('threatline_http_request_duration_seconds_count{route="/health"} 5\n'));
});

Deno.test("metrics: label values are escaped", () => {
  const m = createMetrics();
  m.reject('we"ird\\code\n');
  ok(renderMetrics(m.snapshot()).includes('code="we\\"ird\\\\code\\n"} 1'));
});
