import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, LockedError } from "../errors.ts";
import { phishingCsv, phishingRelease } from "../scoring/_testing.ts";
import { loadScorer } from "../scoring/scorer.ts";
import { parseYaml } from "../yaml.ts";
import {
  acquireLease,
  alerts,
  commit,
  fileStore,
  LeaseLostError,
  liveMetrics,
  pushScores,
  readMonitorParams,
  runMonitor,
} from "./mod.ts";

const params = (text: string) => readMonitorParams(parseYaml(text, "params.yaml"));

Deno.test("readMonitorParams: defaults per source kind, and errors naming the key", () => {
  const p = params(
    "monitor:\n  source: {kind: mongodb, database: d, collection: c}\n  output: {}\n" +
      "  labels: {collection: labels}\n  thresholds: {min_recall: 0.9}\n",
  );
  deepStrictEqual(p.source, {
    kind: "mongodb",
    database: "d",
    collection: "c",
    orderField: "_id",
    maxRecords: 1_000_000,
  });
  deepStrictEqual(p.output, { kind: "mongodb", collection: "predictions" });
  deepStrictEqual(p.state, { kind: "mongodb", collection: "monitor_state" });
  strictEqual(p.thresholds.minRecall, 0.9);
  strictEqual(p.labels.collection, "labels");
  const s3 = params(
    "monitor:\n  source: {kind: s3, url: 's3://b/in/'}\n  output: {url: 's3://b/o/'}\n",
  );
  deepStrictEqual(s3.state, { kind: "s3", url: "s3://b/in/_monitor/" });
  const bad: [string, RegExp][] = [
    ["monitor:\n  source: {kind: kafka}\n  output: {}\n", /must be one of mongodb, s3, folder/],
    ["monitor:\n  source: {kind: folder, path: in}\n  output: {}\n", /monitor\.output\.path/],
    ["monitor:\n  source: {kind: s3, url: b/in}\n  output: {url: s3://b/o}\n", /s3:\/\/bucket/],
    [
      "monitor:\n  source: {kind: folder, path: in}\n  output: {path: o}\n  windw: 5\n",
      /unknown key 'monitor\.windw'/,
    ],
    [
      "monitor:\n  source: {kind: folder, path: in}\n  output: {path: o}\n  labels: {collection: l}\n",
      /needs a mongodb source/,
    ],
  ];
  for (const [text, pattern] of bad) {
    throws(() => params(text), (e) => e instanceof ConfigError && pattern.test(e.message), text);
  }
});

Deno.test("window, live metrics and alerts", () => {
  const w = pushScores({ ids: ["a", "b"], p: [0.9, 0.8], y: [1, 0] }, {
    ids: ["c", "d", "e"],
    p: [0.2, 0.1, 0.7],
    y: [1, 0, null],
  }, 4);
  deepStrictEqual(w.ids, ["b", "c", "d", "e"]);
  strictEqual(liveMetrics(w, 0.5, 4), undefined); // 3 labelled
  const m = liveMetrics(w, 0.5, 3)!;
  deepStrictEqual([m.labeled, m.precision, m.recall, m.fpr, m.roc_auc], [3, 0, 0, 0.5, 0.5]);
  const t = { maxDriftedColumns: 0, minPrecision: 0.5, minRecall: 0, maxFpr: 0.4, minRocAuc: 0.9 };
  deepStrictEqual(alerts(["x"], m, t), [
    "drift in 1 columns (x) > monitor.thresholds.max_drifted_columns 0",
    "live precision 0.0000 < monitor.thresholds.min_precision 0.5",
    "live FPR 0.5000 > monitor.thresholds.max_fpr 0.4",
    "live ROC-AUC 0.5000 < monitor.thresholds.min_roc_auc 0.9",
  ]);
  deepStrictEqual(alerts([], undefined, t), []);
});

Deno.test("file store: the lease lets one of two runs in; an expired lease is fenced off", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = fileStore(dir);
    const [a, b] = await Promise.allSettled([
      acquireLease(store, { seconds: 60 }),
      acquireLease(fileStore(dir), { seconds: 60 }),
    ]);
    strictEqual([a, b].filter((r) => r.status === "fulfilled").length, 1);
    const lost = [a, b].find((r) => r.status === "rejected") as PromiseRejectedResult;
    ok(lost.reason instanceof LockedError, String(lost.reason));
    const held = (a.status === "fulfilled" ? a : b) as PromiseFulfilledResult<
      Awaited<ReturnType<typeof acquireLease>>
    >;
    await commit(store, held.value.lease, (s) => ({ ...s, watermark: "w1" }));
    // Later, once the lease has expired, another run takes it over...
    const late = () => Date.now() + 120_000;
    const other = await acquireLease(store, { seconds: 60, now: late });
    // ...and the first run can no longer commit.
    await rejects(
      commit(store, held.value.lease, (s) => ({ ...s, watermark: "w2" })),
      LeaseLostError,
    );
    const s = await commit(store, other.lease, (s) => ({ ...s, watermark: "w3" }), {
      release: true,
    });
    deepStrictEqual([s.watermark, s.lease], ["w3", null]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("folder source: new files scored once, late files too, labels in the rows, joined later from a file, thresholds", async () => {
  const dir = await phishingRelease();
  try {
    const scorer = await loadScorer(join(dir, "model"), { use: "batch" });
    const inDir = join(dir, "in"), outDir = join(dir, "out");
    await Deno.mkdir(inDir);
    const rows = (await phishingCsv(600, 300)).trimEnd().split("\n");
    const header = rows[0].split(",");
    const noLabel = (line: string) => line.split(",").slice(0, -1).join(",");
    // a.csv carries labels; b.csv has none (they arrive later in labels.csv).
    await Deno.writeTextFile(
      join(inDir, "a.csv"),
      [rows[0], ...rows.slice(1, 301)].join("\n") + "\n",
    );
    await Deno.writeTextFile(
      join(inDir, "b.csv"),
      [header.slice(0, -1).join(","), ...rows.slice(301, 451).map(noLabel)].join("\n") + "\n",
    );
    const yaml =
      `monitor:\n  source: {kind: folder, path: ${inDir}}\n  output: {path: ${outDir}}\n` +
      `  state: {path: ${join(dir, "state")}}\n  labels: {file: ${join(dir, "labels.csv")}}\n` +
      `  min_labeled: 100\n  thresholds: {min_roc_auc: 0.5, max_fpr: 0.99}\n`;
    const p = params(yaml);
    const store = () => fileStore(join(dir, "state", "default"));
    await Deno.writeTextFile(join(dir, "labels.csv"), "id,label\n");
    const r1 = await runMonitor({ params: p, scorer, store: store(), workers: 0 });
    deepStrictEqual(r1.units, [join(inDir, "a.csv"), join(inDir, "b.csv")]);
    deepStrictEqual([r1.records, r1.scored, r1.watermark.to], [450, 450, "b.csv"]);
    strictEqual(r1.live?.labeled, 300);
    deepStrictEqual(r1.alerts, []);
    const outA = await Deno.readTextFile(join(outDir, "a.csv.predictions.csv"));
    strictEqual(outA.trimEnd().split("\n").length, 301);
    // Nothing new: nothing scored, outputs untouched.
    const r2 = await runMonitor({ params: p, scorer, store: store(), workers: 0 });
    deepStrictEqual([r2.records, r2.units], [0, []]);
    strictEqual(await Deno.readTextFile(join(outDir, "a.csv.predictions.csv")), outA);
    // b.csv's labels arrive (ids: file#row); one new file.
    await Deno.writeTextFile(
      join(dir, "labels.csv"),
      "id,label\n" + rows.slice(301, 451).map((l, i) => `b.csv#${i + 1},${l.split(",").at(-1)}`)
        .join("\n") +
        "\n",
    );
    await Deno.writeTextFile(
      join(inDir, "c.csv"),
      [rows[0], ...rows.slice(451, 601)].join("\n") + "\n",
    );
    const r3 = await runMonitor({ params: p, scorer, store: store(), workers: 0 });
    deepStrictEqual([r3.records, r3.labelsJoined, r3.live?.labeled], [150, 150, 600]);
    // A late file (named before the watermark c.csv, never scored) is scored once; the
    // watermark stays.
    await Deno.writeTextFile(
      join(inDir, "b2.csv"),
      [rows[0], ...rows.slice(1, 41)].join("\n") + "\n",
    );
    const late = await runMonitor({ params: p, scorer, store: store(), workers: 0 });
    deepStrictEqual([late.units, late.records, late.watermark.to], [
      [join(inDir, "b2.csv")],
      40,
      "c.csv",
    ]);
    strictEqual(
      (await Deno.readTextFile(join(outDir, "b2.csv.predictions.csv"))).trimEnd().split("\n")
        .length,
      41,
    );
    const again = await runMonitor({ params: p, scorer, store: store(), workers: 0 });
    deepStrictEqual([again.units, (await store().read()).state?.watermark], [[], "c.csv"]);
    // An impossible threshold is an alert naming it.
    const strict = params(yaml.replace("min_roc_auc: 0.5", "min_roc_auc: 0.9999"));
    await Deno.writeTextFile(
      join(inDir, "d.csv"),
      [rows[0], ...rows.slice(1, 51)].join("\n") + "\n",
    );
    const r4 = await runMonitor({ params: strict, scorer, store: store(), workers: 0 });
    ok(
      r4.alerts.some((a) => /ROC-AUC .* < monitor\.thresholds\.min_roc_auc 0\.9999/.test(a)),
      `${r4.alerts}`,
    );
    scorer.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing run says why and gives the lease back", async () => {
  const dir = await phishingRelease();
  try {
    const scorer = await loadScorer(join(dir, "model"), { use: "batch" });
    const p = params(
      `monitor:\n  source: {kind: folder, path: ${join(dir, "nowhere")}}\n  output: {path: o}\n`,
    );
    const store = fileStore(join(dir, "state"));
    await rejects(
      runMonitor({ params: p, scorer, store, workers: 0 }),
      (e) => e instanceof ConfigError && /source folder .* does not exist/.test(e.message),
    );
    const { state } = await store.read();
    deepStrictEqual([state?.lease, state?.watermark], [null, null]);
    scorer.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
