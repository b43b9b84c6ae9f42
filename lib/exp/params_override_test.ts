import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { applyOverrides, parseOverrides } from "./params_override.ts";
import { experimentRows, experimentTable } from "./show.ts";

Deno.test("parseOverrides: KEY=VALUE, FILE:KEY=VALUE, YAML values, bad shapes", () => {
  deepStrictEqual(parseOverrides(["a.b=0.1", "p2.yaml:x=mongodb", "l=[1, 2]", "e=", "s='1'"]), [
    { file: "params.yaml", key: "a.b", value: 0.1 },
    { file: "p2.yaml", key: "x", value: "mongodb" },
    { file: "params.yaml", key: "l", value: [1, 2] },
    { file: "params.yaml", key: "e", value: null },
    { file: "params.yaml", key: "s", value: "1" },
  ]);
  for (const bad of ["nokey", "=1", "a..b=1"]) {
    throws(() => parseOverrides([bad]), ConfigError, bad);
  }
});

Deno.test("applyOverrides: keeps comments and layout, records the old value, refuses new keys", () => {
  const text = "# top\ntrain:\n  lr: 0.01 # step\n  hidden: [64, 32]\nother: 1\n";
  const { text: out, changed } = applyOverrides(text, [
    { file: "params.yaml", key: "train.lr", value: 0.1 },
    { file: "params.yaml", key: "train.hidden", value: [8] },
  ]);
  // A replaced list is written in block style (the yaml package's default for new nodes).
  strictEqual(out, "# top\ntrain:\n  lr: 0.1 # step\n  hidden:\n    - 8\nother: 1\n");
  deepStrictEqual(changed.map((c) => c.was), [0.01, [64, 32]]);
  throws(
    () => applyOverrides(text, [{ file: "params.yaml", key: "train.lrr", value: 1 }]),
    (e: unknown) =>
      e instanceof ConfigError && e.message === "-S train.lrr: no such key in params.yaml",
  );
  throws(
    () => applyOverrides(text, [{ file: "params.yaml", key: "other.x", value: 1 }]),
    ConfigError,
  );
});

Deno.test("experimentTable: changed params and metrics, '-' where an experiment has none", () => {
  const rows = experimentRows([{
    id: "e1",
    status: "done",
    params: [{ file: "params.yaml", key: "train.lr", value: 0.1, was: 0.01 }],
    paramTexts: {},
    paramBase: {},
    queuedAt: "2026-12-04T00:00:00Z",
    metrics: { "a/m.json": { auc: 0.9, f1: 0.8 }, "b/m.json": { auc: 0.7 } },
  }], { "a/m.json": { auc: 0.85 } });
  const table = experimentTable(rows);
  deepStrictEqual(table.headers, [
    "experiment",
    "status",
    "train.lr",
    "m.json:auc",
    "f1",
    "m.json:auc",
  ]);
  deepStrictEqual(table.rows[0], ["workspace", "workspace", "-", "0.85", "-", "-"]);
  deepStrictEqual(table.rows[1], ["e1", "done", "0.1", "0.9", "0.8", "0.7"]);
  deepStrictEqual(experimentTable(rows, ["f1"]).headers, [
    "experiment",
    "status",
    "train.lr",
    "f1",
  ]);
});
