/**
 * `POST /v1/check-url`: judge raw URLs with the URL model (lib/url/). Body
 * `{"url": "…"}` or `{"urls": ["…", …]}` (at most the batch limit), answered
 * `{"model": {"name": "threatline-url", "version"}, "threshold", "results":
 * [{url, probability, label, reasons}]}`. A refused single URL is a 422
 * `INVALID_URL` naming why; in a batch, a refused URL is an
 * `{url, error: {code, message}}` entry of `results` (order kept).
 * Same body limits, media type and API key as `/v1/predict`. The URL is
 * never fetched and its host never resolved.
 *
 * @module
 */
import type { Hono, MiddlewareHandler } from "hono";
import type { UrlChecker } from "../url/url_checker.ts";
import { URL_MODEL_NAME } from "../url/url_checker.ts";
import { JSON_TYPES, type Limits, parseJsonBody, readBody, requireMediaType } from "./body.ts";
import { HttpError } from "./errors.ts";
import type { ScoredEvent } from "../history/record.ts";

/** A JSON Schema object (as in openapi.ts, which imports this module's part of the document). */
type JsonSchema = Record<string, unknown>;

/** The URL model a server answers `/v1/check-url` with. */
export interface ServedUrlModel {
  /** The loaded checker. */
  checker: UrlChecker;
  /** Where it was loaded from. */
  source: string;
}

/**
 * The URLs of a check-url body: one (`url`) or a batch (`urls`, 1..`max`).
 * Batch items that are not strings stay in place as `null` (answered as
 * refused entries).
 *
 * @example
 * ```ts
 * import { checkUrlInput } from "./check_url.ts";
 * checkUrlInput({ urls: ["http://a.com", 3] }, 10); // { kind: "batch", urls: ["http://a.com", null] }
 * ```
 */
export function checkUrlInput(
  value: unknown,
  max: number,
): { kind: "one"; url: string } | { kind: "batch"; urls: (string | null)[] } {
  const obj = typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
  const keys = obj ? Object.keys(obj) : [];
  if (!obj || keys.length !== 1 || !(keys[0] === "url" || keys[0] === "urls")) {
    throw new HttpError(
      "INVALID_BODY",
      'expected {"url": "…"} or {"urls": ["…", …]} (exactly one of the two keys)',
    );
  }
  if (keys[0] === "url") {
    if (typeof obj.url !== "string") {
      throw new HttpError("INVALID_BODY", "'url' must be a string", { field: "url" });
    }
    return { kind: "one", url: obj.url };
  }
  const urls = obj.urls;
  if (!Array.isArray(urls)) {
    throw new HttpError("INVALID_BODY", "'urls' must be an array of strings", { field: "urls" });
  }
  if (urls.length === 0) throw new HttpError("INVALID_BODY", "'urls' is empty", { field: "urls" });
  if (urls.length > max) {
    throw new HttpError(
      "TOO_MANY_RECORDS",
      `'urls' has ${urls.length} items; the limit is ${max}`,
      {
        field: "urls",
      },
    );
  }
  return { kind: "batch", urls: urls.map((u) => (typeof u === "string" ? u : null)) };
}

/**
 * Add the route to `app`. Each answered request is reported to `onScored`
 * (the prediction-history hook) with model `threatline-url`, the rows
 * checked, the counts per label and the refused URLs as rejects.
 *
 * @example
 * ```ts ignore
 * import { addCheckUrlRoute } from "./check_url.ts";
 * addCheckUrlRoute(app, { urlModel: () => served, guard, limits });
 * ```
 */
export function addCheckUrlRoute(app: Hono, o: {
  urlModel: () => ServedUrlModel | undefined;
  guard: MiddlewareHandler;
  limits: Limits;
  onScored?: (e: ScoredEvent) => void;
}): void {
  const bodyLimits = { maxBytes: o.limits.maxBodyBytes, timeoutMs: o.limits.requestTimeoutMs };
  app.post("/v1/check-url", o.guard, async (c) => {
    requireMediaType(c.req.header("content-type"), JSON_TYPES);
    const input = checkUrlInput(
      parseJsonBody(await readBody(c.req.raw, bodyLimits)),
      o.limits.maxBatchRecords,
    );
    const served = o.urlModel();
    if (!served) {
      throw new HttpError(
        "NOT_READY",
        "no URL model is loaded (run the url_* stages, or start serve with --url-model DIR)",
      );
    }
    const { checker } = served;
    const head = {
      model: { name: URL_MODEL_NAME, version: checker.version },
      threshold: checker.threshold,
    };
    const report = (results: readonly ({ label: string } | { error: unknown })[]) => {
      const labels: Record<string, number> = { phishing: 0, legitimate: 0 };
      let rejects = 0;
      for (const r of results) {
        if ("label" in r) labels[r.label] = (labels[r.label] ?? 0) + 1;
        else rejects++;
      }
      o.onScored?.({
        route: "POST /v1/check-url",
        model: URL_MODEL_NAME,
        modelVersion: checker.version,
        rows: results.length - rejects,
        threats: labels.phishing,
        labels,
        rejects,
      });
    };
    if (input.kind === "one") {
      const [r] = checker.check([input.url]);
      if ("error" in r) {
        throw new HttpError("INVALID_URL", `${r.error.code}: ${r.error.message}`, { field: "url" });
      }
      report([r]);
      return c.json({ ...head, results: [r] });
    }
    const strings = input.urls.filter((u): u is string => u !== null);
    const checked = checker.check(strings);
    let k = 0;
    const results = input.urls.map((u) =>
      u === null
        ? { url: u, error: { code: "not_a_string", message: "the item is not a string" } }
        : checked[k++]
    );
    report(results);
    return c.json({ ...head, results });
  });
}

/**
 * The route's OpenAPI path item and component schemas.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "./body.ts";
 * import { checkUrlOpenApi } from "./check_url.ts";
 * Object.keys(checkUrlOpenApi(DEFAULT_LIMITS, false).path); // ["post"]
 * ```
 */
export function checkUrlOpenApi(
  limits: Limits,
  auth: boolean,
): { path: JsonSchema; schemas: JsonSchema } {
  const err = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
  const reason = {
    type: "object",
    required: ["feature", "text", "contribution"],
    properties: {
      feature: { type: "string" },
      text: { type: "string", description: "The reason in words, about this URL." },
      contribution: {
        type: "number",
        description: "Push on the score (gbdt/networks: log-odds; extra_trees: probability).",
      },
    },
  };
  return {
    path: {
      post: {
        summary: "Judge raw URLs (phishing or legitimate) with reasons; never fetches them.",
        security: auth ? [{ bearer: [] }, { apiKey: [] }] : [],
        requestBody: {
          required: true,
          description: `At most ${limits.maxBodyBytes} bytes and ${limits.maxBatchRecords} URLs; ` +
            "each URL at most 8192 bytes, http(s) only, no control characters, valid %-escapes.",
          content: {
            "application/json": {
              schema: {
                oneOf: [
                  { type: "object", required: ["url"], properties: { url: { type: "string" } } },
                  {
                    type: "object",
                    required: ["urls"],
                    properties: {
                      urls: {
                        type: "array",
                        items: { type: "string" },
                        minItems: 1,
                        maxItems: limits.maxBatchRecords,
                      },
                    },
                  },
                ],
              },
            },
          },
        },
        responses: {
          "200": {
            description: "One result per URL, in order.",
            content: { "application/json": { schema: { $ref: "#/components/schemas/UrlCheck" } } },
          },
          "400": { description: "MALFORMED_JSON, INVALID_BODY", content: err },
          ...(auth ? { "401": { description: "UNAUTHORIZED", content: err } } : {}),
          "413": { description: "BODY_TOO_LARGE, TOO_MANY_RECORDS", content: err },
          "415": { description: "UNSUPPORTED_MEDIA_TYPE", content: err },
          "422": { description: "INVALID_URL (a single refused URL)", content: err },
          "503": { description: "NOT_READY (no URL model loaded)", content: err },
        },
      },
    },
    schemas: {
      UrlCheck: {
        type: "object",
        required: ["model", "threshold", "results"],
        properties: {
          model: {
            type: "object",
            properties: { name: { type: "string" }, version: { type: "string" } },
          },
          threshold: { type: "number" },
          results: {
            type: "array",
            items: {
              oneOf: [
                {
                  type: "object",
                  required: ["url", "probability", "label", "reasons"],
                  properties: {
                    url: { type: "string" },
                    probability: { type: "number", minimum: 0, maximum: 1 },
                    label: { enum: ["phishing", "legitimate"] },
                    reasons: { type: "array", items: reason },
                  },
                },
                {
                  type: "object",
                  required: ["url", "error"],
                  properties: {
                    url: { type: ["string", "null"] },
                    error: {
                      type: "object",
                      properties: { code: { type: "string" }, message: { type: "string" } },
                    },
                  },
                },
              ],
            },
          },
        },
      },
    },
  };
}
