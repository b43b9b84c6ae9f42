import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { memoryLogger } from "../../log.ts";
import { hashBytes } from "./hash.ts";
import { LocalStore } from "./local_store.ts";
import { objectStoreSuite } from "./object_store_suite.ts";

objectStoreSuite("LocalStore", async () => {
  const dir = await Deno.makeTempDir({ prefix: "local_store_" });
  const store = new LocalStore(join(dir, ".cache"));
  return {
    store,
    cleanup: () => Deno.remove(dir, { recursive: true }),
    async corrupt(hash) {
      // Same size, one byte flipped: the nastiest kind, invisible to a size check.
      const path = store.objectPath(hash);
      const bytes = await Deno.readFile(path);
      bytes[0] ^= 0xff;
      await Deno.chmod(path, 0o644);
      await Deno.writeFile(path, bytes);
    },
  };
});

Deno.test("LocalStore: sharded layout, read-only objects, writable restores", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStore(join(dir, "cache"));
    const hash = hashBytes("content");
    await Deno.writeTextFile(join(dir, "src"), "content");
    await store.putObject(hash, join(dir, "src"));
    const path = join(dir, "cache", "files", "sha256", hash.slice(0, 2), hash.slice(2));
    strictEqual(store.objectPath(hash), path);
    strictEqual((await Deno.stat(path)).mode! & 0o777, 0o444);
    strictEqual(await store.getObject(hash, join(dir, "dest")), "ok");
    strictEqual((await Deno.stat(join(dir, "dest"))).mode! & 0o777, 0o644);
    strictEqual(
      store.runPath(hash),
      join(dir, "cache", "runs", hash.slice(0, 2), hash.slice(2) + ".json"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalStore: leftover temp files are not listed as objects", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStore(dir);
    const hash = hashBytes("x");
    const shard = join(dir, "files", "sha256", hash.slice(0, 2));
    await Deno.mkdir(shard, { recursive: true });
    await Deno.writeTextFile(join(shard, hash.slice(2) + ".tmp-1234abcd"), "half");
    deepStrictEqual(await Array.fromAsync(store.listObjects()), []);
    strictEqual(await store.hasObject(hash), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalStore: an unreadable run entry is a logged miss", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = memoryLogger();
    const store = new LocalStore(dir, { log });
    const sig = hashBytes("sig");
    await Deno.mkdir(join(dir, "runs", sig.slice(0, 2)), { recursive: true });
    await Deno.writeTextFile(store.runPath(sig), "{ not json");
    strictEqual(await store.getRun(sig), undefined);
    deepStrictEqual(await Array.fromAsync(store.listRuns()), []);
    ok(log.records.some((r) => r.level === "warn" && r.msg.includes("run-cache entry")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
