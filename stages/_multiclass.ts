/**
 * The multiclass hooks of the train and evaluate stages (opt-in with
 * `target.mode: multiclass` in schema.yaml, which preprocess.json embeds):
 * train fits a one-vs-rest model on train.mat with the classes of ingest's
 * label column (params.yaml `train.multiclass.classes`) and saves it as
 * `multiclass.json` in the model folder; evaluate scores test.mat with it and
 * writes per-class precision/recall/F1, macro-F1 and the confusion matrix.
 * Binary models and metrics are untouched.
 *
 * @module
 */
import { ConfigError, DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { readCsvFile } from "../lib/data/csv.ts";
import { type Matrix, readMatrix } from "../lib/learn/matrix.ts";
import { matrixFor } from "../lib/learn/expand_codes.ts";
import {
  fitOneVsRest,
  labelClasses,
  type MulticlassReport,
  multiclassReport,
  type OvrModel,
  predictClasses,
  readClassMapping,
} from "../lib/learn/multiclass.ts";
import type { GbdtConfig } from "../lib/learn/trees.ts";
import type { YamlFile } from "../lib/yaml.ts";
import { writeTextAtomic } from "./_common.ts";

/** The trees of each class model (early stopping picks the count). */
const CLASS_TREES: GbdtConfig = {
  family: "gbdt",
  learningRate: 0.1,
  maxIter: 300,
  maxLeafNodes: 31,
  maxDepth: 0,
  minSamplesLeaf: 20,
  l2: 0,
  nIterNoChange: 20,
  maxBins: 255,
};

/** The saved model: the OvR trees and the label mapping (evaluate needs no params). */
interface SavedOvr extends OvrModel {
  labels: Record<string, string>;
}

/** The target of the schema embedded in preprocess.json (read as plain JSON: no preprocess code needed). */
async function targetOf(data: string): Promise<{ column: string; mode?: string }> {
  const file = `${data}/preprocess.json`;
  const json = JSON.parse(await Deno.readTextFile(file));
  const target = json?.schema?.target;
  if (typeof target?.column !== "string") {
    throw new DataError("preprocess.json has no schema.target.column", { file });
  }
  return target;
}

/**
 * `m` in the columns of the release's preprocess.json: category codes stay
 * codes beside a gbdt (the class model splits them natively), and are one-hot
 * expanded when the release was rewritten for another family, so the class
 * model takes what the release's preprocessing gives scorers. Without a
 * release in `modelDir`, the matrix as it is.
 */
async function inReleaseColumns(m: Matrix, modelDir: string, file: string): Promise<Matrix> {
  const released = `${modelDir}/preprocess.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(released);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return m; // no binary release beside it
    throw err;
  }
  const columns = JSON.parse(text)?.columns;
  const out = Array.isArray(columns) ? matrixFor(m, columns) : undefined;
  if (!out) {
    throw new DataError(`the columns of ${released} do not match the matrix's`, {
      file,
      hint: "train and evaluate on the same transform output",
    });
  }
  return out;
}

async function columnOf(path: string, column: string): Promise<string[]> {
  const out: string[] = [];
  let idx = -1;
  for await (const batch of readCsvFile(path)) {
    for (const row of batch.rows) {
      if (idx === -1) {
        idx = row.indexOf(column);
        if (idx === -1) throw new DataError(`no column '${column}'`, { file: path, line: 1 });
        continue;
      }
      out.push(row[idx]);
    }
  }
  return out;
}

/**
 * Fit and save the class model when the schema asks for it; returns its
 * classes (undefined in binary mode).
 *
 * @example
 * ```ts ignore
 * await trainMulticlass({ params: y, data: "artifacts/transform", modelDir: "artifacts/model", seed: 7, log });
 * ```
 */
export async function trainMulticlass(o: {
  params: YamlFile;
  data: string;
  modelDir: string;
  seed: number;
  log: Logger;
  ingestTrain?: string;
}): Promise<string[] | undefined> {
  const target = await targetOf(o.data);
  if (target.mode !== "multiclass") return undefined;
  const mapping = readClassMapping(o.params);
  if (!mapping) {
    throw new ConfigError(
      "schema.yaml's target.mode is multiclass but params.yaml has no 'train.multiclass.classes'",
      {
        file: o.params.file,
        field: "train.multiclass.classes",
        hint:
          "map labels to classes, e.g. train:\n  multiclass:\n    classes: {normal: [normal], DoS: [neptune, smurf]}",
      },
    );
  }
  const file = o.ingestTrain ?? "artifacts/ingest/train.csv";
  const trainFile = `${o.data}/train.mat`;
  const train = await inReleaseColumns(await readMatrix(trainFile), o.modelDir, trainFile);
  const labels = await columnOf(file, target.column);
  if (labels.length !== train.rows) {
    throw new DataError(`${labels.length} rows but train.mat has ${train.rows}`, { file });
  }
  const classes = labelClasses(labels, mapping, file);
  o.log.info("multiclass: fitting one model per class", { classes: mapping.classes.join(",") });
  const model = fitOneVsRest({
    config: CLASS_TREES,
    train,
    classes,
    names: mapping.classes,
    seed: o.seed,
    log: o.log,
  });
  const saved: SavedOvr = {
    ...model,
    labels: Object.fromEntries([...mapping.classOf].map(([l, k]) => [l, mapping.classes[k]])),
  };
  await writeTextAtomic(`${o.modelDir}/multiclass.json`, JSON.stringify(saved) + "\n");
  return mapping.classes;
}

/**
 * Score test.mat with the class model, when the model folder has one:
 * writes `<out>/multiclass.json` and returns the report.
 *
 * @example
 * ```ts ignore
 * const report = await evaluateMulticlass({ modelDir: "artifacts/model", data: "artifacts/transform", out: "artifacts/evaluate" });
 * ```
 */
export async function evaluateMulticlass(o: {
  modelDir: string;
  data: string;
  out: string;
  ingestTest?: string;
}): Promise<MulticlassReport | undefined> {
  let saved: SavedOvr;
  try {
    saved = JSON.parse(await Deno.readTextFile(`${o.modelDir}/multiclass.json`));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  const target = await targetOf(o.data);
  const testFile = `${o.data}/test.mat`;
  const test = await inReleaseColumns(await readMatrix(testFile), o.modelDir, testFile);
  const file = o.ingestTest ?? "artifacts/ingest/test.csv";
  const labels = await columnOf(file, target.column);
  const classOf = new Map(
    Object.entries(saved.labels).map(([l, c]) => [l, saved.classes.indexOf(c)]),
  );
  const truth = labelClasses(labels, { classes: saved.classes, classOf }, file);
  const { classes } = predictClasses(saved, test.data, test.rows);
  const report = multiclassReport(truth, classes, saved.classes);
  await writeTextAtomic(`${o.out}/multiclass.json`, JSON.stringify(report, null, 2) + "\n");
  return report;
}

/**
 * Evaluate the class model (when there is one) and add its accuracy and
 * macro-F1 to the metrics file (`class_accuracy`, `macro_f1`).
 *
 * @example
 * ```ts ignore
 * await addMulticlassMetrics(metrics, { modelDir, data, out, metricsFile, log });
 * ```
 */
export async function addMulticlassMetrics(
  metrics: Record<string, number | null>,
  o: { modelDir: string; data: string; out: string; metricsFile: string; log: Logger },
): Promise<void> {
  const report = await evaluateMulticlass(o);
  if (!report) return;
  metrics.class_accuracy = Math.round(report.accuracy * 1e6) / 1e6;
  metrics.macro_f1 = Math.round(report.macro_f1 * 1e6) / 1e6;
  await writeTextAtomic(o.metricsFile, JSON.stringify(metrics, null, 2) + "\n");
  o.log.info("evaluate: classes", {
    macro_f1: metrics.macro_f1,
    accuracy: metrics.class_accuracy,
    f1: report.classes.map((c) => `${c}=${report.per_class[c].f1.toFixed(3)}`).join(","),
  });
}
