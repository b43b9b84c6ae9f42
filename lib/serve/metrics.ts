/**
 * The server's metrics in the Prometheus text exposition format (0.0.4):
 * request counts by route, method and status, a request-latency histogram
 * with fixed buckets per route, predictions by label, rejects by error code,
 * in-flight requests and the model that answers. Plain counters in memory;
 * recording a request is a few map look-ups, cheap enough for every request.
 *
 * @module
 */

/**
 * Upper bounds (seconds) of the latency histogram's buckets. Fixed so that
 * dashboards and alerts can rely on them; `+Inf` is implied.
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.002,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** What the server records; render it with {@linkcode renderMetrics}. */
export interface ServeMetrics {
  /** Count a finished request and its latency (seconds). `route` is the route pattern, never the raw path. */
  request(route: string, method: string, status: number, seconds: number): void;
  /** Count predictions by label. */
  predictions(label: 0 | 1, count?: number): void;
  /** Count a rejected request by its error code. */
  reject(code: string): void;
  /** A request started (+1) or ended (-1). */
  inFlight(delta: 1 | -1): void;
  /** Count a model swap. */
  swapped(): void;
  /** Requests being handled now. */
  readonly inFlightNow: number;
  /** The current state, for rendering and tests. */
  snapshot(): MetricsSnapshot;
}

/** A copy of the counters. */
export interface MetricsSnapshot {
  /** `route method status` → count. */
  requests: Map<string, number>;
  /** Route → histogram. */
  latency: Map<string, { counts: number[]; sum: number; count: number }>;
  /** Predictions by label. */
  predictions: [number, number];
  /** Rejects by code. */
  rejects: Map<string, number>;
  /** Requests in flight. */
  inFlight: number;
  /** Model swaps since start. */
  swaps: number;
}

/**
 * Create an empty metrics registry.
 *
 * @example
 * ```ts
 * import { createMetrics } from "./metrics.ts";
 * const m = createMetrics();
 * m.request("/v1/predict", "POST", 200, 0.0012);
 * m.predictions(1);
 * m.snapshot().predictions; // [0, 1]
 * ```
 */
export function createMetrics(): ServeMetrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();
  const predictions: [number, number] = [0, 0];
  const rejects = new Map<string, number>();
  let inFlight = 0;
  let swaps = 0;
  return {
    request(route, method, status, seconds) {
      const key = `${route}\u0000${method}\u0000${status}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      let h = latency.get(route);
      if (!h) {
        h = { counts: new Array(LATENCY_BUCKETS.length).fill(0), sum: 0, count: 0 };
        latency.set(route, h);
      }
      // Counts per bucket (not cumulative); made cumulative when rendered.
      let i = 0;
      while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
      if (i < LATENCY_BUCKETS.length) h.counts[i]++;
      h.sum += seconds;
      h.count++;
    },
    predictions(label, count = 1) {
      predictions[label] += count;
    },
    reject(code) {
      rejects.set(code, (rejects.get(code) ?? 0) + 1);
    },
    inFlight(delta) {
      inFlight += delta;
    },
    swapped() {
      swaps++;
    },
    get inFlightNow() {
      return inFlight;
    },
    snapshot() {
      return {
        requests: new Map(requests),
        latency: new Map(
          [...latency].map(([k, h]) => [k, { counts: [...h.counts], sum: h.sum, count: h.count }]),
        ),
        predictions: [predictions[0], predictions[1]],
        rejects: new Map(rejects),
        inFlight,
        swaps,
      };
    },
  };
}

/** Escape a label value (backslash, quote, newline). */
function esc(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : "\\" + c));
}

/**
 * Render the metrics in the Prometheus text format. `model` labels the
 * `threatline_model_info` gauge with the version that answers now.
 *
 * @example
 * ```ts
 * import { createMetrics, renderMetrics } from "./metrics.ts";
 * const m = createMetrics();
 * m.reject("UNKNOWN_FIELD");
 * renderMetrics(m.snapshot(), { version: "508f7ac702a8" }).includes(
 *   'threatline_rejects_total{code="UNKNOWN_FIELD"} 1',
 * ); // true
 * ```
 */
export function renderMetrics(s: MetricsSnapshot, model?: { version: string }): string {
  const out: string[] = [];
  const head = (name: string, type: string, help: string) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  head("threatline_http_requests_total", "counter", "HTTP requests by route, method and status.");
  for (const [key, n] of [...s.requests].sort(([a], [b]) => a.localeCompare(b))) {
    const [route, method, status] = key.split("\u0000");
    out.push(
      `threatline_http_requests_total{route="${esc(route)}",method="${
        esc(method)
      }",status="${status}"} ${n}`,
    );
  }
  head(
    "threatline_http_request_duration_seconds",
    "histogram",
    "Time from request to response, by route.",
  );
  for (const [route, h] of [...s.latency].sort(([a], [b]) => a.localeCompare(b))) {
    const r = esc(route);
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += h.counts[i];
      out.push(
        `threatline_http_request_duration_seconds_bucket{route="${r}",le="${le}"} ${cumulative}`,
      );
    });
    out.push(
      `threatline_http_request_duration_seconds_bucket{route="${r}",le="+Inf"} ${h.count}`,
      `threatline_http_request_duration_seconds_sum{route="${r}"} ${h.sum}`,
      `threatline_http_request_duration_seconds_count{route="${r}"} ${h.count}`,
    );
  }
  head("threatline_predictions_total", "counter", "Scored records by predicted label.");
  out.push(
    `threatline_predictions_total{label="0"} ${s.predictions[0]}`,
    `threatline_predictions_total{label="1"} ${s.predictions[1]}`,
  );
  head("threatline_rejects_total", "counter", "Requests answered with an error, by error code.");
  for (const [code, n] of [...s.rejects].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`threatline_rejects_total{code="${esc(code)}"} ${n}`);
  }
  head("threatline_http_requests_in_flight", "gauge", "Requests being handled now.");
  out.push(`threatline_http_requests_in_flight ${s.inFlight}`);
  head("threatline_model_swaps_total", "counter", "Times a new model replaced the answering one.");
  out.push(`threatline_model_swaps_total ${s.swaps}`);
  head("threatline_model_info", "gauge", "The model that answers now (value 1).");
  if (model) out.push(`threatline_model_info{version="${esc(model.version)}"} 1`);
  return out.join("\n") + "\n";
}
