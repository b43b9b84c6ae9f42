/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the answering
 * model's schema (the one embedded in its preprocess.json): one property per
 * input column with its JSON type, enum and minimum/maximum, so the document
 * changes with the model and never drifts from what the server validates.
 *
 * @module
 */
import type { ColumnSpec, Schema } from "../data/schema.ts";
import type { Limits } from "./body.ts";
import { checkUrlOpenApi } from "./check_url.ts";
import { ERROR_CODES } from "./errors.ts";

/** A JSON Schema object (loosely typed). */
export type JsonSchema = Record<string, unknown>;

const JSON_TYPE = {
  integer: "integer",
  number: "number",
  categorical: "string",
  boolean: "boolean",
} as const;

/**
 * The JSON Schema of one column: type (plus `null` when nullable), enum,
 * minimum and maximum.
 *
 * @example
 * ```ts
 * import { columnSchema } from "./openapi.ts";
 * columnSchema({ name: "sfh", type: "integer", values: [-1, 0, 1], nullable: false });
 * // { type: "integer", enum: [-1, 0, 1] }
 * ```
 */
export function columnSchema(col: ColumnSpec): JsonSchema {
  const type = JSON_TYPE[col.type];
  const out: JsonSchema = { type: col.nullable ? [type, "null"] : type };
  if (col.values) out.enum = col.nullable ? [...col.values, null] : [...col.values];
  if (col.min !== undefined) out.minimum = col.min;
  if (col.max !== undefined) out.maximum = col.max;
  return out;
}

/**
 * The JSON Schema of one record: every feature column (non-nullable ones
 * required), the optional id column (echoed back) and the optional target
 * column (accepted, ignored); no other property.
 *
 * @example
 * ```ts ignore
 * import { recordSchema } from "./openapi.ts";
 * recordSchema(model.preprocess.schema).required; // the non-nullable feature columns
 * ```
 */
export function recordSchema(schema: Schema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const col of schema.columns) {
    const s = columnSchema(col);
    if (col.name === schema.id) {
      s.description = "Row id (optional): echoed in the answer.";
    } else if (col.name === schema.target.column) {
      s.description = "The label (optional): accepted and ignored.";
    } else if (!col.nullable) {
      required.push(col.name);
    }
    properties[col.name] = s;
  }
  return {
    type: "object",
    description: 'One record. Numbers and booleans may also be sent as text (`"1"`, ' +
      '`"true"`); a nullable column may be absent or null (imputed).',
    properties,
    required,
    additionalProperties: false,
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const json = (schema: JsonSchema) => ({ "application/json": { schema } });

function errors(...statuses: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const status of statuses) {
    const codes = Object.entries(ERROR_CODES).filter(([, s]) => s === status).map(([c]) => c);
    out[String(status)] = {
      description: `Error: ${codes.join(", ")}`,
      content: json(ref("Error")),
    };
  }
  return out;
}

/** Options of {@linkcode openApiDocument}. */
export interface OpenApiOptions {
  /** The answering model's schema. */
  schema: Schema;
  /** Its version (shown in the description). */
  modelVersion: string;
  /** The server's limits (documented as maxItems, sizes). */
  limits: Limits;
  /** Whether the predict routes need an API key. */
  auth: boolean;
  /** The class names of the model's class model (opt-in multiclass), if it has one. */
  classes?: readonly string[];
}

/**
 * The OpenAPI 3.1 document of every route, with the record schema of the
 * answering model.
 *
 * @example
 * ```ts ignore
 * import { openApiDocument } from "./openapi.ts";
 * const doc = openApiDocument({ schema: model.preprocess.schema, modelVersion: model.version, limits, auth: false });
 * Object.keys(doc.paths); // ["/v1/predict", "/v1/predict/csv", "/v1/model", "/health", …]
 * ```
 */
export function openApiDocument(o: OpenApiOptions): JsonSchema & { paths: JsonSchema } {
  const { limits } = o;
  const security = o.auth ? [{ bearer: [] }, { apiKey: [] }] : [];
  const predictErrors = errors(400, ...(o.auth ? [401] : []), 408, 413, 415, 422, 503);
  const classFields = o.classes
    ? {
      class: { enum: [...o.classes], description: "The most likely class (multiclass model)." },
      class_probability: {
        type: "number",
        minimum: 0,
        maximum: 1,
        description: "The class's share of the per-class scores.",
      },
    }
    : {};
  const prediction = {
    type: "object",
    required: ["probability", "label", ...(o.classes ? ["class", "class_probability"] : [])],
    properties: {
      probability: { type: "number", minimum: 0, maximum: 1, description: "P(threat)." },
      label: {
        type: "integer",
        enum: [0, 1],
        description: "1 = threat (probability ≥ threshold).",
      },
      ...classFields,
      id: { description: "The record's id column, when it has one." },
    },
  };
  const text = (description: string) => ({
    description,
    content: { "text/plain": { schema: { type: "string" } } },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "threatline scoring API",
      version: "1",
      description: `Scores network records with the released threat model (answering now: ` +
        `${o.modelVersion}). Errors are JSON \`{ "error": { "code", "message", "field"? } }\`.`,
    },
    paths: {
      "/v1/predict": {
        post: {
          summary: "Score one record (a JSON object) or a batch (a JSON array of objects).",
          security,
          requestBody: {
            required: true,
            description: `At most ${limits.maxBodyBytes} bytes and ` +
              `${limits.maxBatchRecords} records; a batch is all-or-nothing.`,
            content: json({ oneOf: [ref("Record"), ref("Batch")] }),
          },
          responses: {
            "200": {
              description: "The prediction(s) and the model version that made them.",
              content: json({ oneOf: [ref("Prediction"), ref("BatchPrediction")] }),
            },
            ...predictErrors,
          },
        },
      },
      "/v1/predict/csv": {
        post: {
          summary: "Score a CSV upload (header row + records), answered with CSV.",
          security,
          requestBody: {
            required: true,
            description: `Raw text/csv, or a multipart form with a file part (field \`file\`); ` +
              `at most ${limits.maxCsvBytes} bytes and ${limits.maxCsvRecords} rows.`,
            content: {
              "text/csv": { schema: { type: "string" } },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: { file: { type: "string", contentMediaType: "text/csv" } },
                },
              },
            },
          },
          responses: {
            "200": {
              description: "`row,probability,label` (plus the id column when the upload has " +
                "it" + (o.classes ? "; then `class,class_probability`" : "") +
                "), one line per input row in order; header `X-Model-Version`.",
              content: { "text/csv": { schema: { type: "string" } } },
            },
            ...predictErrors,
          },
        },
      },
      "/v1/check-url": checkUrlOpenApi(limits, o.auth).path,
      "/v1/model": {
        get: {
          summary: "The answering model: version, metrics, schema, threshold, source.",
          responses: {
            "200": { description: "The model.", content: json(ref("Model")) },
            ...errors(503),
          },
        },
      },
      "/health": {
        get: {
          summary: "Liveness: the process answers.",
          responses: { "200": { description: "Alive.", content: json({ type: "object" }) } },
        },
      },
      "/ready": {
        get: {
          summary: "Readiness: a model is loaded and the server is not shutting down.",
          responses: {
            "200": { description: "Ready.", content: json({ type: "object" }) },
            ...errors(503),
          },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics (text format 0.0.4).",
          responses: { "200": text("Counters, latency histogram, predictions, rejects.") },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document.",
          responses: { "200": { description: "OpenAPI 3.1.", content: json({ type: "object" }) } },
        },
      },
    },
    components: {
      schemas: {
        Record: recordSchema(o.schema),
        Batch: {
          type: "array",
          items: ref("Record"),
          minItems: 1,
          maxItems: limits.maxBatchRecords,
        },
        Prediction: {
          ...prediction,
          required: ["model_version", ...prediction.required],
          properties: { model_version: { type: "string" }, ...prediction.properties },
        },
        BatchPrediction: {
          type: "object",
          required: ["model_version", "predictions"],
          properties: {
            model_version: { type: "string" },
            predictions: { type: "array", items: prediction },
          },
        },
        Model: {
          type: "object",
          required: ["version", "threshold", "metrics", "schema"],
          properties: {
            version: { type: "string" },
            threshold: { type: "number" },
            description: { type: "string" },
            created: { type: "string", format: "date-time" },
            metrics: { type: "object", additionalProperties: { type: ["number", "null"] } },
            schema: { type: "object" },
            source: { type: "string" },
            loaded_at: { type: "string", format: "date-time" },
          },
        },
        ...checkUrlOpenApi(limits, o.auth).schemas,
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", enum: Object.keys(ERROR_CODES) },
                message: { type: "string" },
                field: { type: "string" },
              },
            },
          },
        },
      },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
    },
  };
}
