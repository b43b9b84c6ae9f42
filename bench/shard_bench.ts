/**
 * Benchmark sharded `predict` over S3 (the MinIO test server: `eval "$(deno
 * task -q services env s3)"` first): `--objects` CSV objects holding
 * `--rows` rows in all (phishing rows resampled with a seed) under
 * `s3://$THREATLINE_TEST_BUCKET/bench-shard/<id>/in/`, scored by N
 * concurrent `tasks/predict.ts --shard i/N` processes (deno.json's flags,
 * `--workers 1` each) for each N of `--shards` (default 1,2,4), `--runs`
 * alternating runs. Rows/s = rows / wall time until the last shard exits.
 * The model is the tiny test release. All on one machine: N > cores shows
 * the overhead, not the scale-out a cluster gives.
 *
 * ```sh
 * deno task bench shard [--rows 400000] [--objects 16] [--shards 1,2,4] [--runs 3]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import type { Logger } from "../lib/log.ts";
import { createRng } from "../lib/rng.ts";
import { S3Bucket } from "../lib/s3/bucket.ts";
import { phishingRelease, repoFile } from "../lib/scoring/_testing.ts";
import { REPO_ROOT, taskFlags } from "./_contenders.ts";
import { machineInfo } from "./_report.ts";
import { median } from "./_timed.ts";

/** The benchmark. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: "deno task bench shard [--rows N] [--objects N] [--shards 1,2,4] [--runs N]",
    options: {
      rows: { type: "string" },
      objects: { type: "string" },
      shards: { type: "string" },
      runs: { type: "string" },
    },
  });
  const rows = positiveInt((values.rows as string) ?? "400000", "--rows");
  const objects = positiveInt((values.objects as string) ?? "16", "--objects");
  const runs = positiveInt((values.runs as string) ?? "3", "--runs");
  const shardCounts = ((values.shards as string) ?? "1,2,4").split(",").map((s) =>
    positiveInt(s, "--shards")
  );
  const env = Deno.env.toObject();
  const bucketName = env.THREATLINE_TEST_BUCKET;
  if (!bucketName || !env.AWS_ENDPOINT_URL_S3) {
    throw new Error('S3 test server not set: eval "$(deno task -q services env s3)"');
  }
  const bucket = new S3Bucket({
    endpoint: env.AWS_ENDPOINT_URL_S3,
    region: env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    bucket: bucketName,
  });
  const root = `bench-shard/${crypto.randomUUID().slice(0, 8)}`;
  const dir = await phishingRelease();
  const { flags, script } = await taskFlags("predict");
  const results = new Map<number, number[]>();
  try {
    const lines = (await Deno.readTextFile(repoFile("data/phishing_websites.csv"))).trimEnd()
      .split("\n");
    const rng = createRng(11);
    const per = Math.ceil(rows / objects);
    for (let o = 0, done = 0; o < objects; o++) {
      const n = Math.min(per, rows - done);
      const body = [lines[0]];
      for (let i = 0; i < n; i++) body.push(lines[1 + rng.int(lines.length - 1)]);
      done += n;
      await bucket.putBytes(
        `${root}/in/part-${String(o).padStart(4, "0")}.csv`,
        new TextEncoder().encode(body.join("\n") + "\n"),
      );
    }
    log.info("bench shard: data in place", { rows, objects });
    for (let run = 0; run < runs; run++) {
      for (const n of shardCounts) {
        const t0 = performance.now();
        const outs = await Promise.all(
          [...Array(n).keys()].map((i) =>
            new Deno.Command(Deno.execPath(), {
              args: [
                "run",
                ...flags,
                "--config",
                join(REPO_ROOT, "deno.json"),
                join(REPO_ROOT, script),
                `s3://${bucketName}/${root}/in/`,
                "--out",
                `s3://${bucketName}/${root}/out${n}/`,
                "--shard",
                `${i}/${n}`,
                "--workers",
                "1",
                "--model",
                "model",
              ],
              cwd: dir,
              stdout: "null",
              stderr: "piped",
            }).output()
          ),
        );
        const seconds = (performance.now() - t0) / 1000;
        for (const o of outs) {
          if (!o.success) throw new Error(new TextDecoder().decode(o.stderr).slice(-2000));
        }
        results.set(n, [...(results.get(n) ?? []), seconds]);
        log.info("bench shard: run", { shards: n, seconds });
      }
    }
  } finally {
    for await (const { key } of bucket.list(`${root}/`)) await bucket.delete(key);
    bucket.close();
    await Deno.remove(dir, { recursive: true });
  }
  const m = await machineInfo();
  console.log(`shard benchmark, ${new Date().toISOString().slice(0, 10)}, ${JSON.stringify(m)}`);
  console.log(
    `command: deno task bench shard --rows ${rows} --objects ${objects} --shards ${
      shardCounts.join(",")
    } --runs ${runs}`,
  );
  console.log("| shards | wall s (median) | rows/s | vs 1 shard |");
  console.log("| ---: | ---: | ---: | ---: |");
  const base = median(results.get(shardCounts[0])!);
  for (const n of shardCounts) {
    const s = median(results.get(n)!);
    console.log(
      `| ${n} | ${s.toFixed(2)} | ${Math.round(rows / s).toLocaleString("en")} | ${
        (base / s).toFixed(2)
      }x |`,
    );
  }
  return 0;
}
