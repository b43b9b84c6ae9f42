import assert from "node:assert/strict";
import { join } from "node:path";
import { ServiceError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import { buildGraph, type Graph } from "../runner/spec/graph.ts";
import { readLock } from "../runner/cache/lock.ts";
import { repro, type ReproSummary } from "../runner/run/repro.ts";
import { loadPipeline } from "../runner/spec/spec.ts";
import { openWorkspace } from "../runner/cache/workspace.ts";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { MlflowClient } from "./client.ts";
import { gitHead, logRepro, shouldLogRepro, trackRepro } from "./tracking.ts";

const PIPELINE = `stages:
  prepare:
    cmd: ${JSON.stringify(`echo '{"rows": 3, "ok": true}' > prep.json`)}
    params: [prep.size]
    metrics: [prep.json]
  report:
    cmd: mkdir -p out && echo '<svg/>' > out/plot.svg && head -c 100 /dev/zero > out/big.bin
    deps: [prep.json]
    outs: [out]
  broken:
    cmd: exit 3
    deps: [prep.json]
    outs: [never.txt]
`;

/** Reproduce PIPELINE in a temp folder, in-process. */
async function reproduced(): Promise<{
  root: string;
  graph: Graph;
  summary: ReproSummary;
  startedAt: number;
}> {
  const root = await Deno.makeTempDir({ prefix: "threatline-mlflow-" });
  await Deno.writeTextFile(join(root, "pipeline.yaml"), PIPELINE);
  await Deno.writeTextFile(join(root, "params.yaml"), "prep:\n  size: 3\n");
  const ws = await openWorkspace({ root }, memoryLogger());
  const graph = buildGraph(await loadPipeline(root));
  const startedAt = Date.now();
  try {
    return { root, graph, summary: await repro(ws, graph), startedAt };
  } finally {
    await ws.close();
  }
}

Deno.test("shouldLogRepro: when a stage ran, was restored or failed", () => {
  const r = (outcome: "ran" | "restored" | "fresh" | "failed") => ({
    results: [{ stage: "a", outcome, seconds: 0 }],
    errors: [],
  });
  assert.equal(shouldLogRepro(r("ran")), true);
  assert.equal(shouldLogRepro(r("restored")), true);
  assert.equal(shouldLogRepro(r("fresh")), false);
  assert.equal(shouldLogRepro(r("failed")), true);
});

Deno.test("trackRepro: a repro whose only stage failed is logged FAILED, with the git state", async () => {
  const root = await Deno.makeTempDir({ prefix: "threatline-mlflow-" });
  await Deno.writeTextFile(
    join(root, "pipeline.yaml"),
    "stages:\n  only:\n    cmd: exit 3\n    outs: [never.txt]\n",
  );
  const ws = await openWorkspace({ root }, memoryLogger());
  const graph = buildGraph(await loadPipeline(root));
  const summary = await repro(ws, graph);
  await ws.close();
  const created: { tags: { key: string; value: string }[] }[] = [];
  const updates: { run_id: string; status: string }[] = [];
  const fake = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : {};
    const json = (v: unknown) => Promise.resolve(new Response(JSON.stringify(v)));
    if (url.pathname.endsWith("/experiments/get-by-name")) {
      return json({ experiment: { experiment_id: "9", name: "x", lifecycle_stage: "active" } });
    }
    if (url.pathname.endsWith("/runs/create")) {
      created.push(body);
      const run_id = `run${created.length}`;
      return json({
        run: { info: { run_id, artifact_uri: `mlflow-artifacts:/9/${run_id}/artifacts` } },
      });
    }
    if (url.pathname.endsWith("/runs/update")) updates.push(body);
    return json({});
  }) as typeof fetch;
  try {
    assert.deepEqual(summary.results.map((r) => r.outcome), ["failed"]);
    const tracked = await trackRepro({
      config: {
        trackingUri: "http://fake",
        auth: { kind: "none" },
        experimentName: "x",
        timeoutMs: 1000,
      },
      ws: { root, lockPath: join(root, "pipeline.lock"), pipelineFile: "pipeline.yaml" },
      graph,
      summary,
      startedAt: Date.now(),
      git: { commit: "a".repeat(40), dirty: true, diffHash: "d".repeat(64) },
      log: memoryLogger(),
      fetch: fake,
    });
    assert.equal(tracked.error, undefined);
    assert.equal(tracked.logged?.status, "FAILED");
    const tags = Object.fromEntries(created[0].tags.map((t) => [t.key, t.value]));
    assert.equal(tags["mlflow.source.git.commit"], "a".repeat(40));
    assert.equal(tags["threatline.git.dirty"], "true");
    assert.equal(tags["threatline.git.diff_sha256"], "d".repeat(64));
    assert.ok(updates.some((u) => u.run_id === "run1" && u.status === "FAILED"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("gitHead: the commit in a checkout, undefined elsewhere", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await gitHead(dir), undefined);
    const git = (...args: string[]) =>
      new Deno.Command("git", { args, cwd: dir, stdout: "null", stderr: "null" }).output();
    await git("init", "-q");
    await Deno.writeTextFile(join(dir, "a"), "a");
    await git("add", "a");
    await git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a");
    assert.match((await gitHead(dir)) ?? "", /^[0-9a-f]{40}$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logRepro: when an upload fails, the runs it opened are marked FAILED", async () => {
  const { root, graph, summary, startedAt } = await reproduced();
  const updates: { run_id: string; status: string }[] = [];
  let runs = 0;
  const fake = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : {};
    const json = (v: unknown, status = 200) =>
      Promise.resolve(new Response(JSON.stringify(v), { status }));
    if (url.pathname.endsWith("/experiments/get-by-name")) {
      return json({ experiment: { experiment_id: "9", name: "x", lifecycle_stage: "active" } });
    }
    if (url.pathname.endsWith("/runs/create")) {
      const run_id = `run${++runs}`;
      return json({
        run: { info: { run_id, artifact_uri: `mlflow-artifacts:/9/${run_id}/artifacts` } },
      });
    }
    if (url.pathname.endsWith("/runs/update")) updates.push(body);
    if (init?.method === "PUT") {
      return json({ error_code: "INTERNAL_ERROR", message: "disk full" }, 500);
    }
    return json({});
  }) as typeof fetch;
  try {
    const client = new MlflowClient({ trackingUri: "http://fake", fetch: fake });
    await assert.rejects(
      logRepro({
        client,
        experimentName: "x",
        root,
        graph,
        lock: await readLock(join(root, "pipeline.lock")),
        summary,
        startedAt,
        gitCommit: "0".repeat(40),
        log: memoryLogger(),
      }),
      (err: ServiceError) => /disk full/.test(err.message) && err.exitCode === 7,
    );
    assert.deepEqual(
      updates.map((u) => [u.run_id, u.status]).sort(),
      [["run1", "FAILED"], ["run2", "FAILED"]],
    );
    // trackRepro returns the error instead of throwing, after a warning.
    const log = memoryLogger();
    const tracked = await trackRepro({
      config: {
        trackingUri: "http://fake",
        auth: { kind: "none" },
        experimentName: "x",
        timeoutMs: 1000,
      },
      ws: { root, lockPath: join(root, "pipeline.lock"), pipelineFile: "pipeline.yaml" },
      graph,
      summary,
      startedAt,
      log,
      fetch: fake,
    });
    assert.ok(tracked.error instanceof ServiceError);
    assert.ok(log.records.some((r) => r.level === "warn" && /not logged/.test(r.msg)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const env = servicesFromEnv();
const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

Deno.test({
  name: `logRepro: a repro with a failed stage on the real server ${mlflow.label}`,
  ignore: mlflow.ignore,
  async fn() {
    mlflow.check();
    const { root, graph, summary, startedAt } = await reproduced();
    try {
      const client = new MlflowClient({ trackingUri: env.mlflowTrackingUri!, timeoutMs: 10_000 });
      const logged = await logRepro({
        client,
        experimentName: `tracking-test-${crypto.randomUUID().slice(0, 8)}`,
        root,
        graph,
        lock: await readLock(join(root, "pipeline.lock")),
        summary,
        startedAt,
        maxOutBytes: 50, // out/ holds 107 bytes: too big to upload; prep.json is not
        log: memoryLogger(),
      });
      assert.equal(logged.status, "FAILED");
      assert.deepEqual(
        logged.children.map((c) => [c.stage, c.outcome]).sort(),
        [["broken", "failed"], ["prepare", "ran"], ["report", "ran"]],
      );
      const parent = await client.getRun(logged.runId);
      assert.equal(parent.info.status, "FAILED");
      const tags = Object.fromEntries(parent.data.tags!.map((t) => [t.key, t.value]));
      assert.equal(tags["threatline.outcome.broken"], "failed");
      assert.equal(tags["threatline.outcome.prepare"], "ran");
      assert.match(tags["threatline.signature.prepare"], /^[0-9a-f]{64}$/);
      assert.equal(tags["threatline.signature.broken"], undefined);
      const metrics = Object.fromEntries(parent.data.metrics!.map((m) => [m.key, m.value]));
      assert.deepEqual(metrics, { "prepare/rows": 3, "prepare/ok": 1 });
      assert.deepEqual(parent.data.params, [{ key: "prep.size", value: "3" }]);
      const byStage = new Map(logged.children.map((c) => [c.stage, c.runId]));
      const broken = await client.getRun(byStage.get("broken")!);
      assert.equal(broken.info.status, "FAILED");
      const report = await client.getRun(byStage.get("report")!);
      const reportTags = Object.fromEntries(report.data.tags!.map((t) => [t.key, t.value]));
      assert.equal(reportTags["threatline.skipped_outs"], "out");
      assert.equal(reportTags["mlflow.parentRunId"], logged.runId);
      const prepared = await client.listArtifacts(byStage.get("prepare")!);
      assert.deepEqual(prepared.map((f) => f.path), ["prep.json"]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
