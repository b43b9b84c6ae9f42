import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { testPreprocess } from "./_testing.ts";
import { ROUTES } from "./app.ts";
import { DEFAULT_LIMITS } from "./body.ts";
import { ERROR_CODES } from "./errors.ts";
import { columnSchema, openApiDocument, recordSchema } from "./openapi.ts";

const pre = await testPreprocess();

Deno.test("columnSchema: JSON type, null when nullable, enum, minimum/maximum", () => {
  deepStrictEqual(columnSchema({ name: "a", type: "integer", values: [-1, 1], nullable: false }), {
    type: "integer",
    enum: [-1, 1],
  });
  deepStrictEqual(columnSchema({ name: "b", type: "number", min: 0, max: 9, nullable: true }), {
    type: ["number", "null"],
    minimum: 0,
    maximum: 9,
  });
  deepStrictEqual(
    columnSchema({ name: "c", type: "categorical", values: ["tcp"], nullable: true }),
    { type: ["string", "null"], enum: ["tcp", null] },
  );
  deepStrictEqual(columnSchema({ name: "d", type: "boolean", nullable: false }), {
    type: "boolean",
  });
});

Deno.test("recordSchema: one property per column; non-nullable features required; nothing else allowed", () => {
  const s = recordSchema(pre.schema) as {
    properties: Record<string, { type: unknown }>;
    required: string[];
    additionalProperties: boolean;
  };
  deepStrictEqual(Object.keys(s.properties), [
    "id",
    "bytes",
    "proto",
    "svc",
    "tri",
    "flag",
    "label",
  ]);
  deepStrictEqual(s.required, ["svc", "tri", "flag"]);
  strictEqual(s.additionalProperties, false);
  deepStrictEqual(s.properties.bytes, { type: ["number", "null"], minimum: 0 });
});

Deno.test("openApiDocument: every route, every error code, limits, security only with a key", () => {
  const doc = openApiDocument({
    schema: pre.schema,
    modelVersion: "v1",
    limits: DEFAULT_LIMITS,
    auth: false,
  });
  const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>;
  for (const [path, method] of Object.entries(ROUTES)) {
    ok(paths[path]?.[method.toLowerCase()], `${method} ${path} is documented`);
  }
  strictEqual(Object.keys(paths).length, Object.keys(ROUTES).length);
  deepStrictEqual(paths["/v1/predict"].post.security, []);
  const text = JSON.stringify(doc);
  const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
  strictEqual(schemas.Batch.maxItems, DEFAULT_LIMITS.maxBatchRecords);
  deepStrictEqual(
    (schemas.Error.properties as Record<string, { properties: { code: { enum: string[] } } }>)
      .error.properties.code.enum,
    Object.keys(ERROR_CODES),
  );
  ok(text.includes('"422"') && text.includes('"415"') && text.includes('"413"'));
  const withKey = openApiDocument({
    schema: pre.schema,
    modelVersion: "v1",
    limits: DEFAULT_LIMITS,
    auth: true,
  });
  const keyed = withKey.paths as Record<
    string,
    Record<string, { security?: unknown[]; responses: object }>
  >;
  strictEqual(keyed["/v1/predict"].post.security?.length, 2);
  ok("401" in keyed["/v1/predict/csv"].post.responses);
});
