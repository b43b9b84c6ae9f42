/**
 * The pipeline as a DAG of stages. Stage A is upstream of stage B when an
 * output of A and a dep of B overlap: the same path, B's dep inside A's output
 * folder, or A's output inside B's dep folder. Orders are deterministic: ties
 * are broken by the order of the stages in the pipeline file.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import { didYouMean } from "./_suggest.ts";
import { indexPaths, overlaps } from "./paths.ts";
import type { PipelineSpec, StageSpec } from "./spec_types.ts";

/** Stages and the edges between them, both ways. */
export interface Graph {
  /** Stages by name, in file order. */
  stages: Map<string, StageSpec>;
  /** For each stage, the stages producing something it reads. */
  upstream: Map<string, Set<string>>;
  /** For each stage, the stages reading something it produces. */
  downstream: Map<string, Set<string>>;
  /** The pipeline file, named in errors. */
  file?: string;
}

/**
 * Build the graph of a parsed pipeline. A cycle throws a
 * {@linkcode ConfigError} whose message prints it, `a -> b -> a`, and says
 * which path makes each edge.
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * import { buildGraph } from "./graph.ts";
 * const spec = parsePipeline(
 *   "stages:\n  a:\n    cmd: echo a\n    outs: [x]\n  b:\n    cmd: echo b\n    deps: [x]\n",
 *   { file: "pipeline.yaml" },
 * );
 * buildGraph(spec).upstream.get("b"); // Set { "a" }
 * ```
 */
export function buildGraph(spec: PipelineSpec): Graph {
  const producers = indexPaths<StageSpec>();
  const graph: Graph = {
    stages: new Map(),
    upstream: new Map(),
    downstream: new Map(),
    file: spec.file,
  };
  for (const stage of spec.stages) {
    graph.stages.set(stage.name, stage);
    graph.upstream.set(stage.name, new Set());
    graph.downstream.set(stage.name, new Set());
    for (const out of stage.outs) producers.add(out.path, stage);
  }
  for (const stage of spec.stages) {
    for (const dep of stage.deps) {
      for (const { value: producer } of producers.overlapping(dep)) {
        graph.upstream.get(stage.name)!.add(producer.name);
        graph.downstream.get(producer.name)!.add(stage.name);
      }
    }
  }
  const cycle = findCycle(graph);
  if (cycle) throw cycleError(graph, cycle);
  return graph;
}

/** A cycle as a list of stage names whose last equals its first, or undefined. */
function findCycle(graph: Graph): string[] | undefined {
  const order = fileOrder(graph);
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, "open");
    stack.push(name);
    for (const next of sortByFile(graph.downstream.get(name) ?? [], order)) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of graph.stages.keys()) {
    if (state.has(name)) continue;
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

function cycleError(graph: Graph, cycle: string[]): ConfigError {
  const reasons: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i++) {
    const from = graph.stages.get(cycle[i])!, to = graph.stages.get(cycle[i + 1])!;
    const pair = to.deps.flatMap((dep) =>
      from.outs.filter((o) =>
        overlaps(o.path, dep)
      ).map((o) => [dep, o.path])
    )[0];
    if (!pair) continue;
    const [dep, out] = pair;
    reasons.push(
      dep === out
        ? `'${to.name}' reads '${dep}' from '${from.name}'`
        : `'${to.name}' reads '${dep}', overlapping '${out}' of '${from.name}'`,
    );
  }
  const first = graph.stages.get(cycle[0])!;
  const file = graph.file ?? "the pipeline";
  return new ConfigError(
    `cycle in ${file}: ${cycle.join(" -> ")}${reasons.length ? ` (${reasons.join("; ")})` : ""}`,
    {
      file: graph.file,
      ...first.where,
      stage: first.name,
      hint: "a stage cannot depend, directly or through others, on its own outputs",
    },
  );
}

function fileOrder(graph: Graph): Map<string, number> {
  return new Map([...graph.stages.keys()].map((name, i) => [name, i]));
}

function sortByFile(names: Iterable<string>, order: Map<string, number>): string[] {
  return [...names].sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Throw the "unknown stage" error when a name is not in the graph. */
function checkKnown(graph: Graph, names: Iterable<string>): void {
  for (const name of names) {
    if (graph.stages.has(name)) continue;
    const known = [...graph.stages.keys()];
    throw new ConfigError(
      `unknown stage '${name}'${didYouMean(name, known)}; known stages: ${known.join(", ")}`,
      { file: graph.file, field: "target" },
    );
  }
}

/**
 * Stages in an order where every stage follows its upstream stages; among
 * stages that are ready at the same time, file order wins. With `subset`, only
 * those stages, still ordered by the whole graph (so a path through stages
 * outside the subset is respected). An unknown name throws a
 * {@linkcode ConfigError} listing the known stages.
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * import { buildGraph, topoOrder } from "./graph.ts";
 * const spec = parsePipeline(
 *   "stages:\n  b:\n    cmd: echo b\n    deps: [x]\n  a:\n    cmd: echo a\n    outs: [x]\n",
 *   { file: "pipeline.yaml" },
 * );
 * topoOrder(buildGraph(spec)); // ["a", "b"]
 * ```
 */
export function topoOrder(graph: Graph, subset?: Iterable<string>): string[] {
  const wanted = subset === undefined ? undefined : new Set(subset);
  if (wanted) checkKnown(graph, wanted);
  const order = fileOrder(graph);
  const waiting = new Map<string, number>();
  const ready: string[] = []; // kept sorted by file order
  const enqueue = (name: string) => {
    const at = order.get(name)!;
    let i = ready.length;
    while (i > 0 && order.get(ready[i - 1])! > at) i--;
    ready.splice(i, 0, name);
  };
  for (const name of graph.stages.keys()) {
    const n = graph.upstream.get(name)?.size ?? 0;
    waiting.set(name, n);
    if (n === 0) enqueue(name);
  }
  const result: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    result.push(name);
    for (const next of graph.downstream.get(name) ?? []) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) enqueue(next);
    }
  }
  if (result.length < graph.stages.size) {
    throw cycleError(graph, findCycle(graph) ?? [...graph.stages.keys()]);
  }
  return wanted ? result.filter((name) => wanted.has(name)) : result;
}

/**
 * The stages to run for `targets`, like `dvc repro TARGET`: the targets and
 * everything upstream of them, or with `downstream` the targets and everything
 * downstream of them, or with `single` (`repro -s`) the targets alone. No
 * targets means every stage. Returns topological order.
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * import { buildGraph, selectStages } from "./graph.ts";
 * const spec = parsePipeline(
 *   "stages:\n  a:\n    cmd: echo a\n    outs: [x]\n  b:\n    cmd: echo b\n    deps: [x]\n",
 *   { file: "pipeline.yaml" },
 * );
 * const graph = buildGraph(spec);
 * selectStages(graph, ["b"]); // ["a", "b"]
 * selectStages(graph, ["a"], { downstream: true }); // ["a", "b"]
 * selectStages(graph, ["b"], { single: true }); // ["b"]
 * ```
 */
export function selectStages(
  graph: Graph,
  targets: string[],
  options: { downstream?: boolean; single?: boolean } = {},
): string[] {
  if (targets.length === 0) return topoOrder(graph);
  // A foreach/matrix group name stands for all its stages (`repro build` runs every `build@…`).
  const expanded = targets.flatMap((t) => {
    if (graph.stages.has(t) || t.includes("@")) return [t];
    const members = [...graph.stages.keys()].filter((n) => n.startsWith(`${t}@`));
    return members.length > 0 ? members : [t];
  });
  checkKnown(graph, expanded);
  if (options.single) return topoOrder(graph, expanded);
  const edges = options.downstream ? graph.downstream : graph.upstream;
  const selected = new Set<string>();
  const queue = [...expanded];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (selected.has(name)) continue;
    selected.add(name);
    queue.push(...(edges.get(name) ?? []));
  }
  return topoOrder(graph, selected);
}

/** Edges as [from, to] pairs, sources in topo order, targets in topo order. */
function edgeList(graph: Graph, order: string[]): [string, string][] {
  const rank = new Map(order.map((name, i) => [name, i]));
  return order.flatMap((from) =>
    [...(graph.downstream.get(from) ?? [])]
      .sort((a, b) => rank.get(a)! - rank.get(b)!)
      .map((to): [string, string] => [from, to])
  );
}

/**
 * A Mermaid `flowchart TD` of the stages (one node per stage, labelled with
 * its name) and their edges, for Markdown files.
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * import { buildGraph, toMermaid } from "./graph.ts";
 * const spec = parsePipeline(
 *   "stages:\n  a:\n    cmd: echo a\n    outs: [x]\n  b:\n    cmd: echo b\n    deps: [x]\n",
 *   { file: "pipeline.yaml" },
 * );
 * toMermaid(buildGraph(spec));
 * // flowchart TD
 * //   s0["a"]
 * //   s1["b"]
 * //   s0 --> s1
 * ```
 */
export function toMermaid(graph: Graph): string {
  const order = topoOrder(graph);
  // Index ids, because names such as `end` or `a.b` are not valid Mermaid ids.
  const id = new Map(order.map((name, i) => [name, `s${i}`]));
  const label = (name: string) => name.replace(/"/g, "#quot;");
  return [
    "flowchart TD",
    ...order.map((name) => `  ${id.get(name)}["${label(name)}"]`),
    ...edgeList(graph, order).map(([from, to]) => `  ${id.get(from)} --> ${id.get(to)}`),
  ].join("\n");
}

/**
 * A Graphviz `digraph` of the stages and their edges (`dot -Tsvg`).
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * import { buildGraph, toDot } from "./graph.ts";
 * const spec = parsePipeline(
 *   "stages:\n  a:\n    cmd: echo a\n    outs: [x]\n  b:\n    cmd: echo b\n    deps: [x]\n",
 *   { file: "pipeline.yaml" },
 * );
 * toDot(buildGraph(spec)); // 'digraph pipeline {\n  rankdir=TB;\n  node [shape=box];\n  "a";\n  "b";\n  "a" -> "b";\n}'
 * ```
 */
export function toDot(graph: Graph): string {
  const order = topoOrder(graph);
  const q = (name: string) => `"${name.replace(/[\\"]/g, "\\$&")}"`;
  return [
    "digraph pipeline {",
    "  rankdir=TB;",
    "  node [shape=box];",
    ...order.map((name) => `  ${q(name)};`),
    ...edgeList(graph, order).map(([from, to]) => `  ${q(from)} -> ${q(to)};`),
    "}",
  ].join("\n");
}

/**
 * A plain-text view for the terminal: one line per stage in topological
 * order, with the stages it reads from and its flags.
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * import { buildGraph, toText } from "./graph.ts";
 * const spec = parsePipeline(
 *   "stages:\n  prepare:\n    cmd: echo a\n    outs: [x]\n  train:\n    cmd: echo b\n    deps: [x]\n",
 *   { file: "pipeline.yaml" },
 * );
 * toText(buildGraph(spec));
 * // prepare
 * // train    <- prepare
 * ```
 */
export function toText(graph: Graph): string {
  const order = topoOrder(graph);
  if (order.length === 0) return "(no stages)";
  const rank = new Map(order.map((name, i) => [name, i]));
  const width = Math.max(...order.map((name) => name.length));
  return order.map((name) => {
    const stage = graph.stages.get(name)!;
    const up = [...(graph.upstream.get(name) ?? [])].sort((a, b) => rank.get(a)! - rank.get(b)!);
    const flags = [stage.frozen && "frozen", stage.alwaysChanged && "always changed"]
      .filter(Boolean);
    let line = name.padEnd(width);
    if (up.length > 0) line += `  <- ${up.join(", ")}`;
    if (flags.length > 0) line += `  [${flags.join(", ")}]`;
    return line.trimEnd();
  }).join("\n");
}
