import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { CacheError } from "../../errors.ts";
import { collectGarbage } from "./gc.ts";
import { hashBytes, type PathInfo } from "./hash.ts";
import type { LockFile, LockOut } from "./lock.ts";
import { LocalStore } from "./local_store.ts";
import { saveOut } from "./out_cache.ts";
import { recordRun } from "./run_cache.ts";

async function withStore(body: (dir: string, store: LocalStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gc_test_" });
  try {
    await body(dir, new LocalStore(join(dir, ".cache")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const asOut = (path: string, info: PathInfo): LockOut => ({
  path,
  hash: info.hash,
  size: info.size,
  cache: true,
});

const lockWith = (outs: LockOut[]): LockFile => ({
  version: 1,
  stages: { train: { cmd: ["train"], deps: [], params: {}, outs } },
});

/** A kept file out, a kept dir out, an old model and its run entry. */
async function scenario(dir: string, store: LocalStore) {
  await Deno.writeTextFile(join(dir, "model.bin"), "old weights!");
  const old = await saveOut(store, join(dir, "model.bin"));
  await recordRun(store, {
    signature: hashBytes("old run"),
    stage: "train",
    outs: [asOut("model.bin", old)],
    createdAt: "2026-01-01T00:00:00.000Z",
  });
  await Deno.writeTextFile(join(dir, "model.bin"), "new weights");
  const model = await saveOut(store, join(dir, "model.bin"));
  await Deno.mkdir(join(dir, "plots"));
  await Deno.writeTextFile(join(dir, "plots", "a.svg"), "a");
  await Deno.writeTextFile(join(dir, "plots", "b.svg"), "b");
  const plots = await saveOut(store, join(dir, "plots"));
  const keptRun = {
    signature: hashBytes("new run"),
    stage: "train",
    outs: [asOut("model.bin", model), asOut("plots", plots)],
    createdAt: "2026-01-02T00:00:00.000Z",
  };
  await recordRun(store, keptRun);
  return { lock: lockWith(keptRun.outs), old, model, plots };
}

Deno.test("gc keeps referenced objects and dir files, removes the rest and their runs", async () => {
  await withStore(async (dir, store) => {
    const { lock, old, model, plots } = await scenario(dir, store);
    const result = await collectGarbage(store, { keep: [lock] });
    deepStrictEqual(result, { removedObjects: 1, removedRuns: 1, keptObjects: 4, freedBytes: 12 });
    deepStrictEqual(
      (await Array.fromAsync(store.listObjects())).sort(),
      [model.hash, plots.hash, hashBytes("a"), hashBytes("b")].sort(),
    );
    strictEqual(await store.hasObject(old.hash), false);
    strictEqual(await store.getRun(hashBytes("old run")), undefined);
    strictEqual((await store.getRun(hashBytes("new run")))?.stage, "train");
    // Idempotent.
    deepStrictEqual(await collectGarbage(store, { keep: [lock] }), {
      removedObjects: 0,
      removedRuns: 0,
      keptObjects: 4,
      freedBytes: 0,
    });
  });
});

Deno.test("gc dry run counts but removes nothing; an empty keep list removes everything", async () => {
  await withStore(async (dir, store) => {
    const { plots } = await scenario(dir, store);
    const manifestSize = (await store.statObject(plots.hash))!.size;
    const dry = await collectGarbage(store, { keep: [], dryRun: true });
    deepStrictEqual(dry, {
      removedObjects: 5,
      removedRuns: 2,
      keptObjects: 0,
      freedBytes: 12 + 11 + 1 + 1 + manifestSize,
    });
    strictEqual((await Array.fromAsync(store.listObjects())).length, 5);
    strictEqual((await Array.fromAsync(store.listRuns())).length, 2);
    await collectGarbage(store, { keep: [] });
    deepStrictEqual(await Array.fromAsync(store.listObjects()), []);
    deepStrictEqual(await Array.fromAsync(store.listRuns()), []);
  });
});

Deno.test("gc refuses to guess when a referenced manifest is corrupt", async () => {
  await withStore(async (dir, store) => {
    const { lock, plots } = await scenario(dir, store);
    const path = store.objectPath(plots.hash);
    await Deno.chmod(path, 0o644);
    await Deno.writeTextFile(path, "[]");
    await rejects(collectGarbage(store, { keep: [lock] }), CacheError);
    strictEqual(await store.hasObject(hashBytes("a")), true);
  });
});
