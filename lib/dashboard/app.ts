/**
 * The dashboard as a Hono app: the seven pages, their JSON routes under
 * `/api` (documented in `/api/openapi.json`), the static assets, and the
 * scoring API of `deno task serve` under `/v1` (and `/health`, `/ready`,
 * `/metrics`, `/openapi.json`) answered by the very app serve runs, so
 * there is one scoring code path.
 *
 * Safety: GET never changes state; every other method must come from the
 * same origin (lib/dashboard/guard.ts); starting or cancelling a run,
 * uploading and clearing the history need the API key when one is set;
 * uploads are bounded like `/v1/predict/csv`.
 *
 * @module
 */
import { join } from "node:path";
import { Hono } from "hono";
import { compress } from "hono/compress";
import { streamSSE } from "hono/streaming";
import { DataError } from "../errors.ts";
import { type PredictionHistory, recordScored } from "../history/mod.ts";
import type { Logger } from "../log.ts";
import { csvText, type Limits, readBody } from "../serve/body.ts";
import { HttpError } from "../serve/errors.ts";
import type { ModelHolder } from "../serve/model_holder.ts";
import type { Asset } from "./assets.ts";
import { DashError } from "./errors.ts";
import { requireKey, sameOrigin } from "./guard.ts";
import { page, type PagePath, PAGES } from "./layout.ts";
import { evaluateView, urlModelCard, validateView } from "./model_data.ts";
import { dashboardOpenApi } from "./openapi.ts";
import {
  dataBody,
  historyBody,
  modelBody,
  pipelineBody,
  runsBody,
  scoreBody,
  trainBody,
} from "./pages.ts";
import { cacheDirOf, pipelineView } from "./pipeline_data.ts";
import { diffRuns, localRunSource, metricTrend, type RunSource, runsPage } from "./runs_data.ts";
import { explainRecord, scoreUpload } from "./score.ts";
import { parseOverrides } from "./params_edit.ts";
import type { Trainer } from "./trainer.ts";

/** What {@linkcode createDashboardApp} is built from. */
export interface DashboardOptions {
  /** The scoring API app (lib/serve/app.ts's `createApp`), mounted as is. */
  api: Hono;
  /** The model the API answers with. */
  models: ModelHolder;
  /** Workspace root (pipeline.yaml, params.yaml, artifacts/). */
  root: string;
  /** Cache folder (absolute or relative to root; default `.cache`). */
  cacheDir?: string;
  /** The prediction history. */
  history: PredictionHistory;
  /** The Train page's runner. */
  trainer: Trainer;
  /** API key (when set, state-changing routes need it). */
  apiKey?: string;
  /** Body limits (uploads use the CSV ones). */
  limits: Limits;
  /** Server log. */
  log: Logger;
  /** Static files by `static/<name>` / `vendor/<name>`. */
  assets: Map<string, Asset>;
  /** The URL model's release folder, for the Model page (default `<root>/artifacts/url/model`). */
  urlModelDir?: string;
  /** Where runs come from (default: the local run history; MLflow when configured). */
  runs?: RunSource;
}

/** API paths that belong to the scoring app. */
const API_PREFIXES = ["/v1/", "/health", "/ready", "/metrics", "/openapi.json"];

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; " +
  "form-action 'self'";

function intParam(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new DashError("BAD_REQUEST", `bad ${name} '${v}'`);
  return n;
}

/**
 * Build the app.
 *
 * @example
 * ```ts ignore
 * import { createDashboardApp } from "./app.ts";
 * const app = createDashboardApp({ api, models, root: Deno.cwd(), history, trainer, limits, log, assets });
 * Deno.serve({ hostname: "127.0.0.1", port: 8088 }, app.fetch);
 * ```
 */
export function createDashboardApp(o: DashboardOptions): Hono {
  const app = new Hono();
  const cacheDir = cacheDirOf({ root: o.root, cacheDir: o.cacheDir });
  const runs = o.runs ?? localRunSource(cacheDir);
  const guard = requireKey(o.apiKey);
  const auth = o.apiKey !== undefined;

  app.onError((err, c) => {
    if (err instanceof DashError) {
      return c.json(
        { error: { code: err.code, message: err.message }, ...err.details },
        err.status as 400,
      );
    }
    if (err instanceof HttpError) {
      return c.json({ error: { code: err.code, message: err.message } }, err.status as 400);
    }
    if (err instanceof DataError || err instanceof RangeError) {
      return c.json({ error: { code: "BAD_REQUEST", message: err.message } }, 400);
    }
    o.log.error("dashboard request failed", {
      path: c.req.path,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
    return c.json({ error: { code: "INTERNAL", message: "internal error" } }, 500);
  });

  app.use(sameOrigin());

  // The scoring API: handed to serve's app unchanged.
  app.use(async (c, next) => {
    const path = c.req.path;
    if (API_PREFIXES.some((p) => path === p.replace(/\/$/, "") || path.startsWith(p))) {
      return await o.api.fetch(c.req.raw);
    }
    await next();
  });

  app.use(async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.res.headers.set("Content-Security-Policy", CSP);
      c.res.headers.set("X-Content-Type-Options", "nosniff");
      c.res.headers.set("Referrer-Policy", "same-origin");
      c.res.headers.set("Cache-Control", "no-store");
    }
  });
  app.use("/assets/*", compress());

  app.get("/assets/:dir/:name", (c) => {
    const a = o.assets.get(`${c.req.param("dir")}/${c.req.param("name")}`);
    if (!a) throw new DashError("NOT_FOUND", "no such asset");
    if (c.req.header("if-none-match") === a.etag) return c.body(null, 304);
    return c.body(a.body, 200, {
      "Content-Type": a.type,
      ETag: a.etag,
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    });
  });

  // ---- pages
  const render = (path: PagePath, body: Parameters<typeof page>[0]["body"], extra = {}) =>
    page({ path, body, auth, ...extra });

  const pipeline = async () =>
    render(
      "/pipeline",
      pipelineBody(
        await pipelineView({ root: o.root, cacheDir: o.cacheDir }, {
          log: o.log,
          running: runningStage(o.trainer),
        }),
      ),
      { island: "pipeline" },
    );
  app.get("/", async (c) => c.html(await pipeline()));
  app.get("/pipeline", async (c) => c.html(await pipeline()));
  app.get("/runs", (c) => c.html(render("/runs", runsBody(), { island: "runs", charts: true })));
  app.get("/model", (c) => {
    const which = modelParam(c.req.query("model"));
    return c.html(render("/model", modelBody(which), { island: "model", charts: true }));
  });
  app.get("/data", (c) => c.html(render("/data", dataBody(), { island: "data", charts: true })));
  app.get("/score", (c) => {
    const lease = o.models.acquire();
    try {
      const columns = lease?.model.preprocess.schema.columns.filter((col) =>
        lease.model.preprocess.schema.features.includes(col.name)
      );
      return c.html(render("/score", scoreBody(columns), {
        island: "score",
        data: { threshold: lease?.model.threshold },
      }));
    } finally {
      lease?.release();
    }
  });
  app.get("/train", (c) => c.html(render("/train", trainBody(), { island: "train" })));
  app.get("/history", (c) => c.html(render("/history", historyBody(), { island: "history" })));

  // ---- JSON routes
  app.get("/api/openapi.json", (c) => c.json(dashboardOpenApi()));
  app.get("/api/pipeline", async (c) =>
    c.json(
      await pipelineView({ root: o.root, cacheDir: o.cacheDir }, {
        log: o.log,
        running: runningStage(o.trainer),
      }),
    ));
  app.get("/api/runs", async (c) => {
    const q = c.req.query();
    return c.json(
      await runsPage(runs, {
        offset: intParam(q.offset, "offset", 0),
        limit: intParam(q.limit, "limit", 25),
        sort: q.sort || undefined,
        asc: q.order === "asc",
      }).then((page) => ({ source: runs.name, ...page })),
    );
  });
  app.get("/api/runs/trend", async (c) => {
    const key = c.req.query("metric");
    if (!key) throw new DashError("BAD_REQUEST", "metric is required");
    return c.json({ metric: key, points: await metricTrend(runs, key) });
  });
  app.get("/api/runs/diff", async (c) => {
    const a = c.req.query("a"), b = c.req.query("b");
    if (!a || !b) throw new DashError("BAD_REQUEST", "two runs a and b are required");
    return c.json(await diffRuns(runs, a, b));
  });
  app.get("/api/model", async (c) => {
    if (modelParam(c.req.query("model")) === "url") {
      return c.json({
        model: "url",
        labels: { positive: "phishing", negative: "legitimate" },
        card: await urlModelCard(o.urlModelDir ?? join(o.root, "artifacts/url/model")),
        evaluate: await evaluateView(o.root, "artifacts/url"),
      });
    }
    const card = await o.api.fetch(new Request(new URL("/v1/model", c.req.url)));
    return c.json({
      model: "flow",
      labels: { positive: "threat", negative: "benign" },
      card: card.ok ? await card.json() : null,
      evaluate: await evaluateView(o.root),
    });
  });
  app.get("/api/data", async (c) => {
    const { entries } = await o.history.list({ limit: 100 });
    return c.json({
      validate: await validateView(o.root),
      batches: entries.map((e) => ({
        time: e.time,
        source: e.source,
        input: e.input,
        rows: e.rows,
        driftFlags: e.driftFlags,
        drift: e.extra?.drift,
      })),
    });
  });
  app.get("/api/history", async (c) => {
    const q = c.req.query();
    return c.json(
      await o.history.list({
        offset: intParam(q.offset, "offset", 0),
        limit: intParam(q.limit, "limit", 50),
      }),
    );
  });
  app.post("/api/history/clear", guard, async (c) => c.json({ removed: await o.history.clear() }));

  app.post("/api/score/record", guard, async (c) => {
    const body = await c.req.json().catch(() => {
      throw new DashError("BAD_REQUEST", "the body must be a JSON object");
    });
    const lease = o.models.acquire();
    if (!lease) throw new DashError("UNAVAILABLE", "no model is loaded yet");
    try {
      const result = explainRecord(lease.model, body?.record ?? {});
      await recordScored(o.history, {
        source: "dashboard",
        input: "record form",
        model: "threatline",
        modelVersion: lease.model.version,
        rows: 1,
        rejects: 0,
        labels: result.label === 1 ? { threat: 1, benign: 0 } : { threat: 0, benign: 1 },
        driftFlags: [],
      }, o.log);
      return c.json({ model_version: lease.model.version, ...result });
    } finally {
      lease.release();
    }
  });

  app.post("/api/score/upload", guard, async (c) => {
    const type = c.req.header("content-type") ?? "";
    const bytes = await readBody(c.req.raw, {
      maxBytes: o.limits.maxCsvBytes,
      timeoutMs: o.limits.requestTimeoutMs,
    });
    const text = await csvText(bytes, type);
    const name = c.req.query("name") ?? "upload";
    const format = /json/.test(type) || /\.jsonl?$/i.test(name) ? "jsonl" : "csv";
    const lease = o.models.acquire();
    if (!lease) throw new DashError("UNAVAILABLE", "no model is loaded yet");
    let result;
    try {
      result = scoreUpload(lease.model, { text, format, maxRecords: o.limits.maxCsvRecords });
    } finally {
      lease.release();
    }
    const threats = result.rows.filter((r) => r.label === 1).length;
    await recordScored(o.history, {
      source: "dashboard",
      input: name.slice(0, 200),
      model: "threatline",
      modelVersion: result.modelVersion,
      rows: result.rows.length,
      rejects: result.rejects.length,
      labels: { threat: threats, benign: result.rows.length - threats },
      driftFlags: result.drift.drifted,
      extra: { drift_tested: result.drift.tested },
    }, o.log);
    return c.json(result);
  });

  app.get(
    "/api/train",
    async (c) => c.json({ ...o.trainer.state, holder: await o.trainer.lockHolder() }),
  );
  app.post("/api/train", guard, async (c) => {
    const body = await c.req.json().catch(() => ({}));
    const overrides = typeof body?.overrides === "string" ? parseOverrides(body.overrides) : {};
    const id = await o.trainer.start({ force: body?.force === true, overrides });
    return c.json({ id }, 202);
  });
  app.post("/api/train/cancel", guard, (c) => c.json({ cancelled: o.trainer.cancel() }));
  app.get("/api/train/events", (c) =>
    streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | undefined;
      const off = o.trainer.subscribe((e) => {
        queue.push(JSON.stringify(e));
        wake?.();
      });
      stream.onAbort(() => {
        off();
        wake?.();
      });
      await stream.writeSSE({ event: "state", data: JSON.stringify(o.trainer.state) });
      while (!stream.aborted) {
        if (queue.length === 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((r) => {
            wake = r;
            timer = setTimeout(r, 15_000);
          });
          clearTimeout(timer);
          wake = undefined;
          if (queue.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
          continue;
        }
        const data = queue.shift()!;
        await stream.writeSSE({ event: JSON.parse(data).type, data });
      }
      off();
    }));

  app.notFound((c) => {
    const known = Object.keys(PAGES).includes(c.req.path);
    return c.json({
      error: {
        code: known ? "METHOD_NOT_ALLOWED" : "NOT_FOUND",
        message: `no route ${c.req.method} ${c.req.path}`,
      },
    }, known ? 405 : 404);
  });
  return app;
}

/** The Model page's model: `flow` (default) or `url`. */
function modelParam(v: string | undefined): "flow" | "url" {
  if (v === undefined || v === "" || v === "flow") return "flow";
  if (v === "url") return "url";
  throw new DashError("BAD_REQUEST", `unknown model '${v}' (flow or url)`);
}

function runningStage(trainer: Trainer): string | undefined {
  const s = trainer.state;
  if (!s.running) return undefined;
  return Object.entries(s.stages).find(([, v]) => v === "running")?.[0];
}
