/**
 * Model releases: against MinIO (round trip, multipart, idempotent re-upload,
 * immutability) and against a fake S3 on loopback that records the order of
 * requests (the manifest goes last, and not at all when a file fails).
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, ServiceError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import { hashFile } from "../file_hash.ts";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { S3Bucket } from "./bucket.ts";
import { MANIFEST_NAME, readReleaseManifest, uploadModelDir } from "./model_upload.ts";
import type { S3Settings } from "./settings.ts";

const MiB = 1024 * 1024;

/** A model folder like the train stage releases. */
async function modelDir(weightsBytes = 1024): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "model_upload_" });
  const weights = new Uint8Array(weightsBytes);
  for (let i = 0; i < weights.length; i++) weights[i] = (i * 13 + (i >>> 11)) & 0xff;
  await Deno.writeTextFile(join(dir, "model.json"), '{"format":"layers-model"}\n');
  await Deno.writeFile(join(dir, "weights.bin"), weights);
  await Deno.writeTextFile(join(dir, "card.json"), '{"auc":0.97}\n');
  await Deno.mkdir(join(dir, "extra"));
  await Deno.writeTextFile(join(dir, "extra", "preprocess.json"), '{"scale":"standard"}\n');
  return dir;
}

const env = servicesFromEnv();
const gate = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

Deno.test({
  name: `uploadModelDir (MinIO): files, then the manifest; same again is a no-op ${gate.label}`,
  ignore: gate.ignore,
  async fn() {
    gate.check();
    const s3: S3Settings = {
      endpoint: env.s3EndpointUrl,
      region: env.awsRegion ?? "us-east-1",
      credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
      bucket: env.testBucket!,
    };
    const prefix = `model-upload-test/${crypto.randomUUID().slice(0, 8)}/v1/`;
    const dir = await modelDir(6 * MiB + 3); // multipart with 5 MiB parts
    const bucketOptions = { partSize: 5 * MiB, multipartThreshold: 5 * MiB };
    const bucket = new S3Bucket(s3);
    const log = memoryLogger();
    try {
      strictEqual(await readReleaseManifest(s3, prefix), undefined);
      const { uri, files } = await uploadModelDir({ s3, dir, prefix, log, bucketOptions });
      strictEqual(uri, `s3://${s3.bucket}/${prefix}`);
      deepStrictEqual(files.map((f) => f.key), [
        `${prefix}card.json`,
        `${prefix}extra/preprocess.json`,
        `${prefix}model.json`,
        `${prefix}weights.bin`,
      ]);
      const manifest = await readReleaseManifest(s3, prefix);
      deepStrictEqual(manifest?.files.map((f) => f.path), [
        "card.json",
        "extra/preprocess.json",
        "model.json",
        "weights.bin",
      ]);
      const weights = manifest!.files.find((f) => f.path === "weights.bin")!;
      strictEqual(weights.sha256, (await hashFile(join(dir, "weights.bin"))).hash);
      const back = await Deno.makeTempFile();
      strictEqual(await bucket.download(`${prefix}weights.bin`, back, weights.sha256), "ok");
      strictEqual(await bucket.download(`${prefix}weights.bin`, back, "0".repeat(64)), "corrupt");
      // Without a hash to check: streamed as is; a missing key leaves the file alone.
      await Deno.remove(back);
      strictEqual(await bucket.download(`${prefix}weights.bin`, back), "ok");
      deepStrictEqual(await Deno.readFile(back), await Deno.readFile(join(dir, "weights.bin")));
      strictEqual(await bucket.download(`${prefix}nothing.bin`, back), "missing");
      await Deno.remove(back);

      await uploadModelDir({ s3, dir, prefix, log, bucketOptions });
      ok(log.records.some((r) => r.msg === "model release already complete"));
      // The card is run metadata (an old card held the save time): a re-push
      // of the same model with another card is the same release...
      await Deno.writeTextFile(join(dir, "card.json"), '{"auc":0.97,"created":"later"}\n');
      await uploadModelDir({ s3, dir, prefix, log, bucketOptions });
      strictEqual(log.records.filter((r) => r.msg === "model release already complete").length, 2);
      // ...a different model is refused.
      await Deno.writeTextFile(join(dir, "model.json"), '{"format":"layers-model","v":2}\n');
      await rejects(uploadModelDir({ s3, dir, prefix, log }), ConfigError);
    } finally {
      for await (const { key } of bucket.list(prefix)) await bucket.delete(key);
      bucket.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A fake S3: 404 (S3-style) for GETs, 200 for PUTs (except `failing`), recording `METHOD path`. */
function fakeS3(failing?: string) {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.arrayBuffer();
    const path = new URL(req.url).pathname;
    requests.push(`${req.method} ${path}`);
    // Every answer carries S3's request id, as AWS and MinIO send it.
    const headers = { "x-amz-request-id": String(requests.length) };
    if (req.method === "GET") return new Response(null, { status: 404, headers });
    if (failing && path.endsWith(failing)) return new Response(null, { status: 500, headers });
    return new Response(null, { status: 200, headers: { ...headers, ETag: '"etag"' } });
  });
  const s3: S3Settings = {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test-secret" },
    bucket: "releases",
  };
  return { s3, requests, close: () => server.shutdown() };
}

Deno.test("uploadModelDir: the manifest is written last", async () => {
  const fake = fakeS3();
  const dir = await modelDir();
  try {
    await uploadModelDir({ s3: fake.s3, dir, prefix: "/models/v2", log: memoryLogger() });
    const puts = fake.requests.filter((r) => r.startsWith("PUT"));
    strictEqual(puts.length, 5);
    strictEqual(puts.at(-1), `PUT /releases/models/v2/${MANIFEST_NAME}`);
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("uploadModelDir: a failed file upload leaves no manifest behind", async () => {
  const fake = fakeS3("weights.bin");
  const dir = await modelDir();
  try {
    await rejects(
      uploadModelDir({
        s3: fake.s3,
        dir,
        prefix: "models/v3/",
        log: memoryLogger(),
        bucketOptions: { retryBaseMs: 1 },
      }),
      (err: unknown) => err instanceof ServiceError && err.message.includes(fake.s3.endpoint!),
    );
    ok(fake.requests.includes("PUT /releases/models/v3/weights.bin"));
    ok(!fake.requests.some((r) => r.endsWith(MANIFEST_NAME) && r.startsWith("PUT")));
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("uploadModelDir: an unusable prefix or a file named like the manifest is refused", async () => {
  const dir = await modelDir();
  const s3: S3Settings = {
    region: "us-east-1",
    bucket: "releases",
    endpoint: "http://127.0.0.1:1",
  };
  try {
    await rejects(uploadModelDir({ s3, dir, prefix: "../x", log: memoryLogger() }), ConfigError);
    await rejects(uploadModelDir({ s3, dir, prefix: "", log: memoryLogger() }), ConfigError);
    await Deno.writeTextFile(join(dir, MANIFEST_NAME), "{}");
    await rejects(
      uploadModelDir({ s3, dir, prefix: "models/v1/", log: memoryLogger() }),
      ConfigError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
