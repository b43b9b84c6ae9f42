import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { memoryLogger } from "../../log.ts";
import { hashBytes, hashPath } from "./hash.ts";
import { HashMemo } from "./hash_memo.ts";

const OLD = new Date("2020-01-01T00:00:00Z");

async function withTemp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hash_memo_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Write a file and date it well outside the racy window. */
async function writeOld(path: string, text: string, mtime = OLD): Promise<void> {
  await Deno.writeTextFile(path, text);
  await Deno.utime(path, mtime, mtime);
}

Deno.test("memo hit: a changed-content, same-stat file is trusted (not re-read)", async () => {
  await withTemp(async (dir) => {
    const file = join(dir, "data.csv");
    await writeOld(file, "aaaa");
    const memo = await HashMemo.open(join(dir, "memo.json"));
    strictEqual((await hashPath(file, { memo }))!.hash, hashBytes("aaaa"));
    strictEqual(memo.size, 1);
    // Same size, same mtime, same inode: the memo answers without reading.
    await writeOld(file, "bbbb");
    strictEqual((await hashPath(file, { memo }))!.hash, hashBytes("aaaa"));
    // Touched (new mtime): re-hashed.
    const later = new Date("2021-01-01T00:00:00Z");
    await Deno.utime(file, later, later);
    strictEqual((await hashPath(file, { memo }))!.hash, hashBytes("bbbb"));
  });
});

Deno.test("memo misses on a size or inode change", async () => {
  await withTemp(async (dir) => {
    const file = join(dir, "f");
    await writeOld(file, "one");
    const memo = await HashMemo.open(join(dir, "memo.json"));
    await hashPath(file, { memo });
    await writeOld(file, "three");
    strictEqual((await hashPath(file, { memo }))!.hash, hashBytes("three"));
    // Replaced by another file (new inode) with the same size and mtime.
    await writeOld(join(dir, "g"), "thr33");
    await Deno.rename(join(dir, "g"), file);
    strictEqual((await hashPath(file, { memo }))!.hash, hashBytes("thr33"));
  });
});

Deno.test("racy guard: a file modified just now is not memoized", async () => {
  await withTemp(async (dir) => {
    const file = join(dir, "fresh");
    await Deno.writeTextFile(file, "fresh");
    const memo = await HashMemo.open(join(dir, "memo.json"));
    await hashPath(file, { memo });
    strictEqual(memo.size, 0);
    const stat = await Deno.stat(file);
    memo.record(file, stat, "x".repeat(64), stat.mtime!.getTime() + 500);
    strictEqual(memo.lookup(file, stat), undefined);
    memo.record(file, stat, "x".repeat(64), stat.mtime!.getTime() + 5000);
    strictEqual(memo.lookup(file, stat), "x".repeat(64));
  });
});

Deno.test("memo persists across open/save, keyed by absolute path, covers dir files", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(join(dir, "out"));
    await writeOld(join(dir, "out", "a"), "a");
    await writeOld(join(dir, "out", "b"), "b");
    const memoFile = join(dir, "cache", "tmp", "memo.json");
    const memo = await HashMemo.open(memoFile);
    const first = await hashPath(join(dir, "out"), { memo });
    await memo.save();
    const again = await HashMemo.open(memoFile);
    strictEqual(again.size, 2);
    await writeOld(join(dir, "out", "a"), "z"); // same stat: trusted
    strictEqual((await hashPath(join(dir, "out"), { memo: again }))!.hash, first!.hash);
    strictEqual(
      again.lookup(join(dir, "out", ".", "b"), await Deno.stat(join(dir, "out", "b"))),
      hashBytes("b"),
    );
  });
});

Deno.test("save writes only when something changed", async () => {
  await withTemp(async (dir) => {
    const memoFile = join(dir, "memo.json");
    const memo = await HashMemo.open(memoFile);
    await memo.save();
    let exists = await Deno.stat(memoFile).then(() => true, () => false);
    strictEqual(exists, false);
    await writeOld(join(dir, "f"), "f");
    await hashPath(join(dir, "f"), { memo });
    await memo.save();
    await Deno.remove(memoFile);
    await hashPath(join(dir, "f"), { memo }); // a hit changes nothing
    await memo.save();
    exists = await Deno.stat(memoFile).then(() => true, () => false);
    strictEqual(exists, false);
  });
});

Deno.test("an unreadable memo file is ignored with a warning", async () => {
  await withTemp(async (dir) => {
    const memoFile = join(dir, "memo.json");
    await Deno.writeTextFile(memoFile, "{ truncated");
    const log = memoryLogger();
    const memo = await HashMemo.open(memoFile, { log });
    strictEqual(memo.size, 0);
    ok(log.records.some((r) => r.level === "warn"));
  });
});
