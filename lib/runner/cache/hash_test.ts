import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { join } from "node:path";
import { CacheError } from "../../errors.ts";
import {
  canonicalJson,
  decodeManifest,
  encodeManifest,
  HASH_ALGO,
  hashBytes,
  hashFile,
  hashFileWith,
  hashPath,
  isValidHash,
} from "./hash.ts";

async function withTemp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hash_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function coreutils(tool: string, path: string): Promise<string> {
  const { stdout, success } = await new Deno.Command(tool, { args: [path] }).output();
  ok(success, `${tool} failed`);
  return new TextDecoder().decode(stdout).split(" ")[0];
}

/** Deterministic, non-repeating-ish bytes spanning several read chunks. */
function patterned(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = 2463534242;
  for (let i = 0; i < size; i++) {
    x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

Deno.test("HASH_ALGO is sha256 (see the measurement in hash.ts)", () => {
  strictEqual(HASH_ALGO, "sha256");
});

Deno.test("hashBytes matches known sha256 vectors", () => {
  strictEqual(hashBytes(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  strictEqual(
    hashBytes("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  strictEqual(hashBytes(new TextEncoder().encode("abc")), hashBytes("abc"));
});

Deno.test("hashFile equals sha256sum on a multi-chunk file, and on an empty one", async () => {
  await withTemp(async (dir) => {
    const big = join(dir, "big.bin");
    const bytes = patterned(5 * 1024 * 1024 + 3);
    await Deno.writeFile(big, bytes);
    deepStrictEqual(await hashFile(big), {
      hash: await coreutils("sha256sum", big),
      size: bytes.length,
    });
    const md5 = await hashFileWith(big, { algo: "md5", chunkSize: 64 * 1024 });
    strictEqual(md5.hash, await coreutils("md5sum", big));
    const empty = join(dir, "empty");
    await Deno.writeFile(empty, new Uint8Array());
    deepStrictEqual(await hashFile(empty), { hash: hashBytes(""), size: 0 });
  });
});

Deno.test("hashPath: undefined when missing, file info for a file", async () => {
  await withTemp(async (dir) => {
    strictEqual(await hashPath(join(dir, "nope")), undefined);
    await Deno.writeTextFile(join(dir, "a.txt"), "abc");
    deepStrictEqual(await hashPath(join(dir, "a.txt")), {
      hash: hashBytes("abc"),
      size: 3,
      isDir: false,
    });
  });
});

async function writeTree(root: string, files: [string, string][]): Promise<void> {
  for (const [rel, text] of files) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), text);
  }
}

Deno.test("directory hash is stable under file creation order", async () => {
  await withTemp(async (dir) => {
    const files: [string, string][] = [
      ["b.txt", "bee"],
      ["a/z.csv", "1,2\n"],
      ["a/b/c.bin", "deep"],
      ["a.txt", "ay"],
    ];
    await writeTree(join(dir, "one"), files);
    await writeTree(join(dir, "two"), [...files].reverse());
    await Deno.mkdir(join(dir, "two", "empty", "subdir"), { recursive: true }); // not counted
    const one = await hashPath(join(dir, "one"));
    const two = await hashPath(join(dir, "two"));
    ok(one && two);
    strictEqual(one.hash, two.hash);
    ok(one.hash.endsWith(".dir"));
    strictEqual(one.isDir, true);
    strictEqual(one.nfiles, 4);
    strictEqual(one.size, 3 + 4 + 4 + 2);
    deepStrictEqual(one.files!.map((f) => f.relpath), ["a.txt", "a/b/c.bin", "a/z.csv", "b.txt"]);
    strictEqual(one.hash, hashBytes(encodeManifest(one.files!)) + ".dir");

    await Deno.writeTextFile(join(dir, "two", "a", "z.csv"), "1,3\n");
    notStrictEqual((await hashPath(join(dir, "two")))!.hash, one.hash);
    await Deno.writeTextFile(join(dir, "two", "a", "z.csv"), "1,2\n");
    await Deno.rename(join(dir, "two", "b.txt"), join(dir, "two", "c.txt"));
    notStrictEqual((await hashPath(join(dir, "two")))!.hash, one.hash);
  });
});

Deno.test("hashPath follows symlinks; a loop or a dangling link is a CacheError", async () => {
  await withTemp(async (dir) => {
    await writeTree(join(dir, "d"), [["x.txt", "x"]]);
    await Deno.symlink(join(dir, "d", "x.txt"), join(dir, "d", "link.txt"));
    const info = await hashPath(join(dir, "d"));
    deepStrictEqual(info!.files!.map((f) => [f.relpath, f.hash]), [
      ["link.txt", hashBytes("x")],
      ["x.txt", hashBytes("x")],
    ]);
    await Deno.symlink(join(dir, "d"), join(dir, "d", "loop"));
    await rejects(hashPath(join(dir, "d")), CacheError);
    await Deno.remove(join(dir, "d", "loop"));
    await Deno.symlink(join(dir, "gone"), join(dir, "d", "dangling"));
    await rejects(hashPath(join(dir, "d")), CacheError);
  });
});

Deno.test("canonicalJson sorts keys at every level and rejects non-JSON values", () => {
  strictEqual(
    canonicalJson({ b: [{ y: 1, x: null }], a: "s", c: undefined }),
    '{"a":"s","b":[{"x":null,"y":1}]}',
  );
  strictEqual(canonicalJson({ z: 1, a: 2 }), canonicalJson({ a: 2, z: 1 }));
  throws(() => canonicalJson({ x: NaN }), TypeError);
  throws(() => canonicalJson(new Date(0)), TypeError);
});

Deno.test("decodeManifest round-trips and rejects escaping or malformed entries", () => {
  const files = [{ relpath: "a/b.txt", hash: hashBytes("b"), size: 1 }];
  const hash = hashBytes(encodeManifest(files)) + ".dir";
  deepStrictEqual(decodeManifest(encodeManifest(files), hash), files);
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  for (const relpath of ["../etc/passwd", "/abs", "a//b", "a/./b", ""]) {
    throws(() => decodeManifest(enc([{ ...files[0], relpath }]), hash), CacheError);
  }
  throws(() => decodeManifest(enc({}), hash), CacheError);
  throws(() => decodeManifest(new TextEncoder().encode("[{"), hash), CacheError);
});

Deno.test("isValidHash accepts hex digests with an optional .dir only", () => {
  ok(isValidHash(hashBytes("x")));
  ok(isValidHash(hashBytes("x") + ".dir"));
  ok(!isValidHash("../" + hashBytes("x")));
  ok(!isValidHash(hashBytes("x").toUpperCase()));
});
