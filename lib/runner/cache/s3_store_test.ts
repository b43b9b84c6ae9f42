/**
 * S3Store against a real MinIO (the shared ObjectStore suite, multipart
 * uploads, an upload that must not become visible), and against fake
 * servers on loopback for retries, timeouts and a server that is down.
 *
 * MinIO tests need the test services (`deno task test` starts them); run
 * alone without the variables they are skipped, as their names say.
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { CacheError, ServiceError } from "../../errors.ts";
import { memoryLogger } from "../../log.ts";
import { serviceGate, servicesFromEnv } from "../../services/mod.ts";
import { S3Bucket } from "../../s3/bucket.ts";
import type { S3Settings } from "../../s3/settings.ts";
import { hashBytes, hashFile } from "./hash.ts";
import { objectStoreSuite } from "./object_store_suite.ts";
import { S3Store } from "./s3_store.ts";

const env = servicesFromEnv();
const gate = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});
const runId = crypto.randomUUID().slice(0, 8);
let counter = 0;

function minio(): S3Settings {
  gate.check();
  return {
    endpoint: env.s3EndpointUrl,
    region: env.awsRegion ?? "us-east-1",
    credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
    bucket: env.testBucket!,
  };
}

/** Delete every key under `prefix`. */
async function wipe(bucket: S3Bucket, prefix: string): Promise<void> {
  for await (const { key } of bucket.list(prefix)) await bucket.delete(key);
}

if (gate.ignore) {
  Deno.test({
    name: `S3Store (MinIO): shared ObjectStore suite ${gate.label}`,
    ignore: true,
    fn() {},
  });
} else {
  objectStoreSuite(`S3Store (MinIO) ${gate.label}`, () => {
    const settings = minio();
    const prefix = `s3-store-test/${runId}/${++counter}`;
    const store = new S3Store(settings, { prefix });
    const raw = new S3Bucket(settings);
    return Promise.resolve({
      store,
      async cleanup() {
        await wipe(raw, `${prefix}/`);
        raw.close();
        await store.close();
      },
      async corrupt(hash) {
        const bytes = await raw.getBytes(store.objectKey(hash));
        bytes![0] ^= 0xff; // same size, one byte flipped
        await raw.putBytes(store.objectKey(hash), bytes!);
      },
    });
  });
}

/** A file of `size` deterministic bytes. */
async function bigFile(dir: string, size: number): Promise<string> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >>> 13)) & 0xff;
  const path = join(dir, "big.bin");
  await Deno.writeFile(path, data);
  return path;
}

Deno.test({
  name: `S3Store (MinIO): a large object goes up in parts and comes back verified ${gate.label}`,
  ignore: gate.ignore,
  async fn() {
    const settings = minio();
    const prefix = `s3-store-test/${runId}/multipart`;
    const tmp = await Deno.makeTempDir();
    const parts = 5 * 1024 * 1024;
    await using store = new S3Store(settings, {
      prefix,
      partSize: parts,
      multipartThreshold: parts,
    });
    try {
      const src = await bigFile(tmp, 12 * 1024 * 1024 + 7);
      const { hash, size } = await hashFile(src);
      await store.putObject(hash, src);
      deepStrictEqual(await store.statObject(hash), { size });
      const client = new S3Client({
        endpoint: settings.endpoint,
        region: settings.region,
        forcePathStyle: true,
        credentials: settings.credentials,
      });
      const head = await client.send(
        new HeadObjectCommand({ Bucket: settings.bucket, Key: store.objectKey(hash) }),
      ).finally(() => client.destroy());
      ok(/-3"?$/.test(head.ETag ?? ""), `a multipart ETag ends in -<parts>: ${head.ETag}`);
      deepStrictEqual(await Array.fromAsync(store.listObjects()), [hash]);
      strictEqual(await store.getObject(hash, join(tmp, "back", "big.bin")), "ok");
      strictEqual((await hashFile(join(tmp, "back", "big.bin"))).hash, hash);
    } finally {
      await wipe(new S3Bucket(settings), `${prefix}/`);
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: `S3Store (MinIO): a multipart upload with the wrong content never appears ${gate.label}`,
  ignore: gate.ignore,
  async fn() {
    const settings = minio();
    const prefix = `s3-store-test/${runId}/aborted`;
    const tmp = await Deno.makeTempDir();
    const parts = 5 * 1024 * 1024;
    await using store = new S3Store(settings, {
      prefix,
      partSize: parts,
      multipartThreshold: parts,
    });
    const client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: true,
      credentials: settings.credentials,
    });
    try {
      const src = await bigFile(tmp, 11 * 1024 * 1024);
      const claimed = hashBytes("what the file held when it was hashed");
      await rejects(store.putObject(claimed, src), CacheError);
      strictEqual(await store.hasObject(claimed), false);
      deepStrictEqual(await Array.fromAsync(store.listObjects()), []);
      const pending = await client.send(
        new ListMultipartUploadsCommand({ Bucket: settings.bucket, Prefix: `${prefix}/` }),
      );
      deepStrictEqual(pending.Uploads ?? [], [], "the failed upload was aborted");
    } finally {
      client.destroy();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

/** A fake S3 on loopback answering with `respond` (called with the request count). */
function fakeServer(respond: (n: number) => Response | Promise<Response>) {
  let n = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => respond(++n),
  );
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    count: () => n,
    close: () => server.shutdown(),
  };
}

const fakeSettings = (endpoint: string): S3Settings => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test-secret" },
  bucket: "fake",
  connectTimeoutMs: 1000,
  requestTimeoutMs: 1000,
});

Deno.test("S3Store: transient 503s are retried, then the answer counts", async () => {
  const server = fakeServer((n) =>
    new Response(null, { status: n <= 2 ? 503 : 404, headers: { "x-amz-request-id": `r${n}` } })
  );
  await using store = new S3Store(fakeSettings(server.endpoint), { retryBaseMs: 1 });
  try {
    strictEqual(await store.hasObject(hashBytes("x")), false);
    strictEqual(server.count(), 3);
  } finally {
    await server.close();
  }
});

Deno.test("S3Store: a server that never answers fails with a ServiceError, not a hang", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const endpoint = `http://127.0.0.1:${listener.addr.port}`;
  await using store = new S3Store(
    { ...fakeSettings(endpoint), requestTimeoutMs: 300, maxAttempts: 2 },
    { retryBaseMs: 1 },
  );
  try {
    const err = await store.getRun(hashBytes("sig")).then(() => undefined, (e) => e);
    ok(err instanceof ServiceError, String(err));
    ok(err.message.includes(endpoint) && err.message.includes("did not answer"), err.message);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

/** A loopback server that accepts connections and never answers; counts them. */
function silentServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  return {
    endpoint: `http://127.0.0.1:${listener.addr.port}`,
    connections: () => held.length,
    async close() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of held) conn.close();
    },
  };
}

Deno.test("S3Store: a silent server fails once the operation budget is spent, then at once", async () => {
  // Regression (issue 11): 4 attempts × 60 s each took 242 s to fail. Now the
  // first timeout that spends the budget (operation_timeout, default 30 s)
  // fails the operation, says so, and every later request fails at once.
  const server = silentServer();
  const log = memoryLogger();
  await using store = new S3Store(
    { ...fakeSettings(server.endpoint), requestTimeoutMs: 60_000, operationTimeoutMs: 300 },
    { retryBaseMs: 1, log },
  );
  try {
    const err = await store.getRun(hashBytes("sig")).then(() => undefined, (e) => e);
    ok(err instanceof ServiceError, String(err));
    strictEqual(err.exitCode, 7);
    ok(err.message.includes(`S3 at ${server.endpoint} did not answer GET`), err.message);
    ok(err.message.includes("1 attempt; remote.operation_timeout 0.3 s"), err.message);
    strictEqual(server.connections(), 1, "no retry after the budget was spent");
    const again = await store.hasObject(hashBytes("x")).then(() => undefined, (e) => e);
    strictEqual(again, err, "later requests fail with the same error");
    strictEqual(server.connections(), 1, "without asking the silent server again");
  } finally {
    await server.close();
  }
});

Deno.test("S3Store: a server answering plain 404 to everything is 'not S3', not 'missing'", async () => {
  // Regression (issue 11): `pull` reported "17 outs missing" from a web server.
  const server = fakeServer(() => new Response("Not Found", { status: 404 }));
  await using store = new S3Store(fakeSettings(server.endpoint), { retryBaseMs: 1 });
  try {
    for (const ask of [() => store.hasObject(hashBytes("x")), () => store.getRun(hashBytes("s"))]) {
      const err = await ask().then(() => undefined, (e) => e);
      ok(err instanceof ServiceError, String(err));
      strictEqual(
        err.message,
        `the server at ${server.endpoint} is not S3: it answered HTTP 404 ` +
          "without any S3 error body or headers",
      );
    }
    const tmp = await Deno.makeTempDir();
    try {
      const got = await store.getObject(hashBytes("y"), join(tmp, "y")).then(String, (e) => e);
      ok(got instanceof ServiceError && got.message.includes("is not S3"), String(got));
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  } finally {
    await server.close();
  }
});

Deno.test("S3Store: a 404 carrying S3's request id is a plain miss (no probe)", async () => {
  const server = fakeServer(() =>
    new Response(null, { status: 404, headers: { "x-amz-request-id": "abc" } })
  );
  await using store = new S3Store(fakeSettings(server.endpoint), { retryBaseMs: 1 });
  try {
    strictEqual(await store.hasObject(hashBytes("x")), false);
    strictEqual(await store.getRun(hashBytes("s")), undefined);
    strictEqual(server.count(), 2);
  } finally {
    await server.close();
  }
});

Deno.test("S3Store: a server that is down fails with a ServiceError naming the endpoint", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const endpoint = `http://127.0.0.1:${closed.addr.port}`;
  closed.close();
  await using store = new S3Store(fakeSettings(endpoint), { retryBaseMs: 1 });
  const err = await store.hasObject(hashBytes("x")).then(() => undefined, (e) => e);
  ok(err instanceof ServiceError, String(err));
  strictEqual(err.exitCode, 7);
  ok(err.message.includes(`cannot reach S3 at ${endpoint}`), err.message);
  ok(err.hint?.includes("AWS_ENDPOINT_URL_S3"));
});

Deno.test("S3Store: keys mirror the local cache layout under the prefix", () => {
  const store = new S3Store(fakeSettings("http://127.0.0.1:1"), { prefix: "/team/cache/" });
  const hash = hashBytes("content");
  strictEqual(store.description, "s3://fake/team/cache");
  strictEqual(
    store.objectKey(hash),
    `team/cache/files/sha256/${hash.slice(0, 2)}/${hash.slice(2)}`,
  );
  strictEqual(store.runKey(hash), `team/cache/runs/${hash.slice(0, 2)}/${hash.slice(2)}.json`);
  const bare = new S3Store(fakeSettings("http://127.0.0.1:1"));
  strictEqual(bare.objectKey(hash + ".dir").startsWith("files/sha256/"), true);
});
