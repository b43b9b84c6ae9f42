import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { DataError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import { fakeModel, testPreprocess } from "./_testing.ts";
import { ModelHolder } from "./model_holder.ts";
import { localDirLoader, type ModelLoader, ModelWatcher, resolvingLoader } from "./watcher.ts";

const pre = await testPreprocess();

function scriptedLoader(state: { version: string; broken?: boolean }): ModelLoader {
  return {
    source: "mem",
    fingerprint: () => Promise.resolve(state.version),
    load: () => {
      if (state.broken) return Promise.reject(new DataError("files do not match the card"));
      return Promise.resolve(fakeModel(state.version, pre));
    },
  };
}

Deno.test("ModelWatcher.poll: unchanged, swapped, failed (old model keeps answering, warned once)", async () => {
  const log = memoryLogger();
  const holder = new ModelHolder();
  holder.swap(fakeModel("v1", pre), { source: "mem" });
  const state = { version: "v1", broken: false };
  const watcher = new ModelWatcher({ holder, loader: scriptedLoader(state), intervalMs: 1e6, log });
  strictEqual(await watcher.poll(), "unchanged");
  state.version = "v2";
  state.broken = true;
  strictEqual(await watcher.poll(), "failed");
  strictEqual(await watcher.poll(), "failed");
  strictEqual(holder.version, "v1");
  strictEqual(log.records.filter((r) => r.level === "warn").length, 1);
  state.broken = false;
  strictEqual(await watcher.poll(), "swapped");
  strictEqual(holder.version, "v2");
});

Deno.test("ModelWatcher.poll: a poll while one runs is 'busy'", async () => {
  const holder = new ModelHolder();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const loader: ModelLoader = {
    source: "mem",
    fingerprint: async () => {
      await gate;
      return "v1";
    },
    load: () => Promise.resolve(fakeModel("v1", pre)),
  };
  const watcher = new ModelWatcher({ holder, loader, intervalMs: 1e6 });
  const first = watcher.poll();
  strictEqual(await watcher.poll(), "busy");
  release();
  strictEqual(await first, "swapped");
});

Deno.test("ModelWatcher.start/stop: polls on its interval and stops", async () => {
  const holder = new ModelHolder();
  const state = { version: "v1" };
  const watcher = new ModelWatcher({ holder, loader: scriptedLoader(state), intervalMs: 1 });
  const swapped = new Promise<void>((resolve) => holder.onSwap(() => resolve()));
  watcher.start();
  await swapped;
  await watcher.stop();
  strictEqual(holder.version, "v1");
});

Deno.test("localDirLoader: the fingerprint is the card's version; a missing or bad card is a DataError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loader = localDirLoader(dir, () => Promise.resolve(fakeModel("x", pre)));
    let err: unknown;
    await loader.fingerprint().catch((e) => (err = e));
    strictEqual(err instanceof DataError, true);
    await Deno.writeTextFile(join(dir, "card.json"), "{not json");
    err = undefined;
    await loader.fingerprint().catch((e) => (err = e));
    strictEqual(err instanceof DataError, true);
    await Deno.writeTextFile(join(dir, "card.json"), '{"version": "abc123"}');
    strictEqual(await loader.fingerprint(), "abc123");
    strictEqual((await loader.load()).version, "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolvingLoader: each fingerprint resolves the source again; load uses the folder it found", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const [name, version] of [["r1", "aaa"], ["r2", "bbb"]]) {
      await Deno.mkdir(join(root, name));
      await Deno.writeTextFile(join(root, name, "card.json"), JSON.stringify({ version }));
    }
    let points = "r1";
    const resolved: string[] = [];
    const loader = resolvingLoader("models:/m@champion", (source) => {
      resolved.push(source);
      return Promise.resolve(join(root, points));
    }, (dir) => Promise.resolve(fakeModel(dir.endsWith("r1") ? "aaa" : "bbb", pre)));
    strictEqual(loader.source, "models:/m@champion");
    strictEqual(await loader.fingerprint(), "aaa");
    points = "r2";
    strictEqual(await loader.fingerprint(), "bbb");
    strictEqual((await loader.load()).version, "bbb");
    deepStrictEqual(resolved, ["models:/m@champion", "models:/m@champion"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
