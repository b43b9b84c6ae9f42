import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { mlflowConfigFromEnv, redactUri } from "./config.ts";

Deno.test("mlflowConfigFromEnv: no MLFLOW_TRACKING_URI (or an empty one) means MLflow is off", () => {
  assert.equal(mlflowConfigFromEnv({}), undefined);
  assert.equal(mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: "  " }), undefined);
  assert.equal(mlflowConfigFromEnv({ MLFLOW_TRACKING_TOKEN: "t" }), undefined);
});

Deno.test("mlflowConfigFromEnv: defaults, trailing slash, experiment and timeout", () => {
  assert.deepEqual(mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: "http://127.0.0.1:5000/" }), {
    trackingUri: "http://127.0.0.1:5000",
    auth: { kind: "none" },
    experimentName: "threatline",
    timeoutMs: 30_000,
  });
  const c = mlflowConfigFromEnv({
    MLFLOW_TRACKING_URI: "https://mlflow.example.com/prefix/",
    MLFLOW_EXPERIMENT_NAME: "nids",
    MLFLOW_HTTP_REQUEST_TIMEOUT: "2.5",
  })!;
  assert.equal(c.trackingUri, "https://mlflow.example.com/prefix");
  assert.equal(c.experimentName, "nids");
  assert.equal(c.timeoutMs, 2500);
});

Deno.test("mlflowConfigFromEnv: bearer token, basic auth (wins), credentials moved out of the URI", () => {
  const env = { MLFLOW_TRACKING_URI: "http://h:5000" };
  assert.deepEqual(mlflowConfigFromEnv({ ...env, MLFLOW_TRACKING_TOKEN: "tok" })!.auth, {
    kind: "bearer",
    token: "tok",
  });
  assert.deepEqual(
    mlflowConfigFromEnv({
      ...env,
      MLFLOW_TRACKING_TOKEN: "tok",
      MLFLOW_TRACKING_USERNAME: "u",
      MLFLOW_TRACKING_PASSWORD: "p",
    })!.auth,
    { kind: "basic", username: "u", password: "p" },
  );
  const inUri = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: "http://bob:s%40cret@h:5000/" })!;
  assert.equal(inUri.trackingUri, "http://h:5000");
  assert.deepEqual(inUri.auth, { kind: "basic", username: "bob", password: "s@cret" });
});

Deno.test("mlflowConfigFromEnv: bad values are ConfigErrors naming the variable, without secrets", () => {
  const bad = (env: Record<string, string>, field: string) => {
    assert.throws(() => mlflowConfigFromEnv(env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.where.field, field);
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
  };
  bad({ MLFLOW_TRACKING_URI: "./mlruns" }, "MLFLOW_TRACKING_URI");
  bad({ MLFLOW_TRACKING_URI: "file:///tmp/mlruns" }, "MLFLOW_TRACKING_URI");
  bad({ MLFLOW_TRACKING_URI: "ftp://bob:s3cret@h/" }, "MLFLOW_TRACKING_URI");
  bad(
    { MLFLOW_TRACKING_URI: "http://h", MLFLOW_TRACKING_USERNAME: "u" },
    "MLFLOW_TRACKING_PASSWORD",
  );
  bad(
    { MLFLOW_TRACKING_URI: "http://h", MLFLOW_TRACKING_PASSWORD: "s3cret" },
    "MLFLOW_TRACKING_USERNAME",
  );
  bad(
    { MLFLOW_TRACKING_URI: "http://h", MLFLOW_HTTP_REQUEST_TIMEOUT: "0" },
    "MLFLOW_HTTP_REQUEST_TIMEOUT",
  );
  bad(
    { MLFLOW_TRACKING_URI: "http://h", MLFLOW_HTTP_REQUEST_TIMEOUT: "soon" },
    "MLFLOW_HTTP_REQUEST_TIMEOUT",
  );
});

Deno.test("redactUri: hides user info only", () => {
  assert.equal(redactUri("http://bob:s3cret@h:5000/x"), "http://***@h:5000/x");
  assert.equal(redactUri("http://h:5000/a@b"), "http://h:5000/a@b");
});
