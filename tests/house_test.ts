/**
 * The house rules of lib/, checked on its local import graph (static and
 * dynamic imports, `export … from`, `new URL("…", import.meta.url)`; type-only
 * imports count): no import cycle, no lower layer importing a higher one, no
 * module over 400 lines. Test files (`*_test.ts`) may import anything and are
 * not counted. A new folder under lib/ must be given its layer in `LAYERS`.
 */
import { deepStrictEqual } from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO } from "./_workspace.ts";

/**
 * lib/'s folders from the bottom up: a module may import its own layer and the
 * layers below it, never one above. Same-layer folders may import each other
 * as long as no cycle forms.
 */
const LAYERS: string[][] = [
  ["lib"], // core: errors, log, cli, args, section, yaml, atomic writes, file hashing, rng
  ["lib/history", "lib/s3", "lib/services"], // stores and clients of outside things
  ["lib/data"], // data in: sources, CSV, tables, schema, checks, drift
  ["lib/reports"], // metrics, plots, reports
  ["lib/learn"], // preprocessing, models, fitting, search
  ["lib/url"], // URL features, reasons and the URL checker
  ["lib/runner/cache"], // hashes, stores, pipeline.lock, run-cache, sync, gc
  ["lib/runner/spec"], // pipeline.yaml parsed, validated, graphed (module deps hashed by the cache)
  ["lib/runner/run"], // staleness, executor, workspace lock, repro, status
  ["lib/runner"], // the runner's public face
  ["lib/exp", "lib/plots"], // experiments and plot pages, built on the runner
  ["lib/mlflow"], // tracking runs, the model registry
  ["lib/scoring"], // batch and row scoring with a released model
  ["lib/shard", "lib/monitor"], // sharded S3 predict; scheduled scoring with evaluation
  ["lib/serve"], // the HTTP service
  ["lib/dashboard"], // the browser UI, mounting the service
];

/**
 * Modules allowed over the limit while their split is pending (none now).
 * Listed ones must still be long: split one, drop it here.
 */
const PENDING_SPLITS = new Set<string>([]);

const MAX_LINES = 400;
const LIB = join(REPO, "lib");

function libFiles(dir = LIB, out: string[] = []): string[] {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) libFiles(p, out);
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      out.push(relative(REPO, p));
    }
  }
  return out.sort();
}

const SPEC = new RegExp(
  [
    String.raw`\bfrom\s*["'](\.{1,2}/[^"'\n]+)["']`,
    String.raw`\bimport\s*\(\s*["'](\.{1,2}/[^"'\n]+)["']\s*\)`,
    String.raw`\bimport\s+["'](\.{1,2}/[^"'\n]+)["']`,
    String.raw`\bnew\s+URL\(\s*["'](\.{1,2}/[^"'\n]+\.ts)["']\s*,\s*import\.meta\.url`,
  ].join("|"),
  "g",
);

/** Local .ts modules a file imports (comment lines, JSDoc examples included, skipped). */
function importsOf(file: string): string[] {
  const code = Deno.readTextFileSync(join(REPO, file))
    .split("\n")
    .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
    .join("\n");
  const out = new Set<string>();
  for (const m of code.matchAll(SPEC)) {
    const spec = m.slice(1).find((g) => g !== undefined)!;
    if (spec.endsWith(".ts")) out.add(normalize(join(dirname(file), spec)));
  }
  return [...out];
}

function layerOf(file: string): number | undefined {
  const dir = dirname(file);
  let best: { depth: number; layer: number } | undefined;
  LAYERS.forEach((folders, layer) => {
    for (const f of folders) {
      if (dir === f || (f !== "lib" && dir.startsWith(`${f}/`))) {
        if (!best || f.length > best.depth) best = { depth: f.length, layer };
      }
    }
  });
  return best?.layer;
}

const files = libFiles();
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith("lib/"))]));

Deno.test("house: every lib/ folder has a layer", () => {
  const missing = [...new Set(files.filter((f) => layerOf(f) === undefined).map(dirname))];
  deepStrictEqual(missing, [], "add these folders to LAYERS in tests/house_test.ts");
});

Deno.test("house: no lower layer imports a higher one", () => {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = layerOf(from), b = layerOf(to);
      if (a !== undefined && b !== undefined && b > a) bad.push(`${from} -> ${to}`);
    }
  }
  deepStrictEqual(bad, []);
});

Deno.test("house: no import cycle in lib/", () => {
  // Tarjan's strongly connected components; any with two or more modules is a cycle.
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  deepStrictEqual(cycles, []);
});

Deno.test("house: no lib/ module over 400 lines", () => {
  const long: string[] = [];
  const stale: string[] = [];
  for (const f of files) {
    const lines = Deno.readTextFileSync(join(REPO, f)).split("\n").length - 1;
    if (lines > MAX_LINES && !PENDING_SPLITS.has(f)) long.push(`${f}: ${lines} lines`);
    if (lines <= MAX_LINES && PENDING_SPLITS.has(f)) stale.push(f);
  }
  deepStrictEqual(long, [], `split these (at most ${MAX_LINES} lines a module)`);
  deepStrictEqual(stale, [], "split already: drop them from PENDING_SPLITS");
});

Deno.test("house: the graph walk sees this repo's modules", () => {
  // Guards the checks above against passing on an empty or mis-parsed graph.
  const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
  deepStrictEqual(files.length > 50 && edges > files.length, true);
  deepStrictEqual(fileURLToPath(import.meta.url).endsWith("tests/house_test.ts"), true);
});
