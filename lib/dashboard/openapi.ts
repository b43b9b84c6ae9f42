/**
 * OpenAPI 3.1 description of the dashboard's own JSON routes (`/api/...`);
 * the scoring routes are described by serve's `/openapi.json`.
 *
 * @module
 */

const json = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object" } } },
});
const page = [
  { name: "offset", in: "query", schema: { type: "integer", minimum: 0 } },
  { name: "limit", in: "query", schema: { type: "integer", minimum: 1 } },
];
const keyed = { description: "Needs the API key when THREATLINE_API_KEY is set" };

/**
 * The document.
 *
 * @example
 * ```ts
 * import { dashboardOpenApi } from "./openapi.ts";
 * Object.keys(dashboardOpenApi().paths).includes("/api/runs"); // true
 * ```
 */
export function dashboardOpenApi(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "threatline dashboard",
      version: "1",
      description: "Data behind each dashboard page. The scoring API is at /openapi.json.",
    },
    paths: {
      "/api/pipeline": {
        get: {
          summary:
            "Stages: status (fresh, stale with reason, frozen, running), layer, outs with sizes, last duration; released models",
          responses: { 200: json("PipelineView") },
        },
      },
      "/api/runs": {
        get: {
          summary: "A sorted page of pipeline runs from the local run history",
          parameters: [
            ...page,
            {
              name: "sort",
              in: "query",
              schema: { type: "string" },
              description: "started | seconds | outcome | kind | metric:<file:key>",
            },
            { name: "order", in: "query", schema: { enum: ["asc", "desc"] } },
          ],
          responses: { 200: json("{ runs, total, metricKeys }") },
        },
      },
      "/api/runs/trend": {
        get: {
          summary: "One metric over all runs, oldest first",
          parameters: [{ name: "metric", in: "query", required: true, schema: { type: "string" } }],
          responses: { 200: json("{ metric, points: [{ t, v, id }] }") },
        },
      },
      "/api/runs/diff": {
        get: {
          summary: "Params and metrics diff of two runs (rows as `params diff` / `metrics diff`)",
          parameters: [
            { name: "a", in: "query", required: true, schema: { type: "string" } },
            { name: "b", in: "query", required: true, schema: { type: "string" } },
          ],
          responses: {
            200: json("{ params: DiffRow[], metrics: DiffRow[] }"),
            404: json("no such run"),
          },
        },
      },
      "/api/model": {
        get: {
          summary:
            "Model card (as /v1/model) and the evaluate outs: ROC, PR, calibration, importance, per-threshold counts; model=url: the URL model's card and artifacts/url/evaluate outs",
          parameters: [
            {
              name: "model",
              in: "query",
              required: false,
              schema: { enum: ["flow", "url"], default: "flow" },
            },
          ],
          responses: {
            200: json("{ model, labels: { positive, negative }, card, evaluate }"),
            400: json("unknown model"),
          },
        },
      },
      "/api/data": {
        get: {
          summary: "Validate's report and the drift of recently scored batches",
          responses: { 200: json("{ validate, batches }") },
        },
      },
      "/api/history": {
        get: {
          summary: "A page of the prediction history, newest first",
          parameters: page,
          responses: { 200: json("{ entries, total }") },
        },
      },
      "/api/history/clear": {
        post: {
          ...keyed,
          summary: "Remove every history entry",
          responses: { 200: json("{ removed }") },
        },
      },
      "/api/score/record": {
        post: {
          ...keyed,
          summary: "Score one record and rank the features that pushed it most",
          requestBody: {
            content: {
              "application/json": {
                schema: { type: "object", properties: { record: { type: "object" } } },
              },
            },
          },
          responses: { 200: json("{ model_version, probability, label, effects }") },
        },
      },
      "/api/score/upload": {
        post: {
          ...keyed,
          summary:
            "Score a CSV or JSON Lines file row by row (bounded like /v1/predict/csv); bad rows are rejects",
          parameters: [{ name: "name", in: "query", schema: { type: "string" } }],
          requestBody: {
            content: { "text/csv": {}, "application/x-ndjson": {}, "multipart/form-data": {} },
          },
          responses: { 200: json("{ rows, rejects, csv, modelVersion }"), 413: json("too large") },
        },
      },
      "/api/train": {
        get: {
          summary: "The Train page's state and the workspace lock holder",
          responses: { 200: json("TrainState") },
        },
        post: {
          ...keyed,
          summary: "Start repro with param overrides (key=value lines) and --force",
          requestBody: {
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { overrides: { type: "string" }, force: { type: "boolean" } },
                },
              },
            },
          },
          responses: { 202: json("{ id }"), 409: json("a run is in progress: { error, holder }") },
        },
      },
      "/api/train/cancel": {
        post: {
          ...keyed,
          summary: "Cancel the run in progress (SIGTERM)",
          responses: { 200: json("{ cancelled }") },
        },
      },
      "/api/train/events": {
        get: {
          summary: "Server-sent events: state, line, stage, end",
          responses: { 200: { description: "text/event-stream" } },
        },
      },
    },
  };
}
