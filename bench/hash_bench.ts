/**
 * Hash throughput: `hashFile` (node:crypto, streamed) against the coreutils
 * `sha256sum` and `md5sum`, on a freshly written file in a temp dir.
 *
 * ```sh
 * deno task bench hash [--size-mib 1024] [--runs 3]
 * deno run -A bench/hash_bench.ts [--size-mib 1024] [--runs 3]
 * ```
 *
 * Each contender runs `--runs` times on the same (page-cached) file and the
 * best time counts. Also shows node:crypto md5 and a few read-chunk sizes,
 * the evidence behind `HASH_ALGO` and `HASH_CHUNK_SIZE` in
 * `lib/file_hash.ts`. The temp dir is removed at the end.
 * {@linkcode measureHashing} is the same measurement for other benchmarks
 * (the runner benchmark reports its core contenders).
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { HASH_ALGO, HASH_CHUNK_SIZE, hashFile, hashFileWith } from "../lib/file_hash.ts";

const USAGE = "deno task bench hash [--size-mib 1024] [--runs 3]";
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

/** One contender's best run. */
export interface HashContender {
  /** What ran (`sha256sum`, `hashFile (sha256, 2 MiB)`, …). */
  name: string;
  /** Best wall time, seconds. */
  seconds: number;
  /** Throughput of the best run, MB/s (10^6 bytes). */
  mbPerSec: number;
  /** Digest it printed. */
  digest: string;
  /** Whether the digest matches the coreutils tool of the same algorithm. */
  digestOk: boolean;
}

/** What {@linkcode measureHashing} measured. */
export interface HashingResult {
  /** File size, MiB. */
  sizeMib: number;
  /** Runs per contender (best counts). */
  runs: number;
  /** `sha256sum`, `md5sum`, `hashFile`, then the variants if asked for. */
  contenders: HashContender[];
  /** `hashFile` time / `sha256sum` time (goal: <= 2). */
  vsSha256sum: number;
  /** `hashFile` time / `md5sum` time (goal: <= 2). */
  vsMd5sum: number;
}

/** Options of {@linkcode measureHashing}. */
export interface HashingOptions {
  /** File size, MiB (default 1024). */
  sizeMib?: number;
  /** Runs per contender; the best counts (default 3). */
  runs?: number;
  /** Also time node:crypto md5 and other read-chunk sizes (default false). */
  variants?: boolean;
  /** Folder to make the temp dir in (default: the system's). */
  tempRoot?: string;
}

/**
 * Write a random file of `sizeMib` in a temp dir, time `sha256sum`,
 * `md5sum` and `hashFile` on it (best of `runs`, page cache warm), and remove
 * the dir.
 *
 * @example
 * ```ts ignore
 * import { measureHashing } from "./hash_bench.ts";
 * const r = await measureHashing({ sizeMib: 1024, runs: 3 });
 * console.log(r.vsSha256sum); // e.g. 0.28
 * ```
 */
export async function measureHashing(options: HashingOptions = {}): Promise<HashingResult> {
  const sizeMib = options.sizeMib ?? 1024;
  const runs = options.runs ?? 3;
  const bytes = sizeMib * MIB;
  const dir = await Deno.makeTempDir({ prefix: "hash_bench_", dir: options.tempRoot });
  try {
    const file = join(dir, "data.bin");
    await writeRandomFile(file, bytes);
    await hashFile(file); // warm the page cache
    const mib = (c: number) => `${c / MIB} MiB`;
    const timed: { name: string; seconds: number; digest: string }[] = [];
    const best = async (name: string, fn: () => Promise<string>) => {
      let seconds = Infinity;
      let digest = "";
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        digest = await fn();
        seconds = Math.min(seconds, (performance.now() - t0) / 1000);
      }
      timed.push({ name, seconds, digest });
    };
    await best("sha256sum", () => coreutils("sha256sum", file));
    await best("md5sum", () => coreutils("md5sum", file));
    await best(
      `hashFile (${HASH_ALGO}, ${mib(HASH_CHUNK_SIZE)})`,
      async () => (await hashFile(file)).hash,
    );
    if (options.variants) {
      for (const chunkSize of [256 * 1024, MIB, 4 * MIB]) {
        await best(
          `node:crypto sha256, ${mib(chunkSize)}`,
          async () => (await hashFileWith(file, { algo: "sha256", chunkSize })).hash,
        );
      }
      await best(
        `node:crypto md5, ${mib(HASH_CHUNK_SIZE)}`,
        async () => (await hashFileWith(file, { algo: "md5" })).hash,
      );
    }
    const [sha, md5, ours] = timed;
    const contenders = timed.map((t) => ({
      ...t,
      mbPerSec: bytes / 1e6 / t.seconds,
      digestOk: t.digest === (t.name.includes("md5") ? md5 : sha).digest,
    }));
    return {
      sizeMib,
      runs,
      contenders,
      vsSha256sum: ours.seconds / sha.seconds,
      vsMd5sum: ours.seconds / md5.seconds,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The hash benchmark as a command (`deno task bench hash …`): measure with
 * all variants and print the table. Returns the exit code (1 when a digest
 * disagrees).
 *
 * @example
 * ```ts ignore
 * import { main } from "./hash_bench.ts";
 * const code = await main(["--size-mib", "256", "--runs", "1"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
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
  const r = await measureHashing({ sizeMib, runs, variants: true });
  console.log(
    `# hash throughput, ${sizeMib} MiB file, best of ${runs}, ${new Date().toISOString()}`,
  );
  console.log(
    `# ${Deno.build.target}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cpus`,
  );
  console.log(`${"contender".padEnd(36)} ${"MB/s".padStart(8)}  vs sha256sum  digest ok`);
  const ref = r.contenders[0].seconds;
  for (const c of r.contenders) {
    console.log(
      `${c.name.padEnd(36)} ${c.mbPerSec.toFixed(0).padStart(8)}  ${
        (ref / c.seconds).toFixed(2).padStart(10)
      }x  ${c.digestOk ? "yes" : "NO"}`,
    );
  }
  console.log(`hashFile / sha256sum time ratio: ${r.vsSha256sum.toFixed(2)} (goal: <= 2)`);
  console.log(`hashFile / md5sum time ratio: ${r.vsMd5sum.toFixed(2)} (goal: <= 2)`);
  return r.contenders.every((c) => c.digestOk) ? 0 : 1;
}

if (import.meta.main) await runMain(({ args }) => main(args));
