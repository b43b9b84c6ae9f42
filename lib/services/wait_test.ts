import assert from "node:assert/strict";
import { ServiceError } from "../errors.ts";
import { waitUntilReady } from "./wait.ts";

Deno.test("waitUntilReady: resolves once the probe succeeds", async () => {
  let calls = 0;
  await waitUntilReady({
    service: "fake",
    timeoutMs: 5000,
    intervalMs: 1,
    probe: () => {
      calls++;
      return calls < 3 ? Promise.reject(new Error("not yet")) : Promise.resolve();
    },
  });
  assert.equal(calls, 3);
});

Deno.test("waitUntilReady: timeout names the service, the last error and the details", async () => {
  const err = await waitUntilReady({
    service: "s3 (MinIO, pid 1)",
    timeoutMs: 30,
    intervalMs: 5,
    probe: () => Promise.reject(new Error("connection refused")),
    details: () => "--- last lines of s3.log ---\nboom",
  }).catch((e) => e);
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /^s3 \(MinIO, pid 1\) is not ready: it did not answer within 30 ms/);
  assert.match(err.message, /last error: connection refused/);
  assert.match(err.message, /boom$/);
});

Deno.test("waitUntilReady: stops at once when the process exited", async () => {
  let calls = 0;
  const err = await waitUntilReady({
    service: "mongodb",
    timeoutMs: 60_000,
    probe: () => {
      calls++;
      return Promise.reject(new Error("refused"));
    },
    alive: () => false,
  }).catch((e) => e);
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /its process exited before it answered/);
  assert.equal(calls, 1);
});

Deno.test("waitUntilReady: an aborted signal ends the wait", async () => {
  const abort = new AbortController();
  abort.abort(new Error("SIGINT"));
  const err = await waitUntilReady({
    service: "mlflow",
    timeoutMs: 60_000,
    probe: () => Promise.reject(new Error("refused")),
    signal: abort.signal,
  }).catch((e) => e);
  assert.ok(err instanceof ServiceError);
  assert.match(err.message, /mlflow: waiting for it was interrupted/);
});
