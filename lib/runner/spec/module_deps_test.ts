import { deepStrictEqual, match, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { memoryLogger } from "../../log.ts";
import { buildGraph } from "./graph.ts";
import { readLock } from "../cache/lock.ts";
import { denoInfoClosure, expandModuleDeps } from "./module_deps.ts";
import { repro } from "../run/repro.ts";
import { loadPipeline, parsePipeline } from "./spec.ts";
import { openWorkspace } from "../cache/workspace.ts";

const PIPELINE = `stages:
  run:
    cmd: deno run --allow-read --allow-write main.ts
    deps: [main.ts, data.txt]
    outs: [out.txt]
`;

async function workspace(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "module-deps-" });
  const files: Record<string, string> = {
    "pipeline.yaml": PIPELINE,
    "data.txt": "x\n",
    "main.ts": `import { b } from "./lib/b.ts";\nDeno.writeTextFileSync("out.txt", b());\n`,
    "lib/b.ts": `import { c } from "./c.ts";\nexport const b = () => c + "\\n";\n`,
    "lib/c.ts":
      `/** \`\`\`ts\n * import { z } from "./unused.ts";\n * \`\`\` */\nexport const c = "c";\n`,
    "lib/unused.ts": `export const z = 1;\n`,
  };
  await Deno.mkdir(join(root, "lib"));
  for (const [p, t] of Object.entries(files)) await Deno.writeTextFile(join(root, p), t);
  return root;
}

Deno.test("a .ts dep expands to its local import closure (not modules named in comments)", async () => {
  const root = await workspace();
  try {
    deepStrictEqual(await denoInfoClosure(root, "main.ts"), ["lib/b.ts", "lib/c.ts", "main.ts"]);
    const spec = await loadPipeline(root, { cacheDir: join(root, ".cache") });
    deepStrictEqual(spec.byName.get("run")!.deps, ["main.ts", "lib/b.ts", "lib/c.ts", "data.txt"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("every closure file is hashed into the lock; changing one re-runs the stage", async () => {
  const root = await workspace();
  const run = async () => {
    const ws = await openWorkspace({ root }, memoryLogger());
    try {
      const spec = await loadPipeline(root, { cacheDir: ws.cacheDir, memo: ws.memo });
      return await repro(ws, buildGraph(spec));
    } finally {
      await ws.close();
    }
  };
  try {
    deepStrictEqual((await run()).results.map((r) => r.outcome), ["ran"]);
    const lock = await readLock(join(root, "pipeline.lock"));
    deepStrictEqual(lock.stages.run.deps.map((d) => d.path), [
      "data.txt",
      "lib/b.ts",
      "lib/c.ts",
      "main.ts",
    ]);
    deepStrictEqual((await run()).results.map((r) => r.outcome), ["fresh"]);
    await Deno.writeTextFile(join(root, "lib/c.ts"), `export const c = "C";\n`);
    const changed = (await run()).results[0];
    deepStrictEqual([changed.outcome, changed.reason?.kind], ["ran", "dep_changed"]);
    strictEqual(await Deno.readTextFile(join(root, "out.txt")), "C\n");
    // A new import is picked up: the cached closure is re-resolved when a file changed.
    await Deno.writeTextFile(
      join(root, "lib/c.ts"),
      `import { z } from "./unused.ts";\nexport const c = "C" + z;\n`,
    );
    deepStrictEqual((await run()).results.map((r) => r.outcome), ["ran"]);
    const again = await readLock(join(root, "pipeline.lock"));
    deepStrictEqual(again.stages.run.deps.map((d) => d.path), [
      "data.txt",
      "lib/b.ts",
      "lib/c.ts",
      "lib/unused.ts",
      "main.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the closure is cached by its files' hashes: unchanged files, no re-resolution", async () => {
  const root = await workspace();
  const cacheDir = join(root, ".cache");
  await Deno.mkdir(cacheDir);
  let calls = 0;
  const resolve = (r: string, entry: string) => {
    calls++;
    return denoInfoClosure(r, entry);
  };
  try {
    const spec = parsePipeline(PIPELINE, { file: "pipeline.yaml" });
    const first = await expandModuleDeps(root, spec, { cacheDir, resolve });
    const second = await expandModuleDeps(root, spec, { cacheDir, resolve });
    deepStrictEqual(second.byName.get("run")!.deps, first.byName.get("run")!.deps);
    strictEqual(calls, 1);
    await Deno.writeTextFile(join(root, "lib/b.ts"), `export const b = () => "b\\n";\n`);
    const third = await expandModuleDeps(root, spec, { cacheDir, resolve });
    strictEqual(calls, 2);
    deepStrictEqual(third.byName.get("run")!.deps, ["main.ts", "lib/b.ts", "data.txt"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a module graph that does not resolve is a ConfigError naming the entry and stage", async () => {
  const root = await workspace();
  try {
    await Deno.writeTextFile(join(root, "lib/b.ts"), `import { gone } from "./gone.ts";\n`);
    await rejects(loadPipeline(root), (e: unknown) => {
      strictEqual((e as ConfigError).where.stage, "run");
      match((e as Error).message, /module graph of dep 'main\.ts'/);
      return e instanceof ConfigError;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
