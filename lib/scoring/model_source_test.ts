import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import { ConfigError, DataError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { parseModelSource, releaseFiles, resolveModelSource } from "./model_source.ts";
import { loadScorer } from "./scorer.ts";
import { phishingRelease } from "./_testing.ts";

Deno.test("parseModelSource: folders, s3:// and models:/ URIs; bad ones are ConfigErrors", () => {
  deepStrictEqual(parseModelSource("artifacts/model"), { kind: "dir", dir: "artifacts/model" });
  deepStrictEqual(parseModelSource("s3://releases/models/abc"), {
    kind: "s3",
    uri: "s3://releases/models/abc",
    bucket: "releases",
    prefix: "models/abc/",
  });
  deepStrictEqual(parseModelSource("models:/threat-detector@champion"), {
    kind: "mlflow",
    uri: "models:/threat-detector@champion",
    name: "threat-detector",
    alias: "champion",
  });
  deepStrictEqual(releaseFiles("gbdt"), ["card.json", "preprocess.json", "trees.json"]);
  deepStrictEqual(releaseFiles("mlp").slice(2), ["model.json", "weights.bin"]);
  for (const bad of ["s3://bucket", "models:/x", "models:/x/3", "https://h/model"]) {
    throws(() => parseModelSource(bad), ConfigError, bad);
  }
});

Deno.test("resolveModelSource: a folder as it is; a missing one is a DataError; models:/ needs MLflow", async () => {
  const dir = await phishingRelease();
  try {
    deepStrictEqual(await resolveModelSource(`${dir}/model`), {
      dir: `${dir}/model`,
      source: `${dir}/model`,
      kind: "dir",
    });
    await rejects(
      resolveModelSource(`${dir}/nothing`),
      (e) => e instanceof DataError && /card\.json not found/.test(e.message),
    );
    await rejects(
      resolveModelSource("models:/threat@champion", { env: {}, cacheDir: dir }),
      (e) => e instanceof ConfigError && /MLFLOW_TRACKING_URI is not set/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const env = servicesFromEnv();
const s3 = serviceGate(env, {
  AWS_ENDPOINT_URL_S3: env.s3EndpointUrl,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

Deno.test({
  name: `s3:// release: downloaded once, checked against its manifest ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    s3.check();
    const { uploadModelDir } = await import("../s3/model_upload.ts");
    const { S3Bucket } = await import("../s3/bucket.ts");
    const vars = Deno.env.toObject();
    const settings = {
      endpoint: env.s3EndpointUrl,
      region: env.awsRegion ?? "us-east-1",
      credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
      bucket: env.testBucket!,
    };
    const dir = await phishingRelease();
    const prefix = `scoring-test/${crypto.randomUUID()}/`;
    const log = memoryLogger();
    try {
      await uploadModelDir({ s3: settings, dir: `${dir}/model`, prefix, log });
      const uri = `s3://${env.testBucket}/${prefix}`;
      const resolved = await resolveModelSource(uri, { env: vars, cacheDir: `${dir}/cache`, log });
      strictEqual(resolved.kind, "s3");
      for (const f of releaseFiles("mlp")) {
        deepStrictEqual(
          await Deno.readFile(`${resolved.dir}/${f}`),
          await Deno.readFile(`${dir}/model/${f}`),
        );
      }
      const scorer = await loadScorer(resolved.dir, { use: "single" });
      ok(scorer.version.length === 12);
      const downloads = () => log.records.filter((r) => r.msg === "model downloaded").length;
      strictEqual(downloads(), 1);
      await resolveModelSource(uri, { env: vars, cacheDir: `${dir}/cache`, log });
      strictEqual(downloads(), 1, "the second resolve uses the cache");
      await rejects(
        resolveModelSource(`s3://${env.testBucket}/scoring-test/none/`, {
          env: vars,
          cacheDir: dir,
        }),
        (e) => e instanceof DataError && /MANIFEST\.json is missing/.test(e.message),
      );
    } finally {
      const bucket = new S3Bucket(settings);
      for await (const { key } of bucket.list(prefix)) await bucket.delete(key);
      bucket.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

Deno.test({
  name: `models:/name@champion: the aliased version's files ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const { MlflowClient } = await import("../mlflow/client.ts");
    const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri! });
    const dir = await phishingRelease();
    const name = `scoring-test-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const exp = await client.ensureExperiment("scoring-test");
      const run = await client.createRun({ experimentId: exp.experiment_id });
      for (const f of releaseFiles("mlp")) {
        await client.uploadArtifact(
          run.artifact_uri,
          `model/${f}`,
          await Deno.readFile(`${dir}/model/${f}`),
        );
      }
      await client.ensureRegisteredModel(name);
      const mv = await client.createModelVersion({
        name,
        source: `${run.artifact_uri}/model`,
        runId: run.run_id,
      });
      await client.setAlias(name, "champion", mv.version);
      const resolved = await resolveModelSource(`models:/${name}@champion`, {
        env: { MLFLOW_TRACKING_URI: env.mlflowTrackingUri },
        cacheDir: `${dir}/cache`,
      });
      const scorer = await loadScorer(resolved.dir, { use: "single" });
      const original = await loadScorer(`${dir}/model`, { use: "single" });
      strictEqual(scorer.version, original.version);
      await rejects(
        resolveModelSource(`models:/${name}@nope`, {
          env: { MLFLOW_TRACKING_URI: env.mlflowTrackingUri },
          cacheDir: dir,
        }),
        (e) => e instanceof DataError && /has no alias 'nope'/.test(e.message),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
