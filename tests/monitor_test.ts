/**
 * `deno task monitor` against the MongoDB test server (FerretDB), as a
 * subprocess with deno.json's permissions: new records scored once and
 * written back with the model version; labels joined later from a labels
 * collection into the live metrics; thresholds → exit 9 naming them; a held
 * lease → exit 5; SIGKILL mid-run, then a rerun: every record has exactly one
 * prediction and the watermark is at the last record.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { MongoClient, type ObjectId } from "mongodb";
import { LockedError } from "../lib/errors.ts";
import { LocalHistory } from "../lib/history/mod.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { mlflowConfigFromEnv } from "../lib/mlflow/config.ts";
import {
  acquireLease,
  commit,
  fileStore,
  historyEntry,
  logMonitorRun,
  mongoStore,
  readMonitorParams,
  runMonitor,
  s3Store,
} from "../lib/monitor/mod.ts";
import { S3Bucket } from "../lib/s3/bucket.ts";
import { loadScorer } from "../lib/scoring/scorer.ts";
import { parseYaml } from "../lib/yaml.ts";
import { phishingCsv, phishingRelease } from "../lib/scoring/_testing.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { taskCommand, taskFlags } from "./_workspace.ts";

const env = servicesFromEnv();
const mongo = serviceGate(env, { MONGODB_URI: env.mongodbUri });

async function monitorCommand(cwd: string, args: string[] = [], signal?: AbortSignal) {
  return taskCommand({
    task: "monitor",
    flags: await taskFlags("monitor"),
    args: ["--model", "model", ...args],
    cwd,
    env: { NO_COLOR: "1", MONGODB_URI: env.mongodbUri ?? "", MLFLOW_TRACKING_URI: "" },
    signal,
  });
}

async function monitor(cwd: string, args: string[] = []) {
  // A hung run fails the test instead of hanging it.
  const out = await (await monitorCommand(cwd, args, AbortSignal.timeout(120_000))).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Phishing rows as documents (numbers), without their label. */
async function documents(rows: number, skip: number) {
  const lines = (await phishingCsv(rows, skip)).trimEnd().split("\n");
  const header = lines[0].split(",");
  return lines.slice(1).map((line) => {
    const v = line.split(",").map(Number);
    const doc: Record<string, number> = {};
    header.forEach((h, i) => (doc[h] = v[i]));
    return doc;
  });
}

Deno.test({
  name:
    `monitor over MongoDB: exactly once, labels joined later, thresholds, lease, kill -9 ${mongo.label}`,
  ignore: mongo.ignore,
  fn: async () => {
    mongo.check();
    const database = `threatline_monitor_${crypto.randomUUID().slice(0, 8)}`;
    const client = new MongoClient(env.mongodbUri!, { serverSelectionTimeoutMS: 5000 });
    const dir = await phishingRelease();
    try {
      const db = client.db(database);
      const source = db.collection("flows_live");
      const predictions = db.collection("predictions");
      const paramsText = (extra = "") =>
        `monitor:\n  source: {kind: mongodb, database: ${database}, collection: flows_live}\n` +
        `  output: {collection: predictions}\n  labels: {collection: labels}\n` +
        `  min_labeled: 50\n  lease_seconds: 600\n${extra}`;
      await Deno.writeTextFile(join(dir, "params.yaml"), paramsText());
      const all = await documents(3000, 300);
      const labelOf = new Map<string, number>();
      const insert = async (docs: Record<string, number>[]) => {
        const stripped = docs.map(({ result, ...rest }) => ({ rest, result }));
        const r = await source.insertMany(stripped.map((d) => d.rest));
        Object.values(r.insertedIds).forEach((id, i) =>
          labelOf.set(String(id), stripped[i].result)
        );
        return Object.values(r.insertedIds) as ObjectId[];
      };

      // 1. 400 unlabelled records: all scored once, no live metrics yet.
      const first = await insert(all.slice(0, 400));
      const r1 = await monitor(dir);
      strictEqual(r1.code, 0, r1.stderr);
      const rep1 = JSON.parse(r1.stdout);
      deepStrictEqual([rep1.records, rep1.scored, rep1.live], [400, 400, undefined]);
      strictEqual(await predictions.countDocuments(), 400);
      const p = await predictions.findOne({ _id: first[0] });
      ok(p && typeof p.probability === "number" && p.model_version === rep1.modelVersion);

      // 2. Their labels arrive in a labels collection; 100 new records.
      await db.collection("labels").insertMany(
        first.map((_id) => ({ _id, label: labelOf.get(String(_id)) })),
      );
      await insert(all.slice(400, 500));
      const r2 = await monitor(dir);
      strictEqual(r2.code, 0, r2.stderr);
      const rep2 = JSON.parse(r2.stdout);
      deepStrictEqual([rep2.records, rep2.labelsJoined, rep2.live.labeled], [100, 400, 400]);
      ok(rep2.live.roc_auc > 0.5 && rep2.live.recall > 0, r2.stderr);
      strictEqual(await predictions.countDocuments(), 500);

      // 3. A threshold the model cannot meet: exit 9, saying which.
      await Deno.writeTextFile(
        join(dir, "params.yaml"),
        paramsText("  thresholds: {min_roc_auc: 1}\n"),
      );
      const r3 = await monitor(dir);
      strictEqual(r3.code, 9, r3.stderr);
      ok(
        /MONITOR_ALERT.*live ROC-AUC [0-9.]+ < monitor\.thresholds\.min_roc_auc 1/.test(r3.stderr),
        r3.stderr,
      );
      await Deno.writeTextFile(join(dir, "params.yaml"), paramsText());

      // 4. Another run holds the lease: exit 5, nothing scored.
      await insert(all.slice(500, 600));
      const store = mongoStore(client, database, "monitor_state", "default");
      const held = await acquireLease(store, { seconds: 600 });
      const r4 = await monitor(dir);
      strictEqual(r4.code, 5, r4.stderr);
      ok(/holds the lease/.test(r4.stderr), r4.stderr);
      strictEqual(await predictions.countDocuments(), 500);
      await commit(store, held.lease, (s) => s, { release: true });

      // 5. SIGKILL while it writes predictions; the rerun (taking over the lease) completes
      //    the unit: every record exactly one prediction, the watermark at the last one.
      const ids = [...(await insert(all.slice(600)))];
      const before = (await store.read()).state!;
      const child = (await monitorCommand(dir)).spawn();
      while (await predictions.countDocuments() <= 500) {
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
      strictEqual((await child.status).signal, "SIGKILL");
      const mid = (await store.read()).state!;
      strictEqual(mid.watermark, before.watermark, "the watermark moved before the outputs");
      ok(mid.lease !== null, "a killed run leaves its lease");
      const again = await monitor(dir);
      strictEqual(again.code, 5, "the lease still blocks a normal run");
      const r5 = await monitor(dir, ["--break-lease", "--verbose"]);
      strictEqual(r5.code, 0, r5.stderr);
      strictEqual(JSON.parse(r5.stdout).records, 2500); // the 100 of step 4 and the 2400 new
      strictEqual(await predictions.countDocuments(), 3000);
      strictEqual(await source.countDocuments(), 3000);
      const after = (await store.read()).state!;
      deepStrictEqual([after.records, after.lease], [3000, null]);
      strictEqual(after.watermark, `{"$oid":"${ids.at(-1)!.toHexString()}"}`);
      // Nothing left: a further run scores nothing.
      const r6 = await monitor(dir);
      strictEqual(JSON.parse(r6.stdout).records, 0);
    } finally {
      await client.db(database).dropDatabase().catch(() => {});
      await client.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const s3 = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});

Deno.test({
  name: `monitor over S3: new objects once, state by conditional PUT, concurrent lease ${s3.label}`,
  ignore: s3.ignore,
  fn: async () => {
    s3.check();
    const connection = {
      endpoint: env.s3EndpointUrl,
      region: env.awsRegion ?? "us-east-1",
      credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
    };
    const bucket = new S3Bucket({ ...connection, bucket: env.testBucket! });
    const root = `monitor-test/${crypto.randomUUID().slice(0, 8)}`;
    const dir = await phishingRelease();
    const scorer = await loadScorer(join(dir, "model"), { use: "batch" });
    try {
      const params = readMonitorParams(parseYaml(
        `monitor:\n  source: {kind: s3, url: 's3://${env.testBucket}/${root}/in/'}\n` +
          `  output: {url: 's3://${env.testBucket}/${root}/out/'}\n  min_labeled: 20\n`,
        "params.yaml",
      ));
      strictEqual(params.state.kind, "s3");
      const stateKey = `${root}/in/_monitor/default.json`;
      const store = () => s3Store({ ...connection, bucket: env.testBucket! }, stateKey);
      const rows = (await phishingCsv(300, 300)).trimEnd().split("\n");
      const put = (name: string, lines: string[]) =>
        bucket.putBytes(
          `${root}/in/${name}`,
          new TextEncoder().encode([rows[0], ...lines].join("\n") + "\n"),
        );
      await put("2026-12-04T10.csv", rows.slice(1, 101));
      await put("2026-12-04T11.csv", rows.slice(101, 201));
      // Two runs at once: one takes the lease, the other is refused (exit 5's error).
      const [a, b] = await Promise.allSettled([
        store().then((s) => runMonitor({ params, scorer, store: s, s3: connection, workers: 0 })),
        store().then((s) => runMonitor({ params, scorer, store: s, s3: connection, workers: 0 })),
      ]);
      const done = [a, b].filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<
        Awaited<ReturnType<typeof runMonitor>>
      >[];
      const refused = [a, b].filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      // Either they overlapped (one refused) or ran one after the other (the second found nothing).
      const records = done.map((r) => r.value.records).sort();
      ok(
        (refused.length === 1 && refused[0].reason instanceof LockedError && records[0] === 200) ||
          (done.length === 2 && records[0] === 0 && records[1] === 200),
        `${records} ${refused.map((r) => r.reason)}`,
      );
      const out = await bucket.getBytes(`${root}/out/2026-12-04T10.csv.predictions.csv`);
      strictEqual(new TextDecoder().decode(out).trimEnd().split("\n").length, 101);
      await put("2026-12-04T12.csv", rows.slice(201, 301));
      const r = await runMonitor({
        params,
        scorer,
        store: await store(),
        s3: connection,
        workers: 0,
      });
      deepStrictEqual([r.records, r.units.length, r.watermark.to], [100, 1, "2026-12-04T12.csv"]);
      strictEqual(r.live?.labeled, 300);
      const state = (await (await store()).read()).state!;
      deepStrictEqual([state.records, state.lease, state.watermark], [
        300,
        null,
        "2026-12-04T12.csv",
      ]);
      // A late object (named before the watermark, never scored) is scored; the watermark stays.
      await put("2026-12-04T09.csv", rows.slice(1, 21));
      const late = await runMonitor({
        params,
        scorer,
        store: await store(),
        s3: connection,
        workers: 0,
      });
      deepStrictEqual([late.records, late.units.length, late.watermark.to], [
        20,
        1,
        "2026-12-04T12.csv",
      ]);
      ok(await bucket.getBytes(`${root}/out/2026-12-04T09.csv.predictions.csv`));
    } finally {
      scorer.dispose();
      for await (const { key } of bucket.list(`${root}/`)) await bucket.delete(key);
      bucket.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const mlflow = serviceGate(env, { MLFLOW_TRACKING_URI: env.mlflowTrackingUri });

Deno.test({
  name: `monitor run logged to MLflow and to the prediction history ${mlflow.label}`,
  ignore: mlflow.ignore,
  fn: async () => {
    mlflow.check();
    const dir = await phishingRelease();
    const scorer = await loadScorer(join(dir, "model"), { use: "batch" });
    try {
      await Deno.mkdir(join(dir, "in"));
      await Deno.writeTextFile(join(dir, "in", "a.csv"), await phishingCsv(120, 300));
      const params = readMonitorParams(parseYaml(
        `monitor:\n  source: {kind: folder, path: ${join(dir, "in")}}\n` +
          `  output: {path: ${join(dir, "out")}}\n  min_labeled: 100\n`,
        "params.yaml",
      ));
      const report = await runMonitor({
        params,
        scorer,
        store: fileStore(join(dir, "state")),
        workers: 0,
      });
      const experiment = `monitor-test-${crypto.randomUUID().slice(0, 8)}`;
      const config = mlflowConfigFromEnv({
        MLFLOW_TRACKING_URI: env.mlflowTrackingUri,
        MLFLOW_EXPERIMENT_NAME: experiment,
      })!;
      const runId = await logMonitorRun(config, report, "default");
      const run = await new MlflowClient({ trackingUri: config.trackingUri }).getRun(runId);
      const metric = (k: string) => run.data.metrics?.find((m) => m.key === k)?.value;
      deepStrictEqual([metric("records"), metric("live_labeled")], [120, 120]);
      strictEqual(metric("live_recall"), report.live!.recall);
      ok(run.data.tags?.some((t) => t.key === "threatline.kind" && t.value === "monitor"));
      strictEqual(run.info.status, "FINISHED");
      const history = new LocalHistory(join(dir, "history.jsonl"));
      await history.append(historyEntry(report, { input: "in/", time: new Date() }));
      const page = await history.list();
      deepStrictEqual(
        [page.total, page.entries[0].source, page.entries[0].rows],
        [1, "monitor", 120],
      );
    } finally {
      scorer.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("monitor --retrain: a crossed threshold runs `deno task repro`, then exits 8", async () => {
  const dir = await phishingRelease();
  try {
    await Deno.mkdir(join(dir, "in"));
    await Deno.writeTextFile(join(dir, "in", "a.csv"), await phishingCsv(120, 300));
    await Deno.writeTextFile(
      join(dir, "params.yaml"),
      `monitor:\n  source: {kind: folder, path: in}\n  output: {path: out}\n` +
        `  min_labeled: 100\n  thresholds: {min_roc_auc: 1}\n`,
    );
    // The workspace's own repro task (here a stand-in that leaves a mark): the monitor
    // runs whatever `deno task repro` is in its working folder.
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({ tasks: { repro: "echo retrained > retrained.txt" } }),
    );
    const out = await (await monitorCommand(dir, ["--retrain"], AbortSignal.timeout(120_000)))
      .output();
    const stderr = new TextDecoder().decode(out.stderr);
    strictEqual(out.code, 9, stderr);
    ok(/MONITOR_ALERT/.test(stderr) && /retrained: deno task repro succeeded/.test(stderr), stderr);
    strictEqual((await Deno.readTextFile(join(dir, "retrained.txt"))).trim(), "retrained");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
