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
