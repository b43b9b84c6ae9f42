/**
 * Test helpers for the dashboard (not product code): a small real
 * workspace in a temporary folder and the in-process dashboard over it.
 *
 * The workspace holds the first 450 rows of the phishing data as ingest's
 * train/test split, schema.yaml and params.yaml, a two-stage pipeline (the
 * real validate stage, then a shell summary), a tiny released model
 * (lib/scoring/_testing.ts), the evaluate outs computed from that model on
 * the test rows (predictions, ROC, PR, calibration, importance, with the
 * same library functions the evaluate stage uses), two earlier runs in
 * the run history, and a small real URL model (lib/url/_testing.ts, gbdt on
 * synthetic URLs) in `artifacts/url/model` with its evaluate outs in
 * `artifacts/url/evaluate/`, loaded the way `deno task dashboard` loads it
 * (lib/serve/url_model.ts) for the real `POST /v1/check-url`.
 *
 * @module
 */
import { join } from "node:path";
import { type Hono } from "hono";
import { apiEntry, LocalHistory, localHistoryPath, recordScored } from "../history/mod.ts";
import { memoryLogger } from "../log.ts";
import { evaluateInsights } from "../reports/importance.ts";
import { downsampleCurve, prCurve, rocAuc, rocCurve } from "../reports/metrics.ts";
import { rowEncoder } from "../learn/preprocess.ts";
import { appendRunRecord, type RunRecord } from "../runner/run/run_history.ts";
import { loadScorer, type Scorer } from "../scoring/mod.ts";
import { csvRows, phishingCsv, phishingRelease, repoFile } from "../scoring/_testing.ts";
import { createApp, createMetrics, DEFAULT_LIMITS, ModelHolder } from "../serve/mod.ts";
import { loadServedUrlModel } from "../serve/url_model.ts";
import type { ServedUrlModel } from "../serve/check_url.ts";
import { writeTestUrlModel } from "../url/_testing.ts";
import { createDashboardApp } from "./app.ts";
import { loadAssets } from "./assets.ts";
import { Trainer } from "./trainer.ts";

/** A dashboard over a temporary workspace. */
export interface TestDashboard {
  /** Workspace root. */
  root: string;
  /** The dashboard app. */
  app: Hono;
  /** The scoring app it mounts (tests may add routes to it). */
  api: Hono;
  /** The loaded model. */
  scorer: Scorer;
  /** The Train runner. */
  trainer: Trainer;
  /** The local history. */
  history: LocalHistory;
  /** The URL model of `/v1/check-url`. */
  urlModel: ServedUrlModel;
  /** The test split's CSV text. */
  testCsv: string;
  /** Wait for the history appends of API requests so far. */
  settle(): Promise<void>;
  /** Stop everything and remove the folder. */
  close(): Promise<void>;
}

function run(id: string, started: string, auc: number, changed: RunRecord["changedParams"]) {
  return {
    id,
    kind: "repro",
    started,
    ended: started,
    seconds: 12.5,
    outcome: "ok",
    git: { commit: "0123456789abcdef0123", dirty: false },
    args: [],
    changedParams: changed,
    metrics: { "artifacts/metrics.json": { roc_auc: auc, f1: auc - 0.05 } },
    models: { threatline: "v-" + id },
    stages: [{ name: "validate", outcome: "ran", seconds: 1.5 }],
  } satisfies RunRecord;
}

/**
 * Build the workspace and the dashboard (options: an API key; routes to
 * register on the scoring app before the dashboard mounts it).
 *
 * @example
 * ```ts ignore
 * const d = await testDashboard();
 * const res = await d.app.request("/api/pipeline");
 * await d.close();
 * ```
 */
export async function testDashboard(
  o: { apiKey?: string; extendApi?: (api: Hono) => void } = {},
): Promise<TestDashboard> {
  const root = await Deno.makeTempDir({ prefix: "dashboard_test_" });
  const w = (path: string, text: string) =>
    Deno.mkdir(join(root, path, ".."), { recursive: true }).then(() =>
      Deno.writeTextFile(join(root, path), text)
    );
  const train = await phishingCsv(300);
  const test = await phishingCsv(150, 300);
  await w("artifacts/ingest/train.csv", train);
  await w("artifacts/ingest/test.csv", test);
  await w("schema.yaml", await Deno.readTextFile(repoFile("schema.yaml")));
  await w("params.yaml", await Deno.readTextFile(repoFile("params.yaml")));
  const deno = `deno run --config ${repoFile("deno.json")}`;
  await w(
    "pipeline.yaml",
    `stages:
  validate:
    desc: the real validate stage on the fixture split
    cmd: ${deno} --allow-read --allow-write --allow-env=LOG_TOKENS,LOG_STREAM ${
      repoFile("stages/validate.ts")
    }
    deps:
      - artifacts/ingest/train.csv
      - artifacts/ingest/test.csv
      - schema.yaml
    params: [validate]
    outs:
      - artifacts/validate/report.json
      - artifacts/validate/report.md
  summary:
    desc: bytes of the report
    cmd: sh -c "wc -c < artifacts/validate/report.json > artifacts/summary.txt"
    deps:
      - artifacts/validate/report.json
    outs:
      - artifacts/summary.txt
`,
  );
  await phishingRelease({ dir: join(root, "artifacts"), epochs: 5 });
  const log = memoryLogger();
  const scorer = await loadScorer(join(root, "artifacts/model"), { use: "single", log });
  // Evaluate outs from the model on the test rows.
  const [header, ...rows] = csvRows(test);
  const enc = rowEncoder(scorer.preprocess, header);
  const x = new Float32Array(rows.length * enc.width);
  rows.forEach((r, i) => enc.encode(r, x, i * enc.width, i + 2));
  const scores = scorer.predictProba(x, rows.length);
  const target = header.indexOf(scorer.preprocess.schema.target.column);
  const labels = rows.map((r) => scorer.preprocess.classify(Number(r[target])) === 1 ? 1 : 0);
  const preds = ["row,label,probability,unseen"];
  rows.forEach((_, i) => preds.push(`${i},${labels[i]},${scores[i].toFixed(6)},1`));
  await w("artifacts/evaluate/predictions.csv", preds.join("\n") + "\n");
  const roc = downsampleCurve(rocCurve(labels, scores), 200, (p) => [p.fpr, p.tpr]);
  const pr = downsampleCurve(prCurve(labels, scores), 200, (p) => [p.recall, p.precision]);
  await w(
    "artifacts/evaluate/roc.json",
    JSON.stringify({ roc_auc: rocAuc(labels, scores), points: roc }),
  );
  await w("artifacts/evaluate/pr.json", JSON.stringify({ pr_auc: null, points: pr }));
  const preprocessJson = JSON.parse(
    await Deno.readTextFile(join(root, "artifacts/model/preprocess.json")),
  );
  const insights = evaluateInsights({
    x,
    rows: rows.length,
    cols: enc.width,
    labels,
    scores,
    predict: (m, n) => scorer.predictProba(m, n),
    preprocessJson,
    names: scorer.preprocess.columns,
  });
  await w("artifacts/evaluate/calibration.json", JSON.stringify(insights.calibration));
  await w("artifacts/evaluate/importance.json", JSON.stringify(insights.importance));
  const cacheDir = join(root, ".cache");
  await appendRunRecord(cacheDir, run("r1", "2026-12-01T10:00:00.000Z", 0.91, {}));
  await appendRunRecord(
    cacheDir,
    run("r2", "2026-12-02T10:00:00.000Z", 0.94, {
      "params.yaml": { "train.epochs": [60, 80] },
    }),
  );

  const urlModel = await writeUrlRelease(root, log);

  const models = new ModelHolder({ log });
  models.swap(scorer, { source: "artifacts/model" });
  const history = new LocalHistory(localHistoryPath(cacheDir));
  const pending: Promise<void>[] = [];
  const api = createApp({
    onScored: (e) => pending.push(recordScored(history, apiEntry(e), log)),
    models,
    apiKey: o.apiKey,
    limits: DEFAULT_LIMITS,
    log,
    metrics: createMetrics(),
    urlModel: () => urlModel,
  });
  o.extendApi?.(api);
  const trainer = new Trainer({ root, log });
  const app = createDashboardApp({
    api,
    models,
    root,
    history,
    trainer,
    urlModelDir: urlModel.source,
    apiKey: o.apiKey,
    limits: DEFAULT_LIMITS,
    log,
    assets: await loadAssets(),
  });
  return {
    root,
    app,
    api,
    scorer,
    trainer,
    history,
    urlModel,
    testCsv: test,
    async settle() {
      await Promise.all(pending);
    },
    async close() {
      trainer.cancel();
      await trainer.finished;
      await models.close();
      urlModel.checker.dispose();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** The URL model in `artifacts/url/model` and its evaluate outs on held-out synthetic URLs. */
async function writeUrlRelease(root: string, log: ReturnType<typeof memoryLogger>) {
  const dir = join(root, "artifacts/url/model");
  await writeTestUrlModel(dir);
  const urlModel = await loadServedUrlModel({ dir, required: true, log });
  if (!urlModel) throw new Error("unreachable: a required URL model loads or throws");
  const held: [string, number][] = [];
  for (let i = 1; i <= 40; i++) {
    held.push([`https://shop${i}.example.org/${i % 3 ? "about" : "login"}/page`, 0]);
    held.push([`http://172.16.${i}.9/${i % 4 ? "paypal/login.php" : "home"}`, 1]);
  }
  const verdicts = urlModel.checker.check(held.map(([u]) => u), { reasons: 0 });
  const labels = held.map(([, l]) => l);
  const scores = verdicts.map((v) => ("probability" in v ? v.probability : 0));
  const out = join(root, "artifacts/url/evaluate");
  await Deno.mkdir(out, { recursive: true });
  const preds = ["row,label,probability"];
  scores.forEach((p, i) => preds.push(`${i},${labels[i]},${p.toFixed(6)}`));
  await Deno.writeTextFile(join(out, "predictions.csv"), preds.join("\n") + "\n");
  const roc = downsampleCurve(rocCurve(labels, scores), 200, (p) => [p.fpr, p.tpr]);
  const pr = downsampleCurve(prCurve(labels, scores), 200, (p) => [p.recall, p.precision]);
  await Deno.writeTextFile(
    join(out, "roc.json"),
    JSON.stringify({ roc_auc: rocAuc(labels, scores), points: roc }),
  );
  await Deno.writeTextFile(join(out, "pr.json"), JSON.stringify({ pr_auc: null, points: pr }));
  return urlModel;
}
