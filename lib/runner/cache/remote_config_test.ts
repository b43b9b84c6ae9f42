import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../../errors.ts";
import { s3SettingsFromEnv } from "../../s3/settings.ts";
import { loadProjectConfig, noRemoteError, resolveProjectConfig } from "./remote_config.ts";

const FILE = `cache:
  dir: .shared-cache
remote:
  url: s3://ml-cache/threatline/
  endpoint_url: http://127.0.0.1:9000
  region: eu-west-1
  jobs: 8
  connect_timeout: 2
  timeout: 30
  retries: 1
`;

Deno.test("remote config: no file and no variables means everything stays local", () => {
  deepStrictEqual(resolveProjectConfig(undefined, "threatline.yaml", {}), {});
  deepStrictEqual(resolveProjectConfig("", "threatline.yaml", {}), { file: "threatline.yaml" });
});

Deno.test("remote config: the file alone configures cache and remote", () => {
  const c = resolveProjectConfig(FILE, "threatline.yaml", {});
  strictEqual(c.cacheDir, ".shared-cache");
  deepStrictEqual(c.remote, {
    url: "s3://ml-cache/threatline/",
    prefix: "threatline",
    jobs: 8,
    s3: {
      bucket: "ml-cache",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      connectTimeoutMs: 2000,
      requestTimeoutMs: 30000,
      maxAttempts: 2,
    },
  });
});

Deno.test("remote config: the environment wins over the file; credentials come from it", () => {
  const c = resolveProjectConfig(FILE, "threatline.yaml", {
    THREATLINE_CACHE_DIR: "/tmp/cache",
    THREATLINE_REMOTE_URL: "s3://other-bucket",
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9999/",
    AWS_REGION: "us-west-2",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "secret",
  });
  strictEqual(c.cacheDir, "/tmp/cache");
  strictEqual(c.remote?.prefix, "");
  strictEqual(c.remote?.s3.bucket, "other-bucket");
  strictEqual(c.remote?.s3.endpoint, "http://127.0.0.1:9999");
  strictEqual(c.remote?.s3.region, "us-west-2");
  deepStrictEqual(c.remote?.s3.credentials, { accessKeyId: "id", secretAccessKey: "secret" });
  strictEqual(c.remote?.s3.requestTimeoutMs, 30000, "file tunables still apply");
});

Deno.test("remote config: THREATLINE_REMOTE_URL alone is enough; 'none' turns a remote off", () => {
  const c = resolveProjectConfig(undefined, "threatline.yaml", {
    THREATLINE_REMOTE_URL: "s3://bucket/a/b",
  });
  strictEqual(c.remote?.prefix, "a/b");
  strictEqual(c.remote?.s3.region, "us-east-1");
  strictEqual(c.remote?.jobs, 4);
  strictEqual(c.remote?.s3.endpoint, undefined);
  strictEqual(
    resolveProjectConfig(FILE, "threatline.yaml", { THREATLINE_REMOTE_URL: "none" }).remote,
    undefined,
  );
});

Deno.test("remote config: mistakes in the file name its line and column", () => {
  const bad = (text: string, pattern: RegExp) =>
    throws(() => resolveProjectConfig(text, "threatline.yaml", {}), (err: unknown) => {
      ok(err instanceof ConfigError, String(err));
      ok(pattern.test(`${err.where.file}:${err.where.line}: ${err.message}`), err.message);
      return true;
    });
  bad("remote:\n  url: https://bucket/x\n", /^threatline\.yaml:2: remote\.url must look like s3/);
  bad("remote:\n  url: s3://bucket/x\n  endpoint_url: ftp://h\n", /:3: .*must be an http\(s\) URL/);
  bad("remote:\n  url: s3://Bad_Bucket/x\n", /:2: invalid S3 bucket name/);
  bad("remote:\n  url: s3://bucket/x\n  jobs: 0\n", /:3: 'remote\.jobs' must be ≥ 1/);
  bad("remote:\n  url: s3://bucket/x\n  secret_key: abc\n", /:3: unknown key 'remote\.secret_key'/);
  bad("cache:\n  dri: x\n", /:2: unknown key 'cache\.dri'/);
  bad("remote: [\n", /^threatline\.yaml:\d+: invalid YAML/);
});

Deno.test("remote config: mistakes in variables name the variable", () => {
  throws(
    () => resolveProjectConfig(undefined, "t.yaml", { THREATLINE_REMOTE_URL: "bucket/x" }),
    (err: ConfigError) => err.where.field === "THREATLINE_REMOTE_URL",
  );
  throws(
    () =>
      resolveProjectConfig(undefined, "t.yaml", {
        THREATLINE_REMOTE_URL: "s3://bucket/x",
        AWS_ACCESS_KEY_ID: "only-the-id",
      }),
    (err: ConfigError) => err.where.field === "AWS_SECRET_ACCESS_KEY",
  );
  throws(
    () =>
      resolveProjectConfig(undefined, "t.yaml", {
        THREATLINE_REMOTE_URL: "s3://bucket/x",
        AWS_ENDPOINT_URL: "not a url",
      }),
    (err: ConfigError) => err.where.field === "AWS_ENDPOINT_URL",
  );
});

Deno.test("remote config: loadProjectConfig reads threatline.yaml at the root when present", async () => {
  const root = await Deno.makeTempDir();
  try {
    deepStrictEqual(loadProjectConfig(root, {}), {});
    await Deno.writeTextFile(`${root}/threatline.yaml`, FILE);
    strictEqual(loadProjectConfig(root, {}).remote?.s3.bucket, "ml-cache");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("remote config: the no-remote error says how to configure one", () => {
  const err = noRemoteError("push");
  ok(err.hint?.includes("THREATLINE_REMOTE_URL"));
  strictEqual(err.exitCode, 2);
});

Deno.test("s3SettingsFromEnv: undefined without a bucket; the AWS variables otherwise", () => {
  strictEqual(s3SettingsFromEnv({ AWS_REGION: "eu-west-1" }), undefined);
  deepStrictEqual(
    s3SettingsFromEnv({
      THREATLINE_MODEL_BUCKET: "models",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9000",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
    }),
    {
      bucket: "models",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      credentials: { accessKeyId: "id", secretAccessKey: "secret", sessionToken: "token" },
    },
  );
  strictEqual(s3SettingsFromEnv({}, { bucket: "from-params" })?.bucket, "from-params");
  throws(() => s3SettingsFromEnv({}, { bucket: "x" }), ConfigError);
});
