import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../../errors.ts";
import {
  buildGraph,
  type Graph,
  selectStages,
  toDot,
  toMermaid,
  topoOrder,
  toText,
} from "./graph.ts";
import { parsePipeline, type PipelineSpec, type StageSpec } from "./spec.ts";

/** A pipeline from compact stage descriptions, in the given (file) order. */
function pipeline(stages: Record<string, { deps?: string[]; outs?: string[] }>): PipelineSpec {
  const lines = ["stages:"];
  for (const [name, { deps = [], outs = [] }] of Object.entries(stages)) {
    lines.push(`  ${name}:`, "    cmd: echo");
    if (deps.length) lines.push(`    deps: [${deps.join(", ")}]`);
    if (outs.length) lines.push(`    outs: [${outs.join(", ")}]`);
  }
  return parsePipeline(lines.join("\n") + "\n", { file: "pipeline.yaml" });
}

const edges = (g: Graph) =>
  [...g.downstream].flatMap(([from, tos]) => [...tos].map((to) => `${from}->${to}`)).sort();

Deno.test("buildGraph: an edge when an out equals a dep", () => {
  const g = buildGraph(pipeline({ a: { outs: ["x.csv"] }, b: { deps: ["./x.csv"] } }));
  deepStrictEqual(edges(g), ["a->b"]);
  deepStrictEqual([...g.upstream.get("b")!], ["a"]);
  deepStrictEqual([...g.upstream.get("a")!], []);
  strictEqual(g.file, "pipeline.yaml");
  deepStrictEqual([...g.stages.keys()], ["a", "b"]);
});

Deno.test("buildGraph: an edge when the dep is inside an out folder", () => {
  const g = buildGraph(
    pipeline({ a: { outs: ["artifacts/"] }, b: { deps: ["artifacts/m.json"] } }),
  );
  deepStrictEqual(edges(g), ["a->b"]);
});

Deno.test("buildGraph: an edge when an out is inside a dep folder", () => {
  const g = buildGraph(
    pipeline({
      a: { outs: ["data/clean.csv"] },
      b: { outs: ["data/extra.csv"] },
      c: { deps: ["data"] },
    }),
  );
  deepStrictEqual(edges(g), ["a->c", "b->c"]);
});

Deno.test("buildGraph: no edge between sibling paths that share a prefix", () => {
  const g = buildGraph(
    pipeline({ a: { outs: ["data"] }, b: { deps: ["data2/x", "data.csv", "dat"] } }),
  );
  deepStrictEqual(edges(g), []);
});

Deno.test("buildGraph: a cycle prints its stages and the paths that close it", () => {
  const spec = pipeline({
    a: { deps: ["z"], outs: ["x"] },
    b: { deps: ["x"], outs: ["y"] },
    c: { deps: ["y/part"], outs: ["z"] },
  });
  throws(() => buildGraph(spec), (err) => {
    ok(err instanceof ConfigError);
    ok(err.message.includes("cycle in pipeline.yaml: a -> b -> c -> a"), err.message);
    ok(err.message.includes("'b' reads 'x' from 'a'"), err.message);
    ok(err.message.includes("'c' reads 'y/part', overlapping 'y' of 'b'"), err.message);
    deepStrictEqual([err.where.file, err.where.line, err.where.stage], ["pipeline.yaml", 2, "a"]);
    return true;
  });
});

Deno.test("buildGraph: a self-loop in a hand-built spec is a cycle too", () => {
  const stage: StageSpec = {
    name: "solo",
    cmd: ["echo"],
    deps: ["x"],
    params: [],
    outs: [{ path: "x", kind: "out", cache: true, persist: false }],
    alwaysChanged: false,
    frozen: false,
    where: { line: 2, column: 3 },
  };
  throws(
    () => buildGraph({ file: "p.yaml", stages: [stage], byName: new Map([["solo", stage]]) }),
    /cycle in p\.yaml: solo -> solo/,
  );
});

// Diamond with a side branch, written out of order on purpose:
//   prep -> feat -> train -> eval ; prep -> eval ; report (independent) ; lint (independent)
const DIAMOND = pipeline({
  report: { outs: ["report.md"] },
  train: { deps: ["feat.bin"], outs: ["model.bin"] },
  prep: { outs: ["data"] },
  eval: { deps: ["model.bin", "data/test.csv"], outs: ["metrics.json"] },
  feat: { deps: ["data/train.csv"], outs: ["feat.bin"] },
  lint: {},
});

Deno.test("topoOrder: upstream first, ties by file order, deterministic", () => {
  const g = buildGraph(DIAMOND);
  const order = topoOrder(g);
  deepStrictEqual(order, ["report", "prep", "feat", "train", "eval", "lint"]);
  deepStrictEqual(topoOrder(buildGraph(DIAMOND)), order);
});

Deno.test("topoOrder: a subset keeps the whole graph's order", () => {
  const g = buildGraph(DIAMOND);
  deepStrictEqual(topoOrder(g, ["eval", "prep", "lint"]), ["prep", "eval", "lint"]);
  deepStrictEqual(topoOrder(g, []), []);
  throws(() => topoOrder(g, ["nope"]), /unknown stage 'nope'/);
});

Deno.test("selectStages: targets plus everything upstream", () => {
  const g = buildGraph(DIAMOND);
  deepStrictEqual(selectStages(g, ["train"]), ["prep", "feat", "train"]);
  deepStrictEqual(selectStages(g, ["eval"]), ["prep", "feat", "train", "eval"]);
  deepStrictEqual(selectStages(g, ["lint", "feat"]), ["prep", "feat", "lint"]);
});

Deno.test("selectStages: with downstream, targets plus everything downstream", () => {
  const g = buildGraph(DIAMOND);
  deepStrictEqual(selectStages(g, ["feat"], { downstream: true }), ["feat", "train", "eval"]);
  deepStrictEqual(selectStages(g, ["prep"], { downstream: true }), [
    "prep",
    "feat",
    "train",
    "eval",
  ]);
  deepStrictEqual(selectStages(g, ["eval"], { downstream: true }), ["eval"]);
});

Deno.test("selectStages: with single, only the targets (repro -s)", () => {
  const g = buildGraph(DIAMOND);
  deepStrictEqual(selectStages(g, ["train"], { single: true }), ["train"]);
  deepStrictEqual(selectStages(g, ["eval", "prep"], { single: true }), ["prep", "eval"]);
  throws(() => selectStages(g, ["nope"], { single: true }), ConfigError);
});

Deno.test("selectStages: no targets means every stage", () => {
  const g = buildGraph(DIAMOND);
  deepStrictEqual(selectStages(g, []), topoOrder(g));
  deepStrictEqual(selectStages(g, [], { downstream: true }), topoOrder(g));
});

Deno.test("selectStages: an unknown target lists the known stages", () => {
  const g = buildGraph(DIAMOND);
  throws(() => selectStages(g, ["trian"]), (err) => {
    ok(err instanceof ConfigError);
    ok(err.message.includes("unknown stage 'trian'"), err.message);
    ok(err.message.includes("did you mean 'train'?"), err.message);
    ok(err.message.includes("known stages: report, train, prep, eval, feat, lint"), err.message);
    strictEqual(err.where.file, "pipeline.yaml");
    return true;
  });
});

const SMALL = pipeline({
  prepare: { outs: ["data"] },
  "end": { deps: ["data"], outs: ["m"] },
  "a.b": { deps: ["data", "m"] },
});

Deno.test("toMermaid: one node per stage, edges in topo order", () => {
  strictEqual(
    toMermaid(buildGraph(SMALL)),
    [
      "flowchart TD",
      '  s0["prepare"]',
      '  s1["end"]',
      '  s2["a.b"]',
      "  s0 --> s1",
      "  s0 --> s2",
      "  s1 --> s2",
    ].join("\n"),
  );
});

Deno.test("toDot: a digraph with quoted names", () => {
  strictEqual(
    toDot(buildGraph(SMALL)),
    [
      "digraph pipeline {",
      "  rankdir=TB;",
      "  node [shape=box];",
      '  "prepare";',
      '  "end";',
      '  "a.b";',
      '  "prepare" -> "end";',
      '  "prepare" -> "a.b";',
      '  "end" -> "a.b";',
      "}",
    ].join("\n"),
  );
});

Deno.test("toText: stages in topo order with their upstream stages and flags", () => {
  const spec = parsePipeline(
    [
      "stages:",
      "  prepare:",
      "    cmd: echo",
      "    outs: [data]",
      "    frozen: true",
      "  train:",
      "    cmd: echo",
      "    deps: [data]",
      "    outs: [m]",
      "    always_changed: true",
      "  evaluate:",
      "    cmd: echo",
      "    deps: [m, data]",
    ].join("\n"),
    { file: "pipeline.yaml" },
  );
  strictEqual(
    toText(buildGraph(spec)),
    [
      "prepare   [frozen]",
      "train     <- prepare  [always changed]",
      "evaluate  <- prepare, train",
    ].join("\n"),
  );
  strictEqual(
    toText({ stages: new Map(), upstream: new Map(), downstream: new Map() }),
    "(no stages)",
  );
});
