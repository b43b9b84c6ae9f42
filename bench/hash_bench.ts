/**
 * Hash throughput: `hashFile` (node:crypto, streamed) against the coreutils
 * `sha256sum` and `md5sum`, on a freshly written file in a temp dir.
 *
 * ```sh
 * deno run -A bench/hash_bench.ts [--size-mib 1024] [--runs 3]
 * ```
 *
 * Each contender runs `--runs` times on the same (page-cached) file and the
 * best time counts. Also shows node:crypto md5 and a few read-chunk sizes,
 * the evidence behind `HASH_ALGO` and `HASH_CHUNK_SIZE` in
 * `lib/pipeline/hash.ts`. The temp dir is removed at the end.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { HASH_ALGO, HASH_CHUNK_SIZE, hashFile, hashFileWith } from "../lib/pipeline/hash.ts";

const USAGE = "deno run -A bench/hash_bench.ts [--size-mib 1024] [--runs 3]";
const MIB = 1024 * 1024;

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const block = new Uint8Array(4 * MIB);
  for (let off = 0; off < block.length; off += 65536) {
    crypto.getRandomValues(block.subarray(off, off + 65536));
  }
  using f = await Deno.open(path, { write: true, createNew: true });
  let left = bytes;
  for (let i = 0; left > 0; i++) {
    block[0] = i & 0xff; // no two blocks alike
    const chunk = block.subarray(0, Math.min(block.length, left));
    let written = 0;
    while (written < chunk.length) written += await f.write(chunk.subarray(written));
    left -= chunk.length;
  }
}

async function coreutils(tool: string, path: string): Promise<string> {
  const out = await new Deno.Command(tool, { args: [path], stderr: "inherit" }).output();
  if (!out.success) throw new Error(`${tool} failed`);
  return new TextDecoder().decode(out.stdout).split(" ")[0];
}

interface Result {
  name: string;
  seconds: number;
  digest: string;
}

async function best(name: string, runs: number, fn: () => Promise<string>): Promise<Result> {
  let seconds = Infinity;
  let digest = "";
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    digest = await fn();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { name, seconds, digest };
}

if (import.meta.main) {
  await runMain(async ({ args }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: { "size-mib": { type: "string" }, runs: { type: "string" } },
      maxPositionals: 0,
    });
    const sizeMib = Number(values["size-mib"] ?? 1024);
    const runs = Number(values.runs ?? 3);
    if (!Number.isInteger(sizeMib) || sizeMib < 1 || !Number.isInteger(runs) || runs < 1) {
      throw new ConfigError("--size-mib and --runs must be positive integers", {
        hint: `usage: ${USAGE}`,
      });
    }
    const bytes = sizeMib * MIB;
    const dir = await Deno.makeTempDir({ prefix: "hash_bench_" });
    try {
      const file = join(dir, "data.bin");
      await writeRandomFile(file, bytes);
      await hashFile(file); // warm the page cache
      const mib = (c: number) => `${c / MIB} MiB`;
      const results: Result[] = [];
      results.push(await best("sha256sum", runs, () => coreutils("sha256sum", file)));
      results.push(await best("md5sum", runs, () => coreutils("md5sum", file)));
      results.push(
        await best(
          `hashFile (${HASH_ALGO}, ${mib(HASH_CHUNK_SIZE)})`,
          runs,
          async () => (await hashFile(file)).hash,
        ),
      );
      for (const chunkSize of [256 * 1024, MIB, 4 * MIB]) {
        results.push(
          await best(
            `node:crypto sha256, ${mib(chunkSize)}`,
            runs,
            async () => (await hashFileWith(file, { algo: "sha256", chunkSize })).hash,
          ),
        );
      }
      results.push(
        await best(
          `node:crypto md5, ${mib(HASH_CHUNK_SIZE)}`,
          runs,
          async () => (await hashFileWith(file, { algo: "md5" })).hash,
        ),
      );

      const ref = results[0].seconds;
      const sha = results[0].digest, md5 = results[1].digest;
      console.log(
        `# hash throughput, ${sizeMib} MiB file, best of ${runs}, ${new Date().toISOString()}`,
      );
      console.log(
        `# ${Deno.build.target}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cpus`,
      );
      console.log(`${"contender".padEnd(36)} ${"MB/s".padStart(8)}  vs sha256sum  digest ok`);
      for (const r of results) {
        const mbs = bytes / 1e6 / r.seconds;
        const okDigest = r.name.includes("md5") ? r.digest === md5 : r.digest === sha;
        console.log(
          `${r.name.padEnd(36)} ${mbs.toFixed(0).padStart(8)}  ${
            (ref / r.seconds).toFixed(2).padStart(10)
          }x  ${okDigest ? "yes" : "NO"}`,
        );
      }
      const ours = results[2].seconds;
      console.log(`hashFile / sha256sum time ratio: ${(ours / ref).toFixed(2)} (goal: <= 2)`);
      return results.every((r) => r.digest === (r.name.includes("md5") ? md5 : sha)) ? 0 : 1;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
