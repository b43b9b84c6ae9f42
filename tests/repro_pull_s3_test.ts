/**
 * `repro --pull` against MinIO, through the repro task with deno.json's
 * permissions: a clone with the committed lock and no outs or cache pulls
 * the outs from the S3 remote and runs nothing. Needs the test services
 * (`deno task test` starts them); skipped without them, as its name says.
 */
import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { S3Bucket } from "../lib/s3/bucket.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { REPO, tempWorkspace } from "./_workspace.ts";

const env = servicesFromEnv();
const s3 = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

const PIPELINE = `stages:
  prepare:
    cmd: echo prepare >> runs.log && tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  side:
    cmd: echo side >> runs.log && mkdir -p side && cp upper.txt side/a.txt
    deps: [upper.txt]
    outs: [side]
`;

/** `deno run <flags of deno.json's NAME task> tasks/NAME.ts args…` in `cwd`. */
async function task(cwd: string, name: string, args: string[] = []) {
  const line: string = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json"))).tasks[name];
  const words = line.split(/\s+/);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      join(REPO, "deno.json"),
      ...words.slice(2, -1),
      join(REPO, words.at(-1)!),
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "", AWS_ENDPOINT_URL_S3: "", AWS_ENDPOINT_URL: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: `repro --pull: a clone without outs pulls them from S3 and runs nothing ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    s3.check();
    const prefix = `repro-pull-test/${crypto.randomUUID().slice(0, 8)}/`;
    const config = `remote:\n  url: s3://${env.testBucket}/${prefix}\n` +
      `  endpoint_url: ${env.s3EndpointUrl}\n  region: ${env.awsRegion ?? "us-east-1"}\n`;
    const files = { "pipeline.yaml": PIPELINE, "raw.txt": "hello\n", "threatline.yaml": config };
    const first = await tempWorkspace(files);
    const clone = await tempWorkspace(files);
    try {
      strictEqual((await task(first.root, "repro")).code, 0);
      const pushed = await task(first.root, "push");
      strictEqual(pushed.code, 0, pushed.stderr);
      await Deno.writeTextFile(
        join(clone.root, "pipeline.lock"),
        await first.read("pipeline.lock"),
      );
      const r = await task(clone.root, "repro", ["--pull"]);
      strictEqual(r.code, 0, r.stderr);
      ok(r.stderr.includes("pulling missing outs outs=2"), r.stderr);
      ok(r.stderr.includes("ran=0 restored=0 fresh=2"), r.stderr);
      strictEqual(await clone.read("side/a.txt"), "HELLO\n");
      strictEqual(await clone.exists("runs.log"), false, "no stage command ran");
      strictEqual((await task(clone.root, "status")).code, 0);
    } finally {
      const bucket = new S3Bucket({
        endpoint: env.s3EndpointUrl,
        region: env.awsRegion ?? "us-east-1",
        credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
        bucket: env.testBucket!,
      });
      try {
        for await (const { key } of bucket.list(prefix)) await bucket.delete(key);
      } finally {
        bucket.close();
        await first.cleanup();
        await clone.cleanup();
      }
    }
  },
});
