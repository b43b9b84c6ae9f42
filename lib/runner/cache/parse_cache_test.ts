import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { cachedParse, parseCacheDir } from "./parse_cache.ts";
import { loadPipeline } from "../spec/spec.ts";

Deno.test("cachedParse parses once per text and returns the cached value after", async () => {
  const dir = await Deno.makeTempDir();
  let calls = 0;
  const parse = () => (calls++, { n: 1 });
  const opts = { cacheDir: dir, kind: "t", file: "f", text: "n: 1", parse };
  deepStrictEqual(await cachedParse(opts), { n: 1 });
  deepStrictEqual(await cachedParse(opts), { n: 1 });
  strictEqual(calls, 1);
  await cachedParse({ ...opts, text: "n: 2" });
  strictEqual(calls, 2, "another text is another key");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cachedParse never caches a failed parse", async () => {
  const dir = await Deno.makeTempDir();
  const fail = () => {
    throw new ConfigError("bad");
  };
  const opts = { cacheDir: dir, kind: "t", file: "f", text: "x", parse: fail };
  await rejects(cachedParse(opts), ConfigError);
  await rejects(cachedParse(opts), ConfigError);
  const entries = await Array.fromAsync(Deno.readDir(parseCacheDir(dir))).catch(() => []);
  strictEqual(entries.length, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a cached pipeline still reports missing params with their line", async () => {
  const root = await Deno.makeTempDir();
  const cacheDir = join(root, ".cache");
  await Deno.writeTextFile(
    join(root, "pipeline.yaml"),
    "stages:\n  s:\n    cmd: 'true'\n    params:\n      - a.b\n",
  );
  await Deno.writeTextFile(join(root, "params.yaml"), "a:\n  b: 1\n");
  const first = await loadPipeline(root, { cacheDir });
  const second = await loadPipeline(root, { cacheDir });
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
  deepStrictEqual(plain(second.stages), plain(first.stages));
  ok(second.byName.get("s"));
  // The params file changes: the pipeline entry is reused, the new params text is parsed.
  await Deno.writeTextFile(join(root, "params.yaml"), "a:\n  c: 1\n");
  await rejects(loadPipeline(root, { cacheDir }), (e) => {
    ok(e instanceof ConfigError);
    strictEqual(e.where.line, 5, "the line of the declaration in pipeline.yaml");
    ok(e.message.includes("a.b"), e.message);
    return true;
  });
  await Deno.remove(root, { recursive: true });
});
