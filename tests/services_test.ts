/**
 * Proves each test service really works over its own protocol, through the
 * clients the product uses: npm:mongodb against the MongoDB URI, the AWS SDK
 * against the S3 endpoint, and MLflow's REST API with fetch.
 *
 * Run through `deno task test` (services up, THREATLINE_REQUIRE_SERVICES=1):
 * a missing service then fails its test. Run alone (`deno test`), a test
 * whose variables are not set is skipped, as its name says.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { MongoClient } from "mongodb";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";

const env = servicesFromEnv();
const runId = crypto.randomUUID().slice(0, 8);

const mongo = serviceGate(env, { MONGODB_URI: env.mongodbUri });

Deno.test({
  name: `mongodb: insert/find/update/delete roundtrip via npm:mongodb ${mongo.label}`,
  ignore: mongo.ignore,
  async fn() {
    mongo.check();
    const client = new MongoClient(env.mongodbUri!, { serverSelectionTimeoutMS: 5000 });
    try {
      const db = client.db(`threatline_test_${runId}`);
      const flows = db.collection<{ _id?: unknown; src: string; port: number; label: string }>(
        "flows",
      );
      const docs = [
        { src: "10.0.0.1", port: 443, label: "benign" },
        { src: "10.0.0.2", port: 23, label: "malicious" },
        { src: "10.0.0.3", port: 22, label: "malicious" },
      ];
      const inserted = await flows.insertMany(docs);
      assert.equal(inserted.insertedCount, 3);
      const bad = await flows.find({ label: "malicious" }).sort({ port: 1 }).toArray();
      assert.deepEqual(bad.map((d) => d.port), [22, 23]);
      await flows.updateOne({ src: "10.0.0.1" }, { $set: { label: "suspicious" } });
      assert.equal((await flows.findOne({ src: "10.0.0.1" }))?.label, "suspicious");
      assert.equal(await flows.countDocuments({ port: { $gte: 23 } }), 2);
      assert.equal((await flows.deleteMany({ label: "malicious" })).deletedCount, 2);
      assert.equal(await flows.countDocuments({}), 1);
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  },
});

const s3 = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  AWS_REGION: env.awsRegion,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

function s3Client(): S3Client {
  return new S3Client({
    endpoint: env.s3EndpointUrl,
    region: env.awsRegion,
    forcePathStyle: true,
    credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test({
  name: `s3: put/get/list/delete via @aws-sdk/client-s3 ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    s3.check();
    const client = s3Client();
    const Bucket = env.testBucket!;
    const prefix = `services-test/${runId}/`;
    try {
      const body = new TextEncoder().encode("model,auc\nbaseline,0.91\n");
      await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}a.csv`, Body: body }));
      await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}b.txt`, Body: "b" }));
      const got = await client.send(new GetObjectCommand({ Bucket, Key: `${prefix}a.csv` }));
      assert.deepEqual(await got.Body!.transformToByteArray(), body);
      const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
      assert.deepEqual(listed.Contents?.map((o) => o.Key), [`${prefix}a.csv`, `${prefix}b.txt`]);
      for (const o of listed.Contents ?? []) {
        await client.send(new DeleteObjectCommand({ Bucket, Key: o.Key }));
      }
      const after = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }));
      assert.equal(after.KeyCount, 0);
      await assert.rejects(
        client.send(new GetObjectCommand({ Bucket, Key: `${prefix}a.csv` })),
        (err: Error) => err.name === "NoSuchKey",
      );
    } finally {
      client.destroy();
    }
  },
});

Deno.test({
  name: `s3: multipart upload of 6 MiB via @aws-sdk/client-s3 ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    s3.check();
    const client = s3Client();
    const Bucket = env.testBucket!;
    const Key = `services-test/${runId}/model.bin`;
    // 5 MiB (the minimum size of a non-final part) + 1 MiB, deterministic bytes.
    const data = new Uint8Array(6 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >>> 13)) & 0xff;
    const parts = [data.subarray(0, 5 * 1024 * 1024), data.subarray(5 * 1024 * 1024)];
    let uploadId: string | undefined;
    try {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      uploadId = created.UploadId!;
      const etags: { ETag: string; PartNumber: number }[] = [];
      for (const [i, part] of parts.entries()) {
        const res = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId: uploadId,
            PartNumber: i + 1,
            Body: Buffer.from(part),
          }),
        );
        etags.push({ ETag: res.ETag!, PartNumber: i + 1 });
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags },
        }),
      );
      uploadId = undefined;
      const got = await client.send(new GetObjectCommand({ Bucket, Key }));
      assert.equal(got.ContentLength, data.length);
      assert.match(got.ETag ?? "", /-2"?$/, "a multipart ETag ends in -<part count>");
      assert.equal(sha256(await got.Body!.transformToByteArray()), sha256(data));
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
    } finally {
      if (uploadId) {
        await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }));
      }
      client.destroy();
    }
  },
});

const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

async function mlflowApi<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const url = new URL(`/api/2.0/mlflow/${path}`, env.mlflowTrackingUri);
  const init: RequestInit = { method };
  if (method === "GET" && body) {
    for (const [k, v] of Object.entries(body)) url.searchParams.set(k, String(v));
  } else if (body) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const res = await fetch(url, init);
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

Deno.test({
  name:
    `mlflow: experiment, run, param, metric, artifact, registered model via REST ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const name = `threatline-services-test-${runId}`;
    const { experiment_id } = await mlflowApi<{ experiment_id: string }>(
      "POST",
      "experiments/create",
      { name },
    );
    const byName = await mlflowApi<{ experiment: { experiment_id: string } }>(
      "GET",
      "experiments/get-by-name",
      { experiment_name: name },
    );
    assert.equal(byName.experiment.experiment_id, experiment_id);

    const { run } = await mlflowApi<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      "POST",
      "runs/create",
      { experiment_id, start_time: Date.now(), run_name: "services-test" },
    );
    const run_id = run.info.run_id;
    await mlflowApi("POST", "runs/log-parameter", { run_id, key: "model", value: "logreg" });
    await mlflowApi("POST", "runs/log-metric", {
      run_id,
      key: "auc",
      value: 0.93,
      timestamp: Date.now(),
      step: 1,
    });
    await mlflowApi("POST", "runs/update", { run_id, status: "FINISHED", end_time: Date.now() });
    const got = await mlflowApi<{
      run: {
        info: { status: string };
        data: {
          params: { key: string; value: string }[];
          metrics: { key: string; value: number }[];
        };
      };
    }>("GET", "runs/get", { run_id });
    assert.equal(got.run.info.status, "FINISHED");
    assert.deepEqual(got.run.data.params, [{ key: "model", value: "logreg" }]);
    assert.equal(got.run.data.metrics.find((m) => m.key === "auc")?.value, 0.93);

    // The artifact proxy (--serve-artifacts): upload and read back through the server.
    assert.match(run.info.artifact_uri, /^mlflow-artifacts:\//);
    const artifactPath = run.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, "");
    const artifactUrl = new URL(
      `/api/2.0/mlflow-artifacts/artifacts/${artifactPath}/metrics.json`,
      env.mlflowTrackingUri,
    );
    const put = await fetch(artifactUrl, { method: "PUT", body: '{"auc":0.93}' });
    assert.ok(put.ok, `artifact upload: HTTP ${put.status} ${await put.text()}`);
    const back = await fetch(artifactUrl);
    assert.equal(await back.text(), '{"auc":0.93}');

    // The model registry needs a database backend store.
    const model = `threatline-test-model-${runId}`;
    const created = await mlflowApi<{ registered_model: { name: string } }>(
      "POST",
      "registered-models/create",
      { name: model, description: "services test" },
    );
    assert.equal(created.registered_model.name, model);
    const version = await mlflowApi<{ model_version: { version: string } }>(
      "POST",
      "model-versions/create",
      { name: model, source: `${run.info.artifact_uri}/model`, run_id },
    );
    assert.equal(version.model_version.version, "1");
    const fetched = await mlflowApi<{ registered_model: { latest_versions?: unknown[] } }>(
      "GET",
      "registered-models/get",
      { name: model },
    );
    assert.equal(fetched.registered_model.latest_versions?.length, 1);
  },
});
