import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../../errors.ts";
import { indexPaths, isInside, normalizePath, overlaps } from "./paths.ts";

Deno.test("normalizePath gives the posix relative form", () => {
  strictEqual(normalizePath("./data//x.csv"), "data/x.csv");
  strictEqual(normalizePath("artifacts/"), "artifacts");
  strictEqual(normalizePath("a/./b/../c"), "a/c");
  strictEqual(normalizePath("model.json"), "model.json");
});

Deno.test("normalizePath rejects empty, absolute, escaping and root paths with where", () => {
  const cases: [string, string][] = [
    ["", "is empty"],
    ["/etc/passwd", "is absolute"],
    ["C:\\data\\x.csv", "is absolute"],
    ["../outside.csv", "escapes the workspace"],
    ["data/../../x", "escapes the workspace"],
    ["./", "is the workspace root"],
  ];
  for (const [raw, why] of cases) {
    throws(() => normalizePath(raw, { file: "pipeline.yaml", line: 4, stage: "s" }), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes(why), `${raw}: ${err.message}`);
      ok(err.message.includes(`'${raw}'`));
      deepStrictEqual([err.where.file, err.where.line, err.where.stage], ["pipeline.yaml", 4, "s"]);
      return true;
    });
  }
});

Deno.test("isInside and overlaps respect path segments", () => {
  ok(isInside("data/x.csv", "data"));
  ok(!isInside("data", "data"));
  ok(!isInside("data2/x.csv", "data"));
  ok(overlaps("data", "data"));
  ok(overlaps("data", "data/a/b"));
  ok(overlaps("data/a/b", "data"));
  ok(!overlaps("data/a", "data/b"));
  ok(!overlaps("data", "data.csv"));
});

Deno.test("indexPaths finds ancestors, the path itself and descendants only", () => {
  const index = indexPaths<string>();
  for (const p of ["a", "a/b", "a/b/c.csv", "a/bc", "a.b", "b", "a/b/d/e"]) index.add(p, p);
  index.add("a/b", "a/b again");
  deepStrictEqual(index.overlapping("a/b").map((e) => e.value), [
    "a",
    "a/b",
    "a/b again",
    "a/b/c.csv",
    "a/b/d/e",
  ]);
  deepStrictEqual(index.overlapping("b/x").map((e) => e.value), ["b"]);
  deepStrictEqual(index.overlapping("c"), []);
  index.add("c/z", "c/z");
  deepStrictEqual(index.overlapping("c").map((e) => e.path), ["c/z"]);
});
