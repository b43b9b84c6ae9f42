/**
 * Regressions (issue 11), through `deno task pull` as a user runs it, against
 * tiny local servers (no MinIO needed): an endpoint answering plain HTTP 404
 * to everything is reported as "not S3" (exit 7), not as every out missing;
 * one that accepts connections and never answers fails within
 * `remote.operation_timeout`, saying so.
 */
import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { tempWorkspace } from "./_workspace.ts";

const SOURCES = {
  "pipeline.yaml": `stages:
  a:
    cmd: tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  b:
    cmd: cat upper.txt upper.txt > twice.txt
    deps: [upper.txt]
    outs: [twice.txt]
`,
  "raw.txt": "hello\n",
};

/** A workspace whose lock names outs that are neither in the workspace nor the cache. */
async function cloneWithoutOuts() {
  const w = await tempWorkspace(SOURCES);
  await w.repro();
  for (const p of ["upper.txt", "twice.txt", ".cache"]) {
    await Deno.remove(join(w.root, p), { recursive: true });
  }
  return w;
}

const env = (endpoint: string, extra: Record<string, string> = {}) => ({
  THREATLINE_REMOTE_URL: "s3://cache/team",
  AWS_ENDPOINT_URL_S3: endpoint,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test-secret",
  ...extra,
});

Deno.test("pull from a server answering plain 404 to everything: 'not S3', exit 7", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("Not Found", { status: 404 }),
  );
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  const w = await cloneWithoutOuts();
  try {
    const r = await w.task("pull", [], env(endpoint));
    strictEqual(r.code, 7, r.stderr);
    ok(r.stderr.includes(`the server at ${endpoint} is not S3`), r.stderr);
    ok(!r.stderr.includes("missing or corrupt"), r.stderr);
  } finally {
    await w.cleanup();
    await server.shutdown();
  }
});

Deno.test("pull from a server that never answers fails within operation_timeout, saying so", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const endpoint = `http://127.0.0.1:${listener.addr.port}`;
  const w = await cloneWithoutOuts();
  try {
    await w.write({ "threatline.yaml": "remote:\n  operation_timeout: 0.5\n" });
    const r = await w.task("pull", [], env(endpoint));
    strictEqual(r.code, 7, r.stderr);
    ok(r.stderr.includes(`S3 at ${endpoint} did not answer`), r.stderr);
    ok(r.stderr.includes("remote.operation_timeout 0.5 s"), r.stderr);
  } finally {
    await w.cleanup();
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});
