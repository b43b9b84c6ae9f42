import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { ERROR_CODES, errorBody, HttpError, recordError } from "./errors.ts";

Deno.test("HttpError: status from the code; errorBody omits an absent field", () => {
  const err = new HttpError("BODY_TOO_LARGE", "too big");
  strictEqual(err.status, 413);
  deepStrictEqual(errorBody(err), { error: { code: "BODY_TOO_LARGE", message: "too big" } });
  const withField = new HttpError("INVALID_VALUE", "bad", { field: "sfh" });
  deepStrictEqual(errorBody(withField).error.field, "sfh");
});

Deno.test("ERROR_CODES: every status is a 4xx or 5xx", () => {
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    strictEqual(status >= 400 && status < 600, true, code);
  }
});

Deno.test("recordError: the code comes from the record, not the message", () => {
  const known = new Set(["a", "b"]);
  const unknown = recordError(new DataError("whatever", { field: "zz" }), { zz: 1 }, known);
  deepStrictEqual([unknown.code, unknown.status, unknown.field], ["UNKNOWN_FIELD", 422, "zz"]);
  for (const value of [undefined, null, ""]) {
    const missing = recordError(new DataError("m", { field: "a" }), { a: value }, known);
    strictEqual(missing.code, "MISSING_FIELD");
  }
  const invalid = recordError(new DataError("'x' is not an integer", { field: "b" }), {
    b: "x",
  }, known);
  strictEqual(invalid.code, "INVALID_VALUE");
  const noField = recordError(new DataError("odd"), {}, known);
  deepStrictEqual([noField.code, noField.field], ["INVALID_VALUE", undefined]);
});

Deno.test("recordError: a prefix names the record in field and message", () => {
  const err = recordError(
    new DataError("field 'a' is bad", { field: "a" }),
    { a: 2 },
    new Set(["a"]),
    "[3].",
  );
  deepStrictEqual([err.field, err.message], ["[3].a", "[3]: field 'a' is bad"]);
});
