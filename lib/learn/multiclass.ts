/**
 * Multiclass prediction, opt-in (`target.mode: multiclass` in schema.yaml):
 * the target's labels map to classes by params.yaml's `train.multiclass.classes`
 * (e.g. NSL-KDD's attack names to normal/DoS/Probe/R2L/U2R), and one
 * binary gradient-boosted-trees model per class (one-vs-rest, early-stopped
 * on a seeded stratified validation split of train) gives per-class scores,
 * normalised to sum to 1; the class is the largest. Reports per-class
 * precision/recall/F1, macro-F1 and the confusion matrix.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { openSection } from "../section.ts";
import type { YamlFile } from "../yaml.ts";
import type { Matrix } from "./matrix.ts";
import type { SelectionMetric } from "../reports/metrics.ts";
import { stratifiedSplit } from "../data/split.ts";
import { compileTrees, fitTreeCandidate, type GbdtConfig, type TreeModel } from "./trees.ts";

/** Labels to classes (params.yaml `train.multiclass.classes`: `{class: [labels…]}`). */
export interface ClassMapping {
  /** Class names, in the order written. */
  classes: string[];
  /** Class index of each label. */
  classOf: Map<string, number>;
}

/** The format tag of {@linkcode OvrModel}. */
export const OVR_FORMAT = "threat-ovr/1";

/** A one-vs-rest model (`multiclass.json` in the model folder). */
export interface OvrModel {
  /** {@linkcode OVR_FORMAT}. */
  format: string;
  /** Class names; `models[k]` scores class `k` against the rest. */
  classes: string[];
  /** One tree model per class. */
  models: TreeModel[];
}

/**
 * Read params.yaml's `train.multiclass.classes`, or undefined when absent. A
 * label listed under two classes is a `ConfigError`.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { readClassMapping } from "./multiclass.ts";
 * const y = parseYaml("train:\n  multiclass:\n    classes: {normal: [normal], DoS: [smurf, neptune]}\n", "p.yaml");
 * readClassMapping(y)?.classOf.get("smurf"); // 1
 * ```
 */
export function readClassMapping(params: YamlFile): ClassMapping | undefined {
  const top = params.value as { train?: Record<string, unknown> } | null;
  if (top?.train?.multiclass === undefined) return undefined;
  const s = openSection(params, ["train", "multiclass"]);
  const c = s.section("classes");
  const raw = s.raw("classes") as Record<string, unknown>;
  const classes = Object.keys(raw);
  if (classes.length < 2) {
    throw s.error("classes", "'train.multiclass.classes' needs at least 2 classes");
  }
  const classOf = new Map<string, number>();
  classes.forEach((name, k) => {
    for (const label of c.strings(name)) {
      if (classOf.has(label)) {
        throw c.error(name, `label '${label}' is listed under two classes`);
      }
      classOf.set(label, k);
    }
  });
  c.done();
  s.done();
  return { classes, classOf };
}

/**
 * Class index of each label; a label no class lists is a `DataError` naming it.
 *
 * @example
 * ```ts
 * import { labelClasses } from "./multiclass.ts";
 * const m = { classes: ["normal", "DoS"], classOf: new Map([["normal", 0], ["smurf", 1]]) };
 * labelClasses(["smurf", "normal"], m, "train.csv"); // Int32Array [1, 0]
 * ```
 */
export function labelClasses(labels: string[], mapping: ClassMapping, file: string): Int32Array {
  const out = new Int32Array(labels.length);
  labels.forEach((label, i) => {
    const k = mapping.classOf.get(label);
    if (k === undefined) {
      throw new DataError(
        `label '${label}' is in no class of params.yaml's train.multiclass.classes`,
        {
          file,
          line: i + 2,
          hint: "add it to one of the classes",
        },
      );
    }
    out[i] = k;
  });
  return out;
}

function subset(m: Matrix, rows: number[], labels: Uint8Array): Matrix {
  const data = new Float32Array(rows.length * m.cols);
  rows.forEach((r, i) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  const { categorical, categories } = m; // gbdt splits category codes natively
  return {
    rows: rows.length,
    cols: m.cols,
    columns: m.columns,
    data,
    labels,
    categorical,
    categories,
  };
}

/** Options of {@linkcode fitOneVsRest}. */
export interface OvrFitOptions {
  /** Trees config for every class. */
  config: GbdtConfig;
  /** Training rows (labels unused). */
  train: Matrix;
  /** Class index of each training row. */
  classes: Int32Array;
  /** Class names. */
  names: string[];
  /** Seeds the validation split. */
  seed: number;
  /** Share of each class held out to stop each model (default 0.2). */
  validationSize?: number;
  /** Validation metric of the early stopping (default `log_loss`). */
  metric?: SelectionMetric;
  /** Progress. */
  log?: Logger;
}

/**
 * Fit one early-stopped binary model per class.
 *
 * @example
 * ```ts ignore
 * import { fitOneVsRest } from "./multiclass.ts";
 * const model = fitOneVsRest({ config, train, classes, names: mapping.classes, seed: 7 });
 * ```
 */
export function fitOneVsRest(o: OvrFitOptions): OvrModel {
  const log = o.log ?? nullLogger;
  const split = stratifiedSplit(o.classes, { testSize: o.validationSize ?? 0.2, seed: o.seed });
  const models = o.names.map((name, k) => {
    const bin = (rows: number[]) => Uint8Array.from(rows, (r) => (o.classes[r] === k ? 1 : 0));
    const train = subset(o.train, split.train, bin(split.train));
    const val = subset(o.train, split.test, bin(split.test));
    const c = fitTreeCandidate({
      config: o.config,
      train,
      val,
      seed: o.seed,
      metric: o.metric ?? "log_loss",
      label: `class ${name}`,
    });
    log.info("multiclass: class model", { class: name, trees: c.bestEpoch });
    return c.model;
  });
  return { format: OVR_FORMAT, classes: [...o.names], models };
}

/** A compiled class model: `(features, rows) => classes and their probabilities`. */
export type ClassPredictor = (
  data: Float32Array,
  rows: number,
) => { classes: Int32Array; probabilities: Float32Array; scores: Float32Array[] };

/**
 * Compile a one-vs-rest model once for many calls (batch scoring).
 *
 * @example
 * ```ts ignore
 * import { compileClasses } from "./multiclass.ts";
 * const predict = compileClasses(model);
 * const { classes } = predict(x, rows);
 * ```
 */
export function compileClasses(model: OvrModel): ClassPredictor {
  const fns = model.models.map((m) => compileTrees(m));
  return (data, rows) => {
    const scores = fns.map((f) => f(data, rows));
    const classes = new Int32Array(rows);
    const probabilities = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let best = 0, sum = 0;
      for (let k = 0; k < scores.length; k++) {
        sum += scores[k][i];
        if (scores[k][i] > scores[best][i]) best = k;
      }
      classes[i] = best;
      probabilities[i] = sum > 0 ? scores[best][i] / sum : 1 / scores.length;
    }
    return { classes, probabilities, scores };
  };
}

/**
 * The class of each row and its probability (per-class scores normalised to sum to 1).
 *
 * @example
 * ```ts ignore
 * import { predictClasses } from "./multiclass.ts";
 * const { classes, probabilities } = predictClasses(model, test.data, test.rows);
 * ```
 */
export function predictClasses(
  model: OvrModel,
  data: Float32Array,
  rows: number,
): { classes: Int32Array; probabilities: Float32Array; scores: Float32Array[] } {
  return compileClasses(model)(data, rows);
}

/** Per-class and overall multiclass metrics. */
export interface MulticlassReport {
  /** Share of rows whose class is right. */
  accuracy: number;
  /** Unweighted mean of the per-class F1 (classes with no true and no predicted row count 0). */
  macro_f1: number;
  /** Per class: precision, recall, F1, rows of the class. */
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  /** `confusion[true][predicted]` row counts, classes in order. */
  confusion: number[][];
  /** Class names, the confusion matrix's order. */
  classes: string[];
}

/**
 * Score predicted classes against the truth.
 *
 * @example
 * ```ts
 * import { multiclassReport } from "./multiclass.ts";
 * const r = multiclassReport(Int32Array.from([0, 1, 2, 2]), Int32Array.from([0, 1, 2, 1]), ["a", "b", "c"]);
 * [r.accuracy, r.confusion[2]]; // [0.75, [0, 1, 1]]
 * ```
 */
export function multiclassReport(
  truth: Int32Array,
  pred: Int32Array,
  classes: string[],
): MulticlassReport {
  const k = classes.length;
  const confusion = classes.map(() => new Array<number>(k).fill(0));
  let right = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][pred[i]]++;
    if (truth[i] === pred[i]) right++;
  }
  const per_class: MulticlassReport["per_class"] = {};
  let f1Sum = 0;
  classes.forEach((name, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    per_class[name] = { precision, recall, f1, support };
    f1Sum += f1;
  });
  return {
    accuracy: truth.length > 0 ? right / truth.length : 0,
    macro_f1: f1Sum / k,
    per_class,
    confusion,
    classes: [...classes],
  };
}
