import assert from "node:assert/strict";
import { ServiceError } from "../errors.ts";
import { serviceGate, servicesFromEnv, shellExports } from "./env.ts";

Deno.test("servicesFromEnv: set fields, undefined for unset or empty ones", () => {
  const env = servicesFromEnv({
    MONGODB_URI: "mongodb://127.0.0.1:1/",
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:2",
    AWS_REGION: "",
    THREATLINE_REQUIRE_SERVICES: "1",
  });
  assert.equal(env.mongodbUri, "mongodb://127.0.0.1:1/");
  assert.equal(env.s3EndpointUrl, "http://127.0.0.1:2");
  assert.equal(env.awsRegion, undefined);
  assert.equal(env.mlflowTrackingUri, undefined);
  assert.equal(env.requireServices, true);
  assert.equal(servicesFromEnv({}).requireServices, false);
  assert.equal(servicesFromEnv({ THREATLINE_REQUIRE_SERVICES: "0" }).requireServices, false);
});

Deno.test("serviceGate: skip when missing, run when set, fail when missing but required", () => {
  const skip = serviceGate({ requireServices: false }, { MONGODB_URI: undefined });
  assert.equal(skip.ignore, true);
  assert.match(skip.label, /needs MONGODB_URI; skipped without it/);

  const run = serviceGate({ requireServices: true }, { MONGODB_URI: "mongodb://x" });
  assert.equal(run.ignore, false);
  run.check();

  const fail = serviceGate({ requireServices: true }, { A: "x", B: undefined, C: "" });
  assert.equal(fail.ignore, false);
  assert.deepEqual(fail.missing, ["B", "C"]);
  assert.throws(() => fail.check(), (err: Error) => {
    assert.ok(err instanceof ServiceError);
    assert.match(err.message, /THREATLINE_REQUIRE_SERVICES=1 but B, C are not set/);
    return true;
  });
});

Deno.test("shellExports: values survive a POSIX shell roundtrip", async () => {
  const vars = { A: "plain", B: 'it\'s $HOME `x` "q"' };
  const script = `${shellExports(vars)}\nprintf '%s\\n' "$A" "$B"`;
  const out = await new Deno.Command("sh", { args: ["-c", script] }).output();
  assert.equal(new TextDecoder().decode(out.stdout), `${vars.A}\n${vars.B}\n`);
});
