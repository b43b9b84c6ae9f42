/**
 * The HTTP API as a Hono app: routes, the API-key check, per-request metrics
 * and the one error handler that answers every failure as
 * `{ error: { code, message, field? } }` with its status. Built by
 * {@linkcode createApp} from its dependencies (no globals, no env), so tests
 * run it in-process with `app.request()` and the server runs `app.fetch`.
 *
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import { DataError } from "../errors.ts";
import type { Logger } from "../log.ts";
import {
  CSV_TYPES,
  csvText,
  JSON_TYPES,
  type JsonRecord,
  type Limits,
  parseCsvInput,
  parseJsonBody,
  predictInput,
  readBody,
  requireMediaType,
} from "./body.ts";
import { errorBody, HttpError, recordError } from "./errors.ts";
import { renderMetrics, type ServeMetrics } from "./metrics.ts";
import type { Lease, ModelHolder, ServedModel } from "./model_holder.ts";
import { openApiDocument } from "./openapi.ts";
import { scoreBatch, scoreCsv } from "./score.ts";
import type { ScoredEvent } from "../history/record.ts";
import { addCheckUrlRoute, type ServedUrlModel } from "./check_url.ts";
import { recordClasses } from "./classes.ts";

/** What {@linkcode createApp} is built from. */
export interface AppOptions {
  /** The answering model. */
  models: ModelHolder;
  /** When set, the predict routes need it (`Authorization: Bearer …` or `X-API-Key`). */
  apiKey?: string;
  /** Body, batch and time limits. */
  limits: Limits;
  /** Request and error log (never given headers or the key). */
  log: Logger;
  /** Where requests are counted. */
  metrics: ServeMetrics;
  /** True once shutdown began: `/ready` answers 503. */
  draining?: () => boolean;
  /** Called after each answered predict or check-url request (the prediction-history hook). */
  onScored?: (e: ScoredEvent) => void;
  /** The URL model of `/v1/check-url` (absent: that route answers 503). */
  urlModel?: () => ServedUrlModel | undefined;
}

/** Every route, method → path; anything else is 404 (unknown path) or 405 (other method). */
export const ROUTES = {
  "/v1/predict": "POST",
  "/v1/predict/csv": "POST",
  "/v1/check-url": "POST",
  "/v1/model": "GET",
  "/health": "GET",
  "/ready": "GET",
  "/metrics": "GET",
  "/openapi.json": "GET",
} as const;

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The API-key check: constant-time over digests, so neither length nor prefix leaks. */
function apiKeyGuard(apiKey: string): MiddlewareHandler {
  const expected = digest(apiKey);
  return async (c, next) => {
    const auth = c.req.header("authorization");
    const given = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : c.req.header("x-api-key");
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new HttpError(
        "UNAUTHORIZED",
        given === undefined
          ? "this route needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
          : "the API key is not valid",
        { headers: { "WWW-Authenticate": 'Bearer realm="threatline"' } },
      );
    }
    await next();
  };
}

function acquire(models: ModelHolder): Lease {
  const lease = models.acquire();
  if (!lease) throw new HttpError("NOT_READY", "no model is loaded yet");
  return lease;
}

function idOf(model: ServedModel, record: JsonRecord): { id?: unknown } {
  const idColumn = model.preprocess.schema.id;
  return idColumn !== undefined && record[idColumn] !== undefined ? { id: record[idColumn] } : {};
}

/**
 * Build the app.
 *
 * @example
 * ```ts ignore
 * import { createApp } from "./app.ts";
 * const app = createApp({ models: holder, limits: DEFAULT_LIMITS, log, metrics: createMetrics() });
 * const res = await app.request("/health"); // 200 {"status":"ok"}
 * Deno.serve({ port: 8080 }, app.fetch);
 * ```
 */
export function createApp(o: AppOptions): Hono {
  const { models, limits, log, metrics } = o;
  const app = new Hono();
  const known = new Set<string>(Object.keys(ROUTES));
  const jsonLimits = { maxBytes: limits.maxBodyBytes, timeoutMs: limits.requestTimeoutMs };
  const csvLimits = { maxBytes: limits.maxCsvBytes, timeoutMs: limits.requestTimeoutMs };
  let openapi: { version: string; text: string } | undefined;
  models.onSwap(({ from }) => {
    if (from !== undefined) metrics.swapped();
  });

  app.use(async (c, next) => {
    const t0 = performance.now();
    metrics.inFlight(1);
    try {
      await next();
    } finally {
      metrics.inFlight(-1);
      const path = c.req.path;
      const route = known.has(path) ? path : "other";
      const seconds = (performance.now() - t0) / 1000;
      metrics.request(route, c.req.method, c.res.status, seconds);
      log.debug("request", { method: c.req.method, route, status: c.res.status, seconds });
    }
  });

  app.onError((err, c) => {
    let http: HttpError;
    if (err instanceof HttpError) {
      http = err;
    } else if (err instanceof DataError) {
      http = new HttpError("INVALID_VALUE", err.message, { field: err.where.field, cause: err });
    } else {
      log.error("request failed", {
        method: c.req.method,
        path: c.req.path,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      http = new HttpError("INTERNAL", "internal error");
    }
    return answerError(c, http);
  });

  const answerError = (c: Context, http: HttpError) => {
    metrics.reject(http.code);
    return c.json(errorBody(http), http.status as 400, http.headers);
  };

  // Answered here, not thrown: a throw would reach the metrics middleware
  // before onError sets the response, and count the 404/405 as a 200.
  app.notFound((c) => {
    const path = c.req.path;
    if (known.has(path)) {
      const allow = ROUTES[path as keyof typeof ROUTES];
      return answerError(
        c,
        new HttpError("METHOD_NOT_ALLOWED", `${path} takes ${allow}, not ${c.req.method}`, {
          headers: { Allow: allow },
        }),
      );
    }
    return answerError(c, new HttpError("NOT_FOUND", `no route ${c.req.method} ${path}`));
  });

  const guard: MiddlewareHandler = o.apiKey ? apiKeyGuard(o.apiKey) : (_c, next) => next();

  app.post("/v1/predict", guard, async (c) => {
    requireMediaType(c.req.header("content-type"), JSON_TYPES);
    const value = parseJsonBody(await readBody(c.req.raw, jsonLimits));
    const input = predictInput(value, limits.maxBatchRecords);
    const lease = acquire(models);
    try {
      const model = lease.model;
      if (input.kind === "one") {
        let scored;
        try {
          scored = model.scoreRecord(input.record);
        } catch (err) {
          if (err instanceof DataError) {
            throw recordError(err, input.record, model.preprocess.fields);
          }
          throw err;
        }
        metrics.predictions(scored.label);
        const rows = 1, threats = scored.label, modelVersion = model.version;
        o.onScored?.({ route: "POST /v1/predict", modelVersion, rows, threats });
        return c.json({
          model_version: model.version,
          probability: scored.probability,
          label: scored.label,
          ...recordClasses(model, [input.record])?.[0],
          ...idOf(model, input.record),
        });
      }
      const scored = scoreBatch(model, input.records);
      const classes = recordClasses(model, input.records);
      let threats = 0;
      const predictions = scored.map((s, i) => {
        threats += s.label;
        return {
          probability: s.probability,
          label: s.label,
          ...classes?.[i],
          ...idOf(model, input.records[i]),
        };
      });
      metrics.predictions(1, threats);
      metrics.predictions(0, scored.length - threats);
      const rows = scored.length, modelVersion = model.version;
      o.onScored?.({ route: "POST /v1/predict", modelVersion, rows, threats });
      return c.json({ model_version: model.version, predictions });
    } finally {
      lease.release();
    }
  });

  app.post("/v1/predict/csv", guard, async (c) => {
    const type = c.req.header("content-type");
    requireMediaType(type, CSV_TYPES);
    const text = await csvText(await readBody(c.req.raw, csvLimits), type ?? null);
    const csv = parseCsvInput(text, limits.maxCsvRecords);
    const lease = acquire(models);
    try {
      const { text, threats } = scoreCsv(lease.model, csv);
      metrics.predictions(1, threats);
      metrics.predictions(0, csv.rows.length - threats);
      const rows = csv.rows.length, modelVersion = lease.model.version;
      o.onScored?.({ route: "POST /v1/predict/csv", modelVersion, rows, threats });
      return c.body(text, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "X-Model-Version": lease.model.version,
      });
    } finally {
      lease.release();
    }
  });

  addCheckUrlRoute(app, {
    urlModel: o.urlModel ?? (() => undefined),
    guard,
    limits,
    onScored: o.onScored,
  });

  app.get("/v1/model", (c) => {
    const lease = acquire(models);
    try {
      const { model, info } = lease;
      const { card } = model;
      return c.json({
        version: model.version,
        threshold: model.threshold,
        description: card.description,
        created: card.created,
        config: card.config,
        metrics: card.validation,
        threshold_choice: card.threshold_choice,
        train_data: card.train_data,
        features: card.features,
        input_columns: model.inputColumns,
        schema: model.preprocess.spec.schema,
        source: info.source,
        loaded_at: info.loadedAt,
      });
    } finally {
      lease.release();
    }
  });

  app.get("/health", (c) => c.json({ status: "ok" }));

  app.get("/ready", (c) => {
    if (o.draining?.()) throw new HttpError("SHUTTING_DOWN", "the server is shutting down");
    if (!models.ready) throw new HttpError("NOT_READY", "no model is loaded yet");
    return c.json({ status: "ready", model_version: models.version });
  });

  app.get("/metrics", (c) => {
    const version = models.version;
    return c.body(
      renderMetrics(metrics.snapshot(), version === undefined ? undefined : { version }),
      200,
      { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
    );
  });

  app.get("/openapi.json", (c) => {
    const lease = acquire(models);
    try {
      const model = lease.model;
      if (openapi?.version !== model.version) {
        const doc = openApiDocument({
          schema: model.preprocess.schema,
          modelVersion: model.version,
          limits,
          auth: o.apiKey !== undefined,
          classes: model.classes?.names,
        });
        openapi = { version: model.version, text: JSON.stringify(doc, null, 2) };
      }
      return c.body(openapi.text, 200, { "Content-Type": "application/json" });
    } finally {
      lease.release();
    }
  });

  return app;
}
