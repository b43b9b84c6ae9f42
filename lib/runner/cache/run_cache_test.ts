import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { CacheError } from "../../errors.ts";
import { hashBytes } from "./hash.ts";
import type { LockOut } from "./lock.ts";
import { LocalStore } from "./local_store.ts";
import type { RunEntry } from "./object_store.ts";
import { saveOut } from "./out_cache.ts";
import { lookupRun, recordRun } from "./run_cache.ts";

async function withStore(body: (dir: string, store: LocalStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "run_cache_test_" });
  try {
    await body(dir, new LocalStore(join(dir, ".cache")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Save a file out and a directory out; return the run entry describing them. */
async function savedRun(dir: string, store: LocalStore, signature: string): Promise<RunEntry> {
  await Deno.writeTextFile(join(dir, "model.bin"), "weights");
  await Deno.mkdir(join(dir, "plots"));
  await Deno.writeTextFile(join(dir, "plots", "roc.svg"), "<svg/>");
  const outs: LockOut[] = [];
  for (const path of ["model.bin", "plots"]) {
    const info = await saveOut(store, join(dir, path));
    outs.push({ path, hash: info.hash, size: info.size, nfiles: info.nfiles, cache: true });
  }
  return { signature, stage: "train", outs, createdAt: "2026-01-01T00:00:00.000Z" };
}

Deno.test("run cache: record then lookup returns the entry", async () => {
  await withStore(async (dir, store) => {
    const sig = hashBytes("cmd+deps+params");
    strictEqual(await lookupRun(store, sig), undefined);
    const entry = await savedRun(dir, store, sig);
    await recordRun(store, entry);
    deepStrictEqual(await lookupRun(store, sig), JSON.parse(JSON.stringify(entry)));
    deepStrictEqual(
      (await lookupRun(store, sig, { outs: ["plots", "model.bin"] }))?.stage,
      "train",
    );
    strictEqual(await lookupRun(store, sig, { outs: ["model.bin"] }), undefined);
    strictEqual(await lookupRun(store, hashBytes("other")), undefined);
  });
});

Deno.test("run cache: an entry whose objects are gone is a miss", async () => {
  await withStore(async (dir, store) => {
    const sig = hashBytes("sig");
    await recordRun(store, await savedRun(dir, store, sig));
    await store.deleteObject(hashBytes("<svg/>")); // a file inside the dir out
    strictEqual(await lookupRun(store, sig), undefined);
  });
  await withStore(async (dir, store) => {
    const sig = hashBytes("sig");
    await recordRun(store, await savedRun(dir, store, sig));
    await store.deleteObject(hashBytes("weights"));
    strictEqual(await lookupRun(store, sig), undefined);
  });
});

Deno.test("run cache: recording outs that were never saved is refused", async () => {
  await withStore(async (_dir, store) => {
    const entry: RunEntry = {
      signature: hashBytes("sig"),
      stage: "train",
      outs: [{ path: "model.bin", hash: hashBytes("unsaved"), size: 7, cache: true }],
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    await rejects(recordRun(store, entry), CacheError);
    strictEqual(await store.getRun(entry.signature), undefined);
  });
});
