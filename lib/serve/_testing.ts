/**
 * Test helpers for lib/serve: a preprocessing fitted on a small mixed schema
 * (id, nullable number, categoricals, ternary integer, boolean) and a fake
 * {@linkcode ServedModel} over it with a fixed, TensorFlow-free scoring
 * function. Not product code.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { MIXED_SCHEMA, schemaFrom, tableFrom } from "../learn/_testing.ts";
import type { ModelCard } from "../learn/model_io.ts";
import {
  DEFAULT_TRANSFORM,
  fitPreprocess,
  type Preprocessor,
  transformRecord,
} from "../learn/preprocess.ts";
import type { Scored, ServedModel } from "./model_holder.ts";
import { compileClasses, fitOneVsRest } from "../learn/multiclass.ts";
import { readPreprocess, transformRows } from "../learn/preprocess.ts";
import { csvRows, mixedCsv, mixedSchema, writeTinyRelease } from "../scoring/_testing.ts";

const TRAIN = "id,bytes,proto,svc,tri,flag,label\n" +
  "1,10.5,tcp,http,-1,true,normal\n2,,udp,dns,0,0,smurf\n3,7,tcp,ftp,1,1,neptune\n";

/**
 * The preprocessing of the mixed test schema (`id` is its id column, `label`
 * its target).
 *
 * @example
 * ```ts ignore
 * const pre = await testPreprocess();
 * pre.schema.features; // ["bytes", "proto", "svc", "tri", "flag"]
 * ```
 */
export async function testPreprocess(): Promise<Preprocessor> {
  const schema = schemaFrom(MIXED_SCHEMA);
  return fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
}

/**
 * A valid record of the mixed schema.
 *
 * @example
 * ```ts ignore
 * fake.scoreRecord(VALID_RECORD);
 * ```
 */
export const VALID_RECORD: Readonly<Record<string, unknown>> = Object.freeze({
  id: 7,
  bytes: 12.5,
  proto: "tcp",
  svc: "http",
  tri: 1,
  flag: true,
});

/** A fake model with a dispose counter. */
export interface FakeModel extends ServedModel {
  /** Times `dispose()` was called. */
  disposed: number;
}

/**
 * A fake model: probability = sigmoid(0.7 · sum of encoded features + bias).
 *
 * @example
 * ```ts ignore
 * const model = fakeModel("v1", await testPreprocess());
 * model.scoreRecord(VALID_RECORD).label; // 0 or 1
 * ```
 */
export function fakeModel(
  version: string,
  pre: Preprocessor,
  options: { bias?: number; threshold?: number } = {},
): FakeModel {
  const bias = options.bias ?? 0;
  const threshold = options.threshold ?? 0.5;
  const predictProba = (x: Float32Array, rows: number) => {
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = bias;
      for (let j = 0; j < pre.width; j++) s += 0.7 * x[r * pre.width + j];
      out[r] = 1 / (1 + Math.exp(-s));
    }
    return out;
  };
  const score = (record: Record<string, unknown>): Scored => {
    const p = predictProba(transformRecord(pre, record), 1)[0];
    return { probability: p, label: p >= threshold ? 1 : 0 };
  };
  const card = {
    format: "threat-model/1",
    version,
    created: "2026-01-01T00:00:00.000Z",
    family: "logreg",
    config: { family: "logreg", hidden: [], learningRate: 0.1, l2: 0, dropout: 0 },
    description: "fake",
    features: pre.columns,
    threshold,
    threshold_choice: { target_fpr: 0.01, validation_fpr: 0.01, validation_tpr: 0.9 },
    validation: { roc_auc: 0.99 },
    train_data: { file: "t.mat", sha256: "00", rows: 3, train_rows: 2, validation_rows: 1 },
    params: {},
    backend: { training: "cpu", tfjs: "4.22.0" },
    training: {},
  } as ModelCard;
  const model: FakeModel = {
    version,
    threshold,
    card,
    preprocess: pre,
    inputColumns: pre.schema.columns.map((c) => c.name).filter((n) =>
      n !== pre.schema.target.column
    ),
    disposed: 0,
    scoreRecord: score,
    scoreRecords(records) {
      const results: (Scored | null)[] = [];
      const errors: (DataError | null)[] = [];
      for (const r of records) {
        try {
          results.push(score(r));
          errors.push(null);
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          results.push(null);
          errors.push(err);
        }
      }
      return { results, errors };
    },
    predictProba,
    dispose() {
      model.disposed++;
    },
  };
  return model;
}

/** A tiny multiclass release and what its class model says about its training rows. */
export interface MulticlassRelease {
  /** Temp folder holding `binary/` and `multi/` (the same release plus `multiclass.json`). */
  dir: string;
  /** The class names. */
  names: string[];
  /** The training CSV text (mixed schema, id column `id`). */
  csv: string;
  /** The class model's answer on every CSV row (the reference). */
  want: { classes: Int32Array; probabilities: Float32Array };
}

/**
 * Write a tiny binary release and a copy with a class model (`multiclass.json`,
 * one-vs-rest trees fitted as the train stage fits them) under a temp folder.
 *
 * @example
 * ```ts ignore
 * const r = await writeMulticlassRelease();
 * const model = await loadServedModel(`${r.dir}/multi`);
 * ```
 */
export async function writeMulticlassRelease(): Promise<MulticlassRelease> {
  const names = ["normal", "DoS", "Probe, scan"];
  const dir = await Deno.makeTempDir({ prefix: "serve_classes_" });
  const csv = mixedCsv(300, { seed: 2 });
  await writeTinyRelease({ dir: `${dir}/binary`, schema: mixedSchema(), csv });
  await Deno.mkdir(`${dir}/multi`);
  for await (const e of Deno.readDir(`${dir}/binary`)) {
    await Deno.copyFile(`${dir}/binary/${e.name}`, `${dir}/multi/${e.name}`);
  }
  const pre = await readPreprocess(`${dir}/binary/preprocess.json`);
  const [header, ...rows] = csvRows(csv);
  const col = (r: string[], name: string) => r[header.indexOf(name)];
  const x = transformRows(pre, header, rows, { allowUnknown: true });
  const ovr = fitOneVsRest({
    config: {
      family: "gbdt",
      learningRate: 0.3,
      maxIter: 20,
      maxLeafNodes: 8,
      maxDepth: 0,
      minSamplesLeaf: 5,
      l2: 0,
      nIterNoChange: 5,
      maxBins: 64,
    },
    train: {
      rows: rows.length,
      cols: pre.width,
      columns: [],
      data: x,
      labels: new Uint8Array(rows.length),
    },
    classes: Int32Array.from(
      rows,
      (r) => (col(r, "label") === "normal" ? 0 : col(r, "tri") === "1" ? 1 : 2),
    ),
    names,
    seed: 1,
  });
  await Deno.writeTextFile(`${dir}/multi/multiclass.json`, JSON.stringify(ovr));
  return { dir, names, csv, want: compileClasses(ovr)(x, rows.length) };
}
