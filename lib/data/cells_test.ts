import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  coerceCell,
  describeDomain,
  domainCheck,
  explainRule,
  formatCell,
  INVALID,
  parseDecimal,
  showValue,
} from "./cells.ts";
import { createRng } from "../rng.ts";

Deno.test("parseDecimal accepts plain decimals only", () => {
  deepStrictEqual(
    ["0", "-12", "+7", "3.25", ".5", "1.", "1e3", "-2.5E-2", "123456789012345678"].map(
      parseDecimal,
    ),
    [0, -12, 7, 3.25, 0.5, 1, 1000, -0.025, 123456789012345678],
  );
  for (
    const bad of [
      "",
      " 1",
      "1 ",
      "0x10",
      "1e",
      "e3",
      "-",
      ".",
      "1.2.3",
      "Infinity",
      "NaN",
      "1e999",
      "1,5",
    ]
  ) {
    ok(Number.isNaN(parseDecimal(bad)), bad);
  }
});

Deno.test("coerceCell: text and native values per type; missing; invalid", () => {
  deepStrictEqual(
    [coerceCell("integer", "-1"), coerceCell("integer", 3), coerceCell("integer", "1.0")],
    [-1, 3, 1],
  );
  for (const bad of ["1.5", "abc", true, 2.5, {}]) strictEqual(coerceCell("integer", bad), INVALID);
  deepStrictEqual([coerceCell("number", "0.07"), coerceCell("number", 2)], [0.07, 2]);
  for (const bad of ["n/a", Infinity, NaN, false]) strictEqual(coerceCell("number", bad), INVALID);
  deepStrictEqual(
    ["true", "FALSE", "1", "0", "yes", "n", true, 0, 1].map((v) => coerceCell("boolean", v)),
    [true, false, true, false, true, false, true, false, true],
  );
  strictEqual(coerceCell("boolean", "maybe"), INVALID);
  strictEqual(coerceCell("boolean", 2), INVALID);
  deepStrictEqual([coerceCell("categorical", "tcp"), coerceCell("categorical", 7)], ["tcp", "7"]);
  strictEqual(coerceCell("categorical", [1]), INVALID);
  for (const t of ["integer", "number", "boolean", "categorical"] as const) {
    deepStrictEqual([coerceCell(t, ""), coerceCell(t, null), coerceCell(t, undefined)], [
      null,
      null,
      null,
    ]);
  }
});

Deno.test("coerceCell: spaces around text are not part of the value (as schema infer reads it)", () => {
  deepStrictEqual(
    [
      coerceCell("categorical", " BENIGN"),
      coerceCell("categorical", "tcp\t"),
      coerceCell("categorical", "a b"),
      coerceCell("integer", " 7 "),
      coerceCell("number", "\u00a00.5"),
      coerceCell("boolean", " yes"),
    ],
    ["BENIGN", "tcp", "a b", 7, 0.5, true],
  );
  for (const t of ["integer", "number", "boolean", "categorical"] as const) {
    strictEqual(coerceCell(t, "  "), null, t);
  }
  strictEqual(coerceCell("integer", "7 x"), INVALID);
});

Deno.test("domainCheck: values, ranges, nullability", () => {
  const tri = domainCheck({ name: "t", type: "integer", values: [-1, 0, 1], nullable: false });
  deepStrictEqual([tri(-1), tri(2), tri(null)], [null, "domain", "missing"]);
  const rate = domainCheck({ name: "r", type: "number", min: 0, max: 1, nullable: true });
  deepStrictEqual([rate(0), rate(1), rate(1.01), rate(-0.1), rate(null)], [
    null,
    null,
    "range",
    "range",
    null,
  ]);
  const cat = domainCheck({ name: "p", type: "categorical", values: ["tcp"], nullable: false });
  deepStrictEqual([cat("tcp"), cat("TCP")], [null, "domain"]);
});

Deno.test("messages: formatCell, showValue, describeDomain, explainRule", () => {
  deepStrictEqual([formatCell(null), formatCell(-1), formatCell(false), formatCell("a")], [
    "",
    "-1",
    "false",
    "a",
  ]);
  deepStrictEqual([showValue(""), showValue("x"), showValue(7)], ["(missing)", "'x'", "7"]);
  strictEqual(
    describeDomain({ name: "x", type: "integer", values: [-1, 1], nullable: false }),
    "{-1, 1}",
  );
  strictEqual(describeDomain({ name: "x", type: "integer", min: 0, nullable: false }), "≥ 0");
  strictEqual(describeDomain({ name: "x", type: "number", nullable: false }), "any");
  strictEqual(
    explainRule({ name: "x", type: "number", nullable: false }, "type"),
    "is not a number",
  );
  strictEqual(
    explainRule({ name: "x", type: "number", min: 0, max: 1, nullable: false }, "range"),
    "is outside [0, 1]",
  );
});

Deno.test("parseDecimal agrees with Number() on random decimals (fast path is exact)", () => {
  const rng = createRng(11);
  for (let i = 0; i < 20000; i++) {
    const int = String(rng.int(10 ** (1 + rng.int(9))));
    const frac = rng.int(3) === 0
      ? ""
      : "." + String(rng.int(10 ** 7)).padStart(1 + rng.int(7), "0");
    const s = (rng.int(4) === 0 ? "-" : "") + int + frac;
    strictEqual(parseDecimal(s), Number(s), s);
  }
});
