/**
 * Opt-in multiclass answers of the predict routes: when the released model
 * folder holds a class model (`multiclass.json`, schema `target.mode:
 * multiclass`), each scored record also gets `class` (the most likely
 * class, e.g. an NSL-KDD attack category) and `class_probability` (its share
 * of the per-class scores), as `deno task predict` writes them.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { compileClasses } from "../learn/multiclass.ts";
import { transformRecord } from "../learn/preprocess.ts";
import { loadScorer } from "../scoring/scorer.ts";
import { readClassModel } from "../scoring/class_model.ts";
import type { ServedClasses, ServedModel } from "./model_holder.ts";

/** The class fields of one scored record. */
export interface ClassAnswer {
  /** The most likely class. */
  class: string;
  /** Its probability. */
  class_probability: number;
}

/**
 * Load a release folder for serving: the scorer plus, when the folder has
 * one, its class model.
 *
 * @example
 * ```ts ignore
 * import { loadServedModel } from "./classes.ts";
 * const model = await loadServedModel("artifacts/model", { log });
 * model.classes?.names; // ["normal", "DoS", …] for a multiclass release
 * ```
 */
export async function loadServedModel(dir: string, o: { log?: Logger } = {}): Promise<ServedModel> {
  const scorer = await loadScorer(dir, { use: "single", log: o.log });
  const ovr = await readClassModel(dir);
  if (!ovr) return scorer;
  // A Scorer is a plain object of values and closures: a copy with the class model is the same model.
  return { ...scorer, classes: { names: ovr.classes, predict: compileClasses(ovr) } };
}

/**
 * Class answers for `rows` encoded rows (`features`, `rows × width` values).
 *
 * @example
 * ```ts ignore
 * import { classAnswers } from "./classes.ts";
 * classAnswers(model.classes!, x, 2); // [{ class: "DoS", class_probability: 0.91 }, …]
 * ```
 */
export function classAnswers(
  classes: ServedClasses,
  features: Float32Array,
  rows: number,
): ClassAnswer[] {
  if (rows === 0) return [];
  const { classes: k, probabilities } = classes.predict(features, rows);
  return Array.from(
    k,
    (c, i) => ({ class: classes.names[c], class_probability: probabilities[i] }),
  );
}

/**
 * Class answers for validated records (undefined when the model has no
 * class model). The records are encoded again, as the scorer encoded them.
 *
 * @example
 * ```ts ignore
 * import { recordClasses } from "./classes.ts";
 * recordClasses(model, [record])?.[0].class; // "DoS"
 * ```
 */
export function recordClasses(
  model: ServedModel,
  records: readonly Record<string, unknown>[],
): ClassAnswer[] | undefined {
  if (!model.classes) return undefined;
  const width = model.preprocess.width;
  const x = new Float32Array(records.length * width);
  records.forEach((r, i) => x.set(transformRecord(model.preprocess, r), i * width));
  return classAnswers(model.classes, x, records.length);
}
