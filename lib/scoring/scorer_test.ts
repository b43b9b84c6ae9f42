import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DataError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import { parseCsv } from "../data/csv.ts";
import { loadReleasedModel } from "../learn/model_io.ts";
import { transformRecord, transformRows } from "../learn/preprocess.ts";
import { loadScorer, scorerFromSnapshot, scorerSnapshot } from "./scorer.ts";
import {
  mixedCsv,
  mixedSchema,
  phishingCsv,
  phishingRelease,
  writeTinyRelease,
} from "./_testing.ts";

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  strictEqual(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function heldOut() {
  const { rows } = parseCsv(await phishingCsv(500, 300));
  return { header: rows[0], rows: rows.slice(1) };
}

for (const family of ["mlp", "logreg"] as const) {
  Deno.test(`Dense-stack passes equal TensorFlow.js to 1e-6 (${family})`, async () => {
    const config = family === "mlp"
      ? { family, hidden: [16, 7] } // 7: the SIMD pass pads layers to multiples of 4
      : { family, hidden: [] as number[] };
    const dir = await phishingRelease({ config });
    try {
      const reference = await loadReleasedModel(`${dir}/model`, { backend: "cpu" });
      const { header, rows } = await heldOut();
      for (const backend of ["auto", "dense-simd", "dense-js"] as const) {
        const scorer = await loadScorer(`${dir}/model`, { use: "batch", backend });
        strictEqual(scorer.engine, backend === "auto" ? "dense-simd" : backend);
        const x = transformRows(scorer.preprocess, header, rows);
        const want = reference.predictProba(x, rows.length);
        const got = scorer.predictProba(x, rows.length);
        ok(maxDiff(want, got) <= 1e-6, `${backend}: max diff ${maxDiff(want, got)}`);
        scorer.dispose();
      }
      reference.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("scoreRecord, scoreRecords, label, inputColumns, forced TensorFlow.js", async () => {
  const dir = await phishingRelease();
  try {
    const js = await loadScorer(`${dir}/model`, { use: "single" });
    const tfjs = await loadScorer(`${dir}/model`, { use: "single", backend: "cpu" });
    strictEqual(tfjs.engine, "tfjs-cpu");
    const { header, rows } = await heldOut();
    const record = Object.fromEntries(header.map((h, i) => [h, rows[0][i]]));
    const one = js.scoreRecord(record);
    const p = js.predictProba(transformRecord(js.preprocess, record), 1)[0];
    deepStrictEqual(one, { probability: p, label: p >= js.threshold ? 1 : 0 });
    ok(Math.abs(tfjs.scoreRecord(record).probability - p) <= 1e-6);
    // Native values work as well as text.
    const native = Object.fromEntries(header.map((h, i) => [h, Number(rows[0][i])]));
    deepStrictEqual(js.scoreRecord(native), one);
    try {
      js.scoreRecord({ ...record, url_length: 7 });
      ok(false, "should throw");
    } catch (e) {
      ok(e instanceof DataError);
      strictEqual(e.where.field, "url_length");
      ok(e.message.includes("outside {-1, 0, 1}"), e.message);
    }
    throws(() => js.scoreRecord({ ...record, nonsense: 1 }), /unknown field 'nonsense'/);
    const lenient = await loadScorer(`${dir}/model`, { use: "single", allowUnknown: true });
    deepStrictEqual(lenient.scoreRecord({ ...record, nonsense: 1 }), one);
    const batch = js.scoreRecords([record, { ...record, sfh: "x" }, record]);
    deepStrictEqual(batch.results[0], one);
    deepStrictEqual(batch.results[2], one);
    strictEqual(batch.results[1], null);
    strictEqual(batch.errors[1]?.where.field, "sfh");
    deepStrictEqual([batch.errors[0], batch.errors[2]], [null, null]);
    deepStrictEqual(js.scoreRecords([]), { results: [], errors: [] });
    strictEqual(js.label(js.threshold), 1);
    strictEqual(js.label(Math.fround(js.threshold) - 1e-6), 0);
    deepStrictEqual(js.inputColumns, header.filter((h) => h !== "result"));
    strictEqual(js.version, js.card.version);
    throws(() => js.predictProba(new Float32Array(3), 1), RangeError);
    for (const s of [js, tfjs, lenient]) s.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mixed schema: id is an input column, nullable and categorical fields", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const schema = mixedSchema();
    await writeTinyRelease({
      dir: `${dir}/model`,
      schema,
      csv: mixedCsv(200, { seed: 1, withDropped: true }),
    });
    const s = await loadScorer(`${dir}/model`, { use: "single" });
    deepStrictEqual(s.inputColumns, ["id", "bytes", "proto", "svc", "tri", "flag"]);
    const r = s.scoreRecord({
      id: 9,
      bytes: null,
      proto: null,
      svc: "telnet",
      tri: 0,
      flag: "yes",
    });
    ok(r.probability >= 0 && r.probability <= 1);
    throws(() => s.scoreRecord({ bytes: -1, svc: "http", tri: 0, flag: true }), /'bytes'/);
    s.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a model that is not a plain Dense stack runs on TensorFlow.js", async () => {
  const dir = await phishingRelease({
    model: (inputs) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ inputShape: [inputs], units: 4, activation: "elu" }));
      m.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
      return m;
    },
  });
  try {
    const log = memoryLogger();
    const s = await loadScorer(`${dir}/model`, { use: "batch", log });
    ok(s.engine.startsWith("tfjs-"), s.engine);
    ok(log.records.some((r) => r.level === "warn" && String(r.fields.reason).includes("elu")));
    const { header, rows } = await heldOut();
    const x = transformRows(s.preprocess, header, rows);
    const p = s.predictProba(x, rows.length);
    ok(p.every((v) => v >= 0 && v <= 1));
    s.dispose();
    await rejects(
      loadScorer(`${dir}/model`, { use: "batch", backend: "dense-js" }),
      (e) => e instanceof DataError && /cannot run this model.*elu/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a model folder that mixes two trainings is refused", async () => {
  const dir = await phishingRelease();
  try {
    const weights = await Deno.readFile(`${dir}/model/weights.bin`);
    weights[0] ^= 1;
    await Deno.writeFile(`${dir}/model/weights.bin`, weights);
    await rejects(
      loadScorer(`${dir}/model`, { use: "single" }),
      (e) => e instanceof DataError && /do not match the card/.test(e.message),
    );
    await rejects(
      loadScorer(`${dir}/nowhere`, { use: "single" }),
      (e) => e instanceof DataError && /not found/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a snapshot rebuilds the same scorer (through structured cloning, as for a worker)", async () => {
  const dir = await phishingRelease();
  try {
    const s = await loadScorer(`${dir}/model`, { use: "batch" });
    const snap = scorerSnapshot(s)!;
    const again = await scorerFromSnapshot(structuredClone(snap));
    deepStrictEqual([again.engine, again.version, again.threshold], [
      s.engine,
      s.version,
      s.threshold,
    ]);
    const { header, rows } = await heldOut();
    const x = transformRows(s.preprocess, header, rows);
    deepStrictEqual(again.predictProba(x, rows.length), s.predictProba(x, rows.length));
    strictEqual(scorerSnapshot({ ...s }), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a gbdt release is scored by its own predictor (trees-js), also through a snapshot", async () => {
  const config = {
    family: "gbdt" as const,
    learningRate: 0.3,
    maxLeafNodes: 7,
    maxDepth: 0,
    minSamplesLeaf: 5,
    l2: 0,
    maxIter: 20,
    nIterNoChange: 5,
    maxBins: 32,
  };
  const dir = await phishingRelease({ config });
  try {
    const s = await loadScorer(`${dir}/model`, { use: "batch" });
    strictEqual(s.engine, "trees-js");
    const reference = await loadReleasedModel(`${dir}/model`);
    const { header, rows } = await heldOut();
    const x = transformRows(s.preprocess, header, rows);
    deepStrictEqual(s.predictProba(x, rows.length), reference.predictProba(x, rows.length));
    const again = await scorerFromSnapshot(structuredClone(scorerSnapshot(s)!));
    deepStrictEqual(again.predictProba(x, rows.length), s.predictProba(x, rows.length));
    await rejects(
      loadScorer(`${dir}/model`, { use: "batch", backend: "dense-simd" }),
      (e) => e instanceof DataError && /cannot run a gbdt model/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
