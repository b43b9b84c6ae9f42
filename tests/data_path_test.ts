/**
 * Data paths live in params.yaml and pipeline.yaml follows them through
 * `${ingest.path}` (issue 9): replacing the data file's contents makes the
 * ingest stage stale, and pointing `ingest.path` at another file re-runs it.
 */
import { ok, strictEqual } from "node:assert/strict";
import { outcomes, tempWorkspace } from "./_workspace.ts";

const PIPELINE = `stages:
  ingest:
    cmd: echo ingest >> runs.log && cat \${ingest.path} > rows.txt
    deps:
      - \${ingest.path}
      - \${ingest.test_path}
    outs: [rows.txt]
`;

async function setup() {
  return await tempWorkspace({
    "pipeline.yaml": PIPELINE,
    "params.yaml": "ingest:\n  path: data/a.csv\n  test_path: []\n",
    "data/a.csv": "x\n1\n",
    "data/b.csv": "x\n2\n",
  });
}

Deno.test("status: replacing the data file named in params reports dep_changed", async () => {
  const w = await setup();
  try {
    strictEqual((await w.task("repro")).code, 0);
    strictEqual((await w.task("status")).code, 0);
    await w.write({ "data/a.csv": "x\n1\n3\n" });
    const json = await w.task("status", ["--json"]);
    strictEqual(json.code, 1, json.stderr);
    const row = JSON.parse(json.stdout).stages[0];
    strictEqual(row.reason.kind, "dep_changed", json.stdout);
    strictEqual(row.reason.path, "data/a.csv");
  } finally {
    await w.cleanup();
  }
});

Deno.test("repro: a new ingest.path re-runs ingest on the new file", async () => {
  const w = await setup();
  try {
    await w.repro();
    await w.write({ "params.yaml": "ingest:\n  path: data/b.csv\n  test_path: []\n" });
    const r = await w.repro();
    strictEqual(outcomes(r.summary).ingest, "ran");
    strictEqual(await w.read("rows.txt"), "x\n2\n");
    const lock = await w.lock();
    ok(JSON.stringify(lock.stages.ingest.deps).includes("data/b.csv"));
    strictEqual(lock.stages.ingest.params?.["params.yaml"]?.["ingest.path"], "data/b.csv");
  } finally {
    await w.cleanup();
  }
});
