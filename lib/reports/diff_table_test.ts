import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { cell, diffValues, flatten, formatTable } from "./diff_table.ts";

Deno.test("flatten nests objects and arrays into dotted keys", () => {
  deepStrictEqual(flatten({ a: { b: 1, c: [true, "x"] }, d: null }), {
    "a.b": 1,
    "a.c.0": true,
    "a.c.1": "x",
    d: null,
  });
  deepStrictEqual(flatten(3, "train.lr"), { "train.lr": 3 });
});

Deno.test("diffValues lists changed, added and removed keys with numeric change", () => {
  const rows = diffValues(
    { "m.json": { acc: 0.9, auc: 0.95, gone: 1 } },
    { "m.json": { acc: 0.925, auc: 0.95, fresh: "x" } },
  );
  deepStrictEqual(rows, [
    { file: "m.json", key: "acc", old: 0.9, new: 0.925, change: 0.025 },
    { file: "m.json", key: "fresh", old: undefined, new: "x" },
    { file: "m.json", key: "gone", old: 1, new: undefined },
  ]);
  strictEqual(diffValues({ f: { a: 1 } }, { f: { a: 1 } }, { all: true }).length, 1);
});

Deno.test("formatTable aligns columns; cell shows absent and rounds", () => {
  strictEqual(formatTable(["k", "value"], [["long-key", "1"]]), "k         value\nlong-key  1");
  strictEqual(cell(undefined), "-");
  strictEqual(cell(1 / 3), "0.333333");
});
