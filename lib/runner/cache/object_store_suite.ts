/**
 * The tests every {@linkcode ObjectStore} implementation must pass. A store's
 * own test file calls {@linkcode objectStoreSuite} with a factory; the local
 * cache runs it in `local_store_test.ts`, an S3 remote will run the same.
 *
 * @module
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { CacheError } from "../../errors.ts";
import { encodeManifest, hashBytes } from "./hash.ts";
import type { ObjectStore, RunEntry } from "./object_store.ts";

/** What a store factory hands the suite. */
export interface StoreFixture {
  /** A fresh, empty store. */
  store: ObjectStore;
  /** Remove everything the store created. */
  cleanup(): Promise<void>;
  /** Tamper with a stored object so its content no longer matches its hash. */
  corrupt(hash: string): Promise<void>;
}

const enc = new TextEncoder();

async function withStore(
  makeStore: () => Promise<StoreFixture>,
  body: (fx: StoreFixture, tmp: string) => Promise<void>,
): Promise<void> {
  const fx = await makeStore();
  const tmp = await Deno.makeTempDir({ prefix: "store_suite_" });
  try {
    await body(fx, tmp);
  } finally {
    await fx.cleanup();
    await Deno.remove(tmp, { recursive: true });
  }
}

async function putText(store: ObjectStore, tmp: string, text: string): Promise<string> {
  const hash = hashBytes(text);
  const src = join(tmp, `src-${hash.slice(0, 8)}`);
  await Deno.writeTextFile(src, text);
  await store.putObject(hash, src);
  return hash;
}

async function listAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  return await Array.fromAsync(it);
}

function run(signature: string, outHash: string): RunEntry {
  return {
    signature,
    stage: "train",
    outs: [{ path: "artifacts/model.bin", hash: outHash, size: 5, cache: true }],
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

/**
 * Register the shared `Deno.test` cases for a store implementation.
 *
 * @example
 * ```ts ignore
 * import { objectStoreSuite } from "./object_store_suite.ts";
 * import { LocalStore } from "./local_store.ts";
 * objectStoreSuite("LocalStore", async () => {
 *   const dir = await Deno.makeTempDir();
 *   const store = new LocalStore(dir);
 *   return {
 *     store,
 *     cleanup: () => Deno.remove(dir, { recursive: true }),
 *     corrupt: (hash) => Deno.writeTextFile(store.objectPath(hash), "tampered"),
 *   };
 * });
 * ```
 */
export function objectStoreSuite(name: string, makeStore: () => Promise<StoreFixture>): void {
  const test = (what: string, body: (fx: StoreFixture, tmp: string) => Promise<void>) =>
    Deno.test(`${name}: ${what}`, () => withStore(makeStore, body));

  test("putObject then getObject restores the same bytes", async ({ store }, tmp) => {
    const hash = await putText(store, tmp, "hello cache\n");
    ok(await store.hasObject(hash));
    const dest = join(tmp, "out", "nested", "restored.txt");
    strictEqual(await store.getObject(hash, dest), "ok");
    strictEqual(await Deno.readTextFile(dest), "hello cache\n");
    deepStrictEqual(await store.readObjectBytes(hash), enc.encode("hello cache\n"));
  });

  test("putObject is idempotent", async ({ store }, tmp) => {
    const a = await putText(store, tmp, "same");
    const b = await putText(store, tmp, "same");
    strictEqual(a, b);
    deepStrictEqual(await listAll(store.listObjects()), [a]);
  });

  test("putObject refuses content that does not match the hash", async ({ store }, tmp) => {
    const src = join(tmp, "changed");
    await Deno.writeTextFile(src, "new content");
    const wrong = hashBytes("old content");
    await rejects(store.putObject(wrong, src), CacheError);
    strictEqual(await store.hasObject(wrong), false);
    deepStrictEqual(await listAll(store.listObjects()), []);
  });

  test("a missing object is a return value", async ({ store }, tmp) => {
    const hash = hashBytes("never stored");
    strictEqual(await store.hasObject(hash), false);
    strictEqual(await store.getObject(hash, join(tmp, "dest")), "missing");
    strictEqual(await store.readObjectBytes(hash), undefined);
    await rejects(Deno.stat(join(tmp, "dest")), Deno.errors.NotFound);
    await store.deleteObject(hash); // no-op
  });

  test("a corrupt object is never restored", async ({ store, corrupt }, tmp) => {
    const hash = await putText(store, tmp, "precious model weights");
    await corrupt(hash);
    const dest = join(tmp, "model.bin");
    await Deno.writeTextFile(dest, "what was there before");
    strictEqual(await store.getObject(hash, dest), "corrupt");
    strictEqual(await Deno.readTextFile(dest), "what was there before");
    await rejects(store.readObjectBytes(hash), CacheError);
    const left = (await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name).sort();
    ok(left.every((n) => !n.includes(".tmp-")), `temp files left: ${left}`);
  });

  test("putObjectBytes stores dir manifests under a .dir hash", async ({ store }) => {
    const bytes = encodeManifest([{ relpath: "a.txt", hash: hashBytes("a"), size: 1 }]);
    const hash = hashBytes(bytes) + ".dir";
    await store.putObjectBytes(hash, bytes);
    await store.putObjectBytes(hash, bytes);
    deepStrictEqual(await store.readObjectBytes(hash), bytes);
    deepStrictEqual(await listAll(store.listObjects()), [hash]);
    await rejects(store.putObjectBytes(hashBytes("other") + ".dir", bytes), CacheError);
  });

  test("listObjects lists every object; deleteObject removes one", async ({ store }, tmp) => {
    const hashes = [];
    for (const text of ["one", "two", "three"]) hashes.push(await putText(store, tmp, text));
    deepStrictEqual((await listAll(store.listObjects())).sort(), [...hashes].sort());
    await store.deleteObject(hashes[1]);
    strictEqual(await store.hasObject(hashes[1]), false);
    deepStrictEqual((await listAll(store.listObjects())).sort(), [hashes[0], hashes[2]].sort());
  });

  test("run entries round-trip, list and delete", async ({ store }) => {
    strictEqual(await store.getRun(hashBytes("sig-a")), undefined);
    const a = run(hashBytes("sig-a"), hashBytes("model a"));
    const b = run(hashBytes("sig-b"), hashBytes("model b"));
    await store.putRun(a);
    await store.putRun(b);
    deepStrictEqual(await store.getRun(a.signature), a);
    const sigs = (await listAll(store.listRuns())).map((r) => r.signature).sort();
    deepStrictEqual(sigs, [a.signature, b.signature].sort());
    const a2 = { ...a, createdAt: "2026-02-02T00:00:00.000Z" };
    await store.putRun(a2);
    deepStrictEqual(await store.getRun(a.signature), a2);
    await store.deleteRun(a.signature);
    strictEqual(await store.getRun(a.signature), undefined);
    await store.deleteRun(a.signature); // no-op
    deepStrictEqual((await listAll(store.listRuns())).map((r) => r.signature), [b.signature]);
  });
}
