/**
 * `repro -s` (only the named stages) and `repro --pull` (missing outs fetched
 * from the remote before deciding what runs), in-process with a second
 * LocalStore as the remote.
 */
import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../lib/errors.ts";
import { memoryLogger } from "../lib/log.ts";
import { buildGraph } from "../lib/runner/spec/graph.ts";
import { LocalStore } from "../lib/runner/cache/local_store.ts";
import type { ObjectStore } from "../lib/runner/cache/object_store.ts";
import { repro, type ReproOptions } from "../lib/runner/run/repro.ts";
import { loadPipeline } from "../lib/runner/spec/spec.ts";
import { pushCache } from "../lib/runner/cache/sync.ts";
import { openWorkspace } from "../lib/runner/cache/workspace.ts";
import { outcomes, type TempWorkspace, tempWorkspace } from "./_workspace.ts";

const PIPELINE = `stages:
  a:
    cmd: echo a >> runs.log && tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  b:
    cmd: echo b >> runs.log && cat upper.txt upper.txt > twice.txt
    deps: [upper.txt]
    outs: [twice.txt]
`;
const SOURCES = { "pipeline.yaml": PIPELINE, "raw.txt": "hello\n" };

async function runs(w: TempWorkspace): Promise<string[]> {
  return (await w.read("runs.log").catch(() => "")).split("\n").filter(Boolean);
}

async function run(w: TempWorkspace, options: ReproOptions, remote?: ObjectStore) {
  const ws = await openWorkspace({ root: w.root, remote }, memoryLogger());
  try {
    const summary = await repro(ws, buildGraph(await loadPipeline(w.root)), options);
    return { summary, ws };
  } finally {
    await ws.close();
  }
}

Deno.test("repro -s runs only the named stage, not its stale upstream", async () => {
  const w = await tempWorkspace(SOURCES);
  try {
    await run(w, {});
    await Deno.writeTextFile(join(w.root, "raw.txt"), "changed\n");
    await Deno.remove(join(w.root, "twice.txt"));
    const { summary } = await run(w, { targets: ["b"], single: true });
    deepStrictEqual(summary.errors, []);
    deepStrictEqual(outcomes(summary), { b: "restored" });
    deepStrictEqual(await runs(w), ["a", "b"], "a (stale) did not run again");
    const again = await run(w, { targets: ["a"], single: true });
    deepStrictEqual(outcomes(again.summary), { a: "ran" });
    deepStrictEqual(await runs(w), ["a", "b", "a"]);
  } finally {
    await w.cleanup();
  }
});

Deno.test("repro --pull checks missing outs out from the remote before deciding", async () => {
  const first = await tempWorkspace(SOURCES);
  const second = await tempWorkspace(SOURCES);
  const remote = new LocalStore(join(first.root, "remote"));
  try {
    const a = await run(first, {});
    await pushCache(a.ws.store, remote, { lock: await first.lock(), log: memoryLogger() });
    // A fresh clone: the committed lock, no outs, an empty cache.
    await Deno.writeTextFile(join(second.root, "pipeline.lock"), await first.read("pipeline.lock"));
    const b = await run(second, { pull: true }, remote);
    deepStrictEqual(b.summary.errors, []);
    deepStrictEqual(outcomes(b.summary), { a: "fresh", b: "fresh" });
    deepStrictEqual(await runs(second), []);
    strictEqual(await second.read("twice.txt"), "HELLO\nHELLO\n");
  } finally {
    await first.cleanup();
    await second.cleanup();
  }
});

Deno.test("repro --pull runs a stage whose outs the remote lacks; no remote is a ConfigError", async () => {
  const first = await tempWorkspace(SOURCES);
  const second = await tempWorkspace(SOURCES);
  try {
    await run(first, {});
    await Deno.writeTextFile(join(second.root, "pipeline.lock"), await first.read("pipeline.lock"));
    const empty = new LocalStore(join(second.root, "empty-remote"));
    const b = await run(second, { pull: true }, empty);
    deepStrictEqual(b.summary.errors, []);
    deepStrictEqual(outcomes(b.summary), { a: "ran", b: "ran" });
    await rejects(run(second, { pull: true }), ConfigError);
  } finally {
    await first.cleanup();
    await second.cleanup();
  }
});
