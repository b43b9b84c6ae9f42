import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { memoryLogger } from "../../log.ts";
import { LocalStore } from "./local_store.ts";
import { type LockFile, type LockOut, stageSignature } from "./lock.ts";
import { restoreOut, saveOut } from "./out_cache.ts";
import { fetchRun, pullCache, pushCache } from "./sync.ts";

/** A local cache holding a file out (stage a) and a directory out (stage b), and their lock. */
async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "sync_test_" });
  const local = new LocalStore(join(dir, "local"));
  const remote = new LocalStore(join(dir, "remote"));
  const ws = join(dir, "ws");
  await Deno.mkdir(join(ws, "data", "sub"), { recursive: true });
  await Deno.writeTextFile(join(ws, "model.bin"), "weights");
  await Deno.writeTextFile(join(ws, "data", "x.csv"), "1,2\n");
  await Deno.writeTextFile(join(ws, "data", "sub", "y.csv"), "3,4\n");
  const out = async (path: string): Promise<LockOut> => {
    const info = await saveOut(local, join(ws, path));
    return {
      path,
      hash: info.hash,
      size: info.size,
      cache: true,
      ...(info.nfiles ? { nfiles: info.nfiles } : {}),
    };
  };
  const lock: LockFile = {
    version: 1,
    stages: {
      a: { cmd: ["make model"], deps: [], params: {}, outs: [await out("model.bin")] },
      b: { cmd: ["make data"], deps: [], params: {}, outs: [await out("data")] },
    },
  };
  return { dir, local, remote, ws, lock, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

const sorted = async (it: AsyncIterable<string>) => (await Array.fromAsync(it)).sort();

Deno.test("pushCache: every object and a run entry per stage; a second push skips them", async () => {
  const fx = await fixture();
  try {
    const log = memoryLogger();
    const first = await pushCache(fx.local, fx.remote, { lock: fx.lock, log, jobs: 2 });
    strictEqual(first.copied, 4, "model, two files, one manifest");
    strictEqual(first.runsCopied, 2);
    deepStrictEqual(first.failed, []);
    deepStrictEqual(await sorted(fx.remote.listObjects()), await sorted(fx.local.listObjects()));
    const sigA = stageSignature(fx.lock.stages.a);
    deepStrictEqual((await fx.remote.getRun(sigA))?.outs, fx.lock.stages.a.outs);
    const again = await pushCache(fx.local, fx.remote, { lock: fx.lock, log });
    deepStrictEqual([again.copied, again.skipped, again.runsCopied, again.runsSkipped], [
      0,
      2,
      0,
      2,
    ]);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("pullCache: an empty cache gets the objects and run entries back, restorable", async () => {
  const fx = await fixture();
  try {
    const log = memoryLogger();
    await pushCache(fx.local, fx.remote, { lock: fx.lock, log });
    const fresh = new LocalStore(join(fx.dir, "fresh"));
    const pulled = await pullCache(fx.remote, fresh, { lock: fx.lock, log, tmpDir: fx.dir });
    strictEqual(pulled.copied, 4);
    strictEqual(pulled.runsCopied, 2);
    deepStrictEqual(pulled.failed, []);
    const dest = join(fx.dir, "restored");
    strictEqual(await restoreOut(fresh, dest, fx.lock.stages.b.outs[0].hash), "ok");
    strictEqual(await Deno.readTextFile(join(dest, "sub", "y.csv")), "3,4\n");
    ok(await fresh.getRun(stageSignature(fx.lock.stages.b)));
    const leftovers = [...Deno.readDirSync(fx.dir)].map((e) => e.name).filter((n) =>
      n.startsWith("pull-")
    );
    deepStrictEqual(leftovers, [], "the download folder is removed");
  } finally {
    await fx.cleanup();
  }
});

Deno.test("sync: missing and corrupt objects are reported per out; the rest still moves", async () => {
  const fx = await fixture();
  try {
    const log = memoryLogger();
    const model = fx.lock.stages.a.outs[0].hash;
    await fx.local.deleteObject(model);
    const pushed = await pushCache(fx.local, fx.remote, { lock: fx.lock, log });
    deepStrictEqual(pushed.failed, [{
      stage: "a",
      path: "model.bin",
      hash: model,
      result: "missing",
    }]);
    strictEqual(pushed.runsCopied, 1, "only b's entry: a's objects are incomplete");
    strictEqual(await fx.remote.getRun(stageSignature(fx.lock.stages.a)), undefined);

    const [file] = await Array.fromAsync(fx.remote.listObjects()).then((all) =>
      all.filter((h) => !h.endsWith(".dir"))
    );
    const path = fx.remote.objectPath(file);
    await Deno.chmod(path, 0o644);
    await Deno.writeTextFile(path, "tampered");
    const fresh = new LocalStore(join(fx.dir, "fresh"));
    const pulled = await pullCache(fx.remote, fresh, { lock: fx.lock, log, stages: ["b"] });
    deepStrictEqual(pulled.failed.map((f) => [f.stage, f.result]), [["b", "corrupt"]]);
    strictEqual(
      await fresh.hasObject(fx.lock.stages.b.outs[0].hash),
      false,
      "no manifest without its files",
    );
    strictEqual(await fresh.hasObject(file), false);
    strictEqual(pulled.runsCopied, 0);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("pushCache --all-runs: other complete run entries go too", async () => {
  const fx = await fixture();
  try {
    const log = memoryLogger();
    const old = { ...fx.lock.stages.a, params: { "params.yaml": { lr: 0.1 } } };
    await fx.local.putRun({
      signature: stageSignature(old),
      stage: "a",
      outs: old.outs,
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    const only = await pushCache(fx.local, fx.remote, { lock: fx.lock, log, stages: ["a"] });
    strictEqual(only.runsCopied, 1);
    const all = await pushCache(fx.local, fx.remote, {
      lock: fx.lock,
      log,
      stages: ["a"],
      allRuns: true,
    });
    strictEqual(all.runsCopied, 1);
    ok(await fx.remote.getRun(stageSignature(old)));
    strictEqual(await fx.remote.hasObject(fx.lock.stages.b.outs[0].hash), false, "b not selected");
  } finally {
    await fx.cleanup();
  }
});

Deno.test("fetchRun: a remote hit lands in the local run-cache; a miss or other outs do not", async () => {
  const fx = await fixture();
  try {
    const log = memoryLogger();
    await pushCache(fx.local, fx.remote, { lock: fx.lock, log });
    const fresh = new LocalStore(join(fx.dir, "fresh"));
    const sig = stageSignature(fx.lock.stages.b);
    strictEqual(await fetchRun(fx.remote, fresh, sig, { outs: ["other"], log }), undefined);
    strictEqual(
      await fetchRun(fx.remote, fresh, stageSignature({ cmd: ["x"], deps: [], params: {} }), {
        outs: ["data"],
        log,
      }),
      undefined,
    );
    const entry = await fetchRun(fx.remote, fresh, sig, { outs: ["data"], log });
    deepStrictEqual(entry?.outs, fx.lock.stages.b.outs);
    deepStrictEqual((await fresh.getRun(sig))?.outs, fx.lock.stages.b.outs);
    ok(await fresh.hasObject(fx.lock.stages.b.outs[0].hash));
  } finally {
    await fx.cleanup();
  }
});
