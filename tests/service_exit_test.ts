/**
 * Regression (issue 11): a repro whose stage fails because a service is down
 * exits 7 (service failure), not 4. The real ingest stage reads a MongoDB
 * source at a closed port (no server needed); a command that merely exits 7
 * stays a plain stage failure (tests/runner_test.ts).
 */
import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { EXIT } from "../lib/errors.ts";
import { REPO, tempWorkspace } from "./_workspace.ts";

const INGEST = `stages:
  ingest:
    cmd: >-
      deno run --config ${join(REPO, "deno.json")} --allow-read --allow-write --allow-net
      --allow-env=MONGODB_URI,LOG_TOKENS,LOG_STREAM --ignore-env --allow-sys=osRelease,uid
      ${join(REPO, "stages/ingest.ts")}
    deps: [schema.yaml]
    params: [ingest]
    outs: [artifacts/ingest/raw.csv]
`;

Deno.test("a Mongo repro failing because the server is down exits 7, naming the service", async () => {
  const params = (await Deno.readTextFile(join(REPO, "params.yaml")))
    .replace(/^ {2}source: csv\b/m, "  source: mongodb");
  ok(params.includes("source: mongodb"), "params.yaml has ingest.source");
  const w = await tempWorkspace({
    "pipeline.yaml": INGEST,
    "params.yaml": params,
    "schema.yaml": await Deno.readTextFile(join(REPO, "schema.yaml")),
  });
  try {
    const t = await w.task("repro", [], {
      MONGODB_URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500",
    });
    strictEqual(t.code, EXIT.service, t.stderr);
    ok(t.stderr.includes("stage 'ingest' failed"), t.stderr);
    ok(t.stderr.includes("(a service failed)"), t.stderr);
    ok(t.stderr.includes("is unreachable"), t.stderr);
  } finally {
    await w.cleanup();
  }
});
