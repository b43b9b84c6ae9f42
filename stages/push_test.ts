import assert from "node:assert/strict";
import { ConfigError } from "../lib/errors.ts";
import { readReleaseManifest, s3SettingsFromEnv } from "../lib/s3/model_upload.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { parseYaml } from "../lib/yaml.ts";
import { readPushParams } from "./push.ts";
import { repoPath, runStage } from "./_stage_testing.ts";

Deno.test("readPushParams: everything has a default; both targets are off", () => {
  const p = readPushParams(parseYaml("push: {}\n", "params.yaml"));
  assert.deepEqual(p, {
    s3: { enabled: false, bucket: "", prefix: "models" },
    mlflow: {
      enabled: false,
      modelName: "threatline",
      gate: { metric: "roc_auc", direction: "max", minDelta: 0 },
      mode: "alias",
    },
  });
});

Deno.test("readPushParams: the repository's params.yaml has a valid push section", async () => {
  const y = parseYaml(await Deno.readTextFile(repoPath("params.yaml")), "params.yaml");
  const p = readPushParams(y);
  assert.equal(p.s3.enabled, false, "pushing is opt-in");
  assert.equal(p.mlflow.enabled, false, "registering is opt-in");
});

Deno.test("readPushParams: unknown keys and bad values name the key", () => {
  const bad = (text: string, field: string) =>
    assert.throws(() => readPushParams(parseYaml(text, "params.yaml")), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.where.field, field);
      return true;
    });
  bad("push:\n  mlflow: { gate_direction: up }\n", "push.mlflow.gate_direction");
  bad("push:\n  mlflow: { mode: registry }\n", "push.mlflow.mode");
  bad("push:\n  mlflow: { min_delta: -1 }\n", "push.mlflow.min_delta");
  bad("push:\n  s3: { enabled: true, buckett: b }\n", "push.s3.buckett");
  bad("push:\n  mlflow: { enabled: true, model_name: ' ' }\n", "push.mlflow.model_name");
});

const CARD = { format: "threat-model/1", version: "0123456789ab", description: "logreg" };

/** A workspace with a released model folder and holdout metrics. */
async function modelWorkspace(params: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "stages_push_" });
  await Deno.mkdir(`${dir}/artifacts/model`, { recursive: true });
  await Deno.writeTextFile(`${dir}/artifacts/model/card.json`, JSON.stringify(CARD));
  await Deno.writeTextFile(`${dir}/artifacts/model/model.json`, "{}");
  await Deno.writeFile(`${dir}/artifacts/model/weights.bin`, new Uint8Array([1, 2, 3]));
  await Deno.writeTextFile(`${dir}/artifacts/model/preprocess.json`, "{}");
  await Deno.writeTextFile(`${dir}/artifacts/metrics.json`, '{"roc_auc": 0.97}');
  await Deno.writeTextFile(`${dir}/params.yaml`, params);
  return dir;
}

Deno.test("push: both targets disabled needs no network and no env, and says so", async () => {
  const dir = await modelWorkspace(
    "push:\n  s3: { enabled: false }\n  mlflow: { enabled: false }\n",
  );
  try {
    // runStage grants only --allow-read/--allow-write and the yaml parser's two variables.
    const { code, stderr } = await runStage("push", dir);
    assert.equal(code, 0, stderr);
    const pushed = JSON.parse(await Deno.readTextFile(`${dir}/artifacts/push/pushed.json`));
    assert.deepEqual(pushed.s3, { status: "disabled" });
    assert.deepEqual(pushed.mlflow, { status: "disabled" });
    assert.equal(pushed.model.version, "0123456789ab");
    assert.deepEqual(
      pushed.model.files.map((f: { path: string; size: number }) => [f.path, f.size]),
      [["card.json", JSON.stringify(CARD).length], ["model.json", 2], ["preprocess.json", 2], [
        "weights.bin",
        3,
      ]],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("push: a missing model card is a data error (exit 3)", async () => {
  const dir = await modelWorkspace("push: {}\n");
  try {
    await Deno.remove(`${dir}/artifacts/model/card.json`);
    const { code, stderr } = await runStage("push", dir);
    assert.equal(code, 3);
    assert.match(stderr, /artifacts\/model\/card\.json: model card not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("push: MLflow enabled without MLFLOW_TRACKING_URI is a config error (exit 2)", async () => {
  const dir = await modelWorkspace("push:\n  mlflow: { enabled: true }\n");
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", repoPath("deno.json"), repoPath("stages/push.ts")],
      cwd: dir,
      env: { MLFLOW_TRACKING_URI: "" },
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    assert.match(stderr, /push\.mlflow\.enabled is true but MLFLOW_TRACKING_URI is not set/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const env = servicesFromEnv();
const s3 = serviceGate(env, {
  AWS_ENDPOINT_URL_S3: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

Deno.test({
  name: `push: S3 enabled uploads the model to <prefix>/<version>/ with its manifest ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    s3.check();
    const prefix = `push-test/${crypto.randomUUID().slice(0, 8)}`;
    const dir = await modelWorkspace(
      `push:\n  s3: { enabled: true, bucket: ${env.testBucket}, prefix: ${prefix} }\n`,
    );
    try {
      // The permissions the push stage's cmd in pipeline.yaml grants.
      const args = ["--allow-read", "--allow-write", "--allow-net", "--allow-env"];
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...args,
          "--allow-sys=osRelease",
          "--config",
          repoPath("deno.json"),
          repoPath(
            "stages/push.ts",
          ),
        ],
        cwd: dir,
        env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "" },
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const pushed = JSON.parse(await Deno.readTextFile(`${dir}/artifacts/push/pushed.json`));
      assert.equal(pushed.s3.status, "pushed");
      assert.equal(pushed.s3.uri, `s3://${env.testBucket}/${prefix}/0123456789ab/`);
      assert.deepEqual(pushed.mlflow, { status: "disabled" });
      const manifest = await readReleaseManifest(
        s3SettingsFromEnv(Deno.env.toObject(), { bucket: env.testBucket })!,
        `${prefix}/0123456789ab/`,
      );
      assert.deepEqual(
        manifest?.files.map((f) => f.path),
        ["card.json", "model.json", "preprocess.json", "weights.bin"],
      );
      const local = Object.fromEntries(
        pushed.model.files.map((f: { path: string; sha256: string }) => [f.path, f.sha256]),
      );
      for (const f of manifest!.files) assert.equal(f.sha256, local[f.path], f.path);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
