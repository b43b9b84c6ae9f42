/**
 * Scale-out scoring against the S3 test server (MinIO), through
 * `tasks/predict.ts` with deno.json's permissions: N shard processes over
 * `s3://bucket/in/` write together exactly the objects (byte for byte) one
 * process writes, no row lost or duplicated; a shard killed with SIGKILL
 * mid-run and started again rewrites its part to the same bytes.
 * And the offline predictor: predict on local files under `--deny-net`.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { S3Bucket } from "../lib/s3/bucket.ts";
import { phishingCsv, phishingRelease } from "../lib/scoring/_testing.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { taskCommand, taskFlags } from "./_workspace.ts";

/** deno.json's permission flags of the predict task. */
const predictFlags = () => taskFlags("predict");

function predictCommand(cwd: string, flags: string[], args: string[], env: Record<string, string>) {
  return taskCommand({ task: "predict", flags, args, cwd, env: { NO_COLOR: "1", ...env } });
}

Deno.test("offline predictor: predict on files with no network permission at all", async () => {
  const dir = await phishingRelease();
  try {
    await Deno.writeTextFile(join(dir, "in.csv"), await phishingCsv(200, 300));
    // deno.json's flags with the network taken away: --deny-net beats any --allow-net.
    const flags = [...(await predictFlags()).filter((f) => f !== "--allow-net"), "--deny-net"];
    const out = await predictCommand(
      dir,
      flags,
      ["in.csv", "--out", "out.csv", "--model", "model"],
      {},
    )
      .output();
    const stderr = new TextDecoder().decode(out.stderr);
    strictEqual(out.code, 0, stderr);
    const lines = (await Deno.readTextFile(join(dir, "out.csv"))).trimEnd().split("\n");
    strictEqual(lines.length, 201);
    ok(/200 scored/.test(stderr), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const env = servicesFromEnv();
const s3 = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

function s3Env(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: env.s3EndpointUrl!,
    AWS_ACCESS_KEY_ID: env.awsAccessKeyId!,
    AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey!,
    AWS_REGION: env.awsRegion ?? "us-east-1",
  };
}

function bucket(): S3Bucket {
  return new S3Bucket({
    endpoint: env.s3EndpointUrl,
    region: env.awsRegion ?? "us-east-1",
    credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
    bucket: env.testBucket!,
  });
}

/** Every object under a prefix: key below the prefix → text. */
async function readPrefix(b: S3Bucket, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const { key } of b.list(prefix)) {
    out.set(key.slice(prefix.length), new TextDecoder().decode(await b.getBytes(key)));
  }
  return new Map([...out].sort(([a], [b]) => a < b ? -1 : 1));
}

Deno.test({
  name:
    `sharded predict over S3: N shards = one process; a killed shard reruns to the same bytes ${s3.label}`,
  ignore: s3.ignore,
  fn: async () => {
    s3.check();
    const run = crypto.randomUUID().slice(0, 8);
    const root = `shard-test/${run}`;
    const b = bucket();
    const dir = await phishingRelease();
    const flags = await predictFlags();
    const shell = (args: string[], extra: Record<string, string> = {}) =>
      predictCommand(dir, flags, [...args, "--model", "model"], { ...s3Env(), ...extra });
    try {
      // 24 objects of 20..250 rows in two "days", one with a bad row.
      const all = (await phishingCsv(4000, 300)).trimEnd().split("\n");
      let at = 1;
      for (let i = 0; i < 24; i++) {
        const n = 20 + ((i * 37) % 230);
        const rows = all.slice(at, at + n);
        at += n;
        if (i === 5) rows[3] = rows[3].replace(/^[^,]*/, "7"); // outside the column's values
        const key = `${root}/in/day-${i % 2}/part-${String(i).padStart(3, "0")}.csv`;
        await b.putBytes(key, new TextEncoder().encode([all[0], ...rows].join("\n") + "\n"));
      }
      const whole = await shell([
        `s3://${env.testBucket}/${root}/in/`,
        "--out",
        `s3://${env.testBucket}/${root}/one/`,
      ]).output();
      strictEqual(whole.code, 0, new TextDecoder().decode(whole.stderr));
      const one = await readPrefix(b, `${root}/one/`);
      strictEqual([...one.keys()].filter((k) => k.endsWith(".predictions.csv")).length, 24);
      strictEqual([...one.keys()].filter((k) => k.endsWith(".rejects.csv")).length, 1);

      for (const n of [2, 3]) {
        const out = `s3://${env.testBucket}/${root}/n${n}/`;
        // N processes at once, as an Indexed Job runs them (index from JOB_COMPLETION_INDEX).
        const results = await Promise.all(
          [...Array(n).keys()].map((i) =>
            shell([`s3://${env.testBucket}/${root}/in/`, "--out", out, "--shards", String(n)], {
              JOB_COMPLETION_INDEX: String(i),
            }).output()
          ),
        );
        for (const r of results) strictEqual(r.code, 0, new TextDecoder().decode(r.stderr));
        const counts = results.map((r) =>
          Number(/: (\d+) of 24 objects/.exec(new TextDecoder().decode(r.stderr))![1])
        );
        strictEqual(counts.reduce((a, c) => a + c, 0), 24, `${counts}`);
        ok(counts.every((c) => c > 0), `${counts}`);
        // Same keys, same bytes: no row lost or duplicated.
        deepStrictEqual(await readPrefix(b, `${root}/n${n}/`), one);
      }

      // Shard 0/2 killed after its first object, with a stale object in its way; then rerun.
      const out = `s3://${env.testBucket}/${root}/killed/`;
      const child = shell([`s3://${env.testBucket}/${root}/in/`, "--out", out, "--shard", "0/2"])
        .spawn();
      let seen = 0;
      while (seen === 0) {
        for await (const _ of b.list(`${root}/killed/`)) seen++;
      }
      child.kill("SIGKILL");
      const status = await child.status;
      strictEqual(status.signal, "SIGKILL", "the shard had finished before the kill");
      const partial = await readPrefix(b, `${root}/killed/`);
      ok(partial.size < one.size);
      const staleKey = [...one.keys()][0];
      await b.putBytes(`${root}/killed/${staleKey}`, new TextEncoder().encode("stale\n"));
      const again = await shell([
        `s3://${env.testBucket}/${root}/in/`,
        "--out",
        out,
        "--shard",
        "0/2",
      ]).output();
      strictEqual(again.code, 0, new TextDecoder().decode(again.stderr));
      const other = await shell([
        `s3://${env.testBucket}/${root}/in/`,
        "--out",
        out,
        "--shard",
        "1/2",
      ]).output();
      strictEqual(other.code, 0);
      deepStrictEqual(await readPrefix(b, `${root}/killed/`), one);
    } finally {
      for await (const { key } of b.list(`${root}/`)) await b.delete(key);
      b.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
