import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { hashBytes } from "./hash.ts";
import { LocalStore } from "./local_store.ts";
import { restoreOut, saveOut } from "./out_cache.ts";

async function withStore(body: (dir: string, store: LocalStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "out_cache_test_" });
  try {
    await body(dir, new LocalStore(join(dir, ".cache")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), text);
  }
}

/** relpath -> content of every file under root. */
async function readTree(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(join(root, rel))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) Object.assign(out, await readTree(root, r));
    else out[r] = await Deno.readTextFile(join(root, r));
  }
  return Object.fromEntries(Object.entries(out).sort());
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("saveOut/restoreOut: a file round-trips and replaces an edited copy", async () => {
  await withStore(async (dir, store) => {
    const model = join(dir, "model.bin");
    await Deno.writeTextFile(model, "weights v1");
    const info = await saveOut(store, model);
    deepStrictEqual(info, { hash: hashBytes("weights v1"), size: 10, isDir: false });
    await Deno.writeTextFile(model, "edited in place");
    strictEqual(await restoreOut(store, model, info.hash), "ok");
    strictEqual(await Deno.readTextFile(model), "weights v1");
    // The restore is a copy: editing it leaves the cached object intact.
    await Deno.writeTextFile(model, "edited again");
    strictEqual(await restoreOut(store, join(dir, "elsewhere", "m.bin"), info.hash), "ok");
    strictEqual(await Deno.readTextFile(join(dir, "elsewhere", "m.bin")), "weights v1");
  });
});

Deno.test("saveOut/restoreOut: a directory round-trips, replacing what is there", async () => {
  await withStore(async (dir, store) => {
    const out = join(dir, "features");
    const files = { "train.csv": "a,b\n1,2\n", "test.csv": "a,b\n3,4\n", "meta/info.json": "{}" };
    await writeTree(out, files);
    const info = await saveOut(store, out);
    strictEqual(info.isDir, true);
    strictEqual(info.nfiles, 3);
    ok(await store.hasObject(info.hash));
    strictEqual((await Array.fromAsync(store.listObjects())).length, 4); // 3 files + manifest

    await writeTree(out, { "train.csv": "changed", "stray.tmp": "x" });
    strictEqual(await restoreOut(store, out, info.hash), "ok");
    deepStrictEqual(await readTree(out), Object.fromEntries(Object.entries(files).sort()));
    deepStrictEqual(await names(dir), [".cache", "features"]); // no temp left behind

    // A file standing where the directory should be is replaced too.
    await Deno.remove(out, { recursive: true });
    await Deno.writeTextFile(out, "not a dir");
    strictEqual(await restoreOut(store, out, info.hash), "ok");
    deepStrictEqual(Object.keys(await readTree(out)).length, 3);
  });
});

Deno.test("restoreOut: a file out can replace a directory in the way", async () => {
  await withStore(async (dir, store) => {
    const path = join(dir, "report.txt");
    await Deno.writeTextFile(path, "report");
    const { hash } = await saveOut(store, path);
    await Deno.remove(path);
    await writeTree(path, { "x": "in the way" });
    strictEqual(await restoreOut(store, path, hash), "ok");
    strictEqual(await Deno.readTextFile(path), "report");
    deepStrictEqual(await names(dir), [".cache", "report.txt"]);
  });
});

Deno.test("restoreOut: a corrupt file object leaves the workspace directory as it was", async () => {
  await withStore(async (dir, store) => {
    const out = join(dir, "features");
    await writeTree(out, { "a.csv": "aaa", "b.csv": "bbb" });
    const info = await saveOut(store, out);
    const victim = store.objectPath(hashBytes("bbb"));
    await Deno.chmod(victim, 0o644);
    await Deno.writeTextFile(victim, "BBB");
    await writeTree(out, { "a.csv": "current a" });
    const before = await readTree(out);
    strictEqual(await restoreOut(store, out, info.hash), "corrupt");
    deepStrictEqual(await readTree(out), before);
    deepStrictEqual(await names(dir), [".cache", "features"]);
  });
});

Deno.test("restoreOut: missing objects and a missing manifest are reported, nothing changes", async () => {
  await withStore(async (dir, store) => {
    const out = join(dir, "features");
    await writeTree(out, { "a.csv": "aaa", "b.csv": "bbb" });
    const info = await saveOut(store, out);
    await store.deleteObject(hashBytes("aaa"));
    await Deno.remove(out, { recursive: true });
    strictEqual(await restoreOut(store, out, info.hash), "missing");
    await rejects(Deno.stat(out), Deno.errors.NotFound);
    await store.deleteObject(info.hash);
    strictEqual(await restoreOut(store, out, info.hash), "missing");
    strictEqual(await restoreOut(store, join(dir, "f"), hashBytes("never")), "missing");
    deepStrictEqual(await names(dir), [".cache"]);
  });
});

Deno.test("restoreOut: a corrupt manifest is reported as corrupt", async () => {
  await withStore(async (dir, store) => {
    const out = join(dir, "d");
    await writeTree(out, { "a": "a" });
    const info = await saveOut(store, out);
    const manifest = store.objectPath(info.hash);
    await Deno.chmod(manifest, 0o644);
    await Deno.writeTextFile(manifest, "[]");
    strictEqual(await restoreOut(store, out, info.hash), "corrupt");
    strictEqual(await Deno.readTextFile(join(out, "a")), "a");
  });
});

Deno.test("saveOut: a missing out throws NotFound", async () => {
  await withStore(async (dir, store) => {
    await rejects(saveOut(store, join(dir, "nothing")), Deno.errors.NotFound);
  });
});
