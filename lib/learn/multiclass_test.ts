import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, DataError } from "../errors.ts";
import { parseYaml } from "../yaml.ts";
import type { Matrix } from "./matrix.ts";
import {
  fitOneVsRest,
  labelClasses,
  multiclassReport,
  predictClasses,
  readClassMapping,
} from "./multiclass.ts";
import { createRng } from "../rng.ts";
import { parseSchema } from "../data/schema.ts";
import type { GbdtConfig } from "./trees.ts";

const params = (text: string) => parseYaml(text, "params.yaml");

Deno.test("readClassMapping: classes in order; absent section; a label in two classes", () => {
  const m = readClassMapping(params(
    "train:\n  multiclass:\n    classes:\n      normal: [normal]\n      DoS: [neptune, smurf]\n      Probe: [satan]\n",
  ))!;
  deepStrictEqual(m.classes, ["normal", "DoS", "Probe"]);
  deepStrictEqual([...m.classOf], [["normal", 0], ["neptune", 1], ["smurf", 1], ["satan", 2]]);
  strictEqual(readClassMapping(params("train: {}\n")), undefined);
  throws(
    () => readClassMapping(params("train:\n  multiclass:\n    classes: {a: [x], b: [x]}\n")),
    (err) => err instanceof ConfigError && err.message.includes("'x' is listed under two classes"),
  );
  throws(
    () => labelClasses(["normal", "zzz"], m, "train.csv"),
    (err) =>
      err instanceof DataError && err.message.includes("'zzz' is in no class") &&
      err.where.line === 3,
  );
});

Deno.test("schema: target.mode multiclass is kept; other modes are refused", () => {
  const text = (mode: string) =>
    `columns:\n  - {name: x, type: number}\n  - {name: label, type: categorical}\n` +
    `target: {column: label, negative: [normal], mode: ${mode}}\n`;
  strictEqual(parseSchema(parseYaml(text("multiclass"), "s.yaml")).target.mode, "multiclass");
  strictEqual(parseSchema(parseYaml(text("binary"), "s.yaml")).target.mode, undefined);
  throws(() => parseSchema(parseYaml(text("ranking"), "s.yaml")), ConfigError);
});

Deno.test("one-vs-rest trees learn 3 separable classes; report counts them right", () => {
  // Class by which of x0, x1 is larger, or neither above 0.5.
  const rng = createRng(3);
  const rows = 900, cols = 3;
  const data = new Float32Array(rows * cols);
  const classes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) data[i * cols + c] = rng.next();
    const [a, b] = [data[i * cols], data[i * cols + 1]];
    classes[i] = a < 0.5 && b < 0.5 ? 0 : a > b ? 1 : 2;
  }
  const train: Matrix = {
    rows: 600,
    cols,
    columns: ["a", "b", "c"],
    data: data.slice(0, 600 * cols),
    labels: new Uint8Array(600),
  };
  const config: GbdtConfig = {
    family: "gbdt",
    learningRate: 0.3,
    maxIter: 60,
    maxLeafNodes: 8,
    maxDepth: 0,
    minSamplesLeaf: 5,
    l2: 0,
    nIterNoChange: 10,
    maxBins: 64,
  };
  const names = ["low", "a", "b"];
  const model = fitOneVsRest({ config, train, classes: classes.slice(0, 600), names, seed: 1 });
  strictEqual(model.models.length, 3);
  const test = data.slice(600 * cols);
  const { classes: pred, probabilities } = predictClasses(model, test, 300);
  ok(probabilities.every((p) => p > 0.33 && p <= 1));
  const report = multiclassReport(classes.slice(600), pred, names);
  ok(report.accuracy > 0.85, `accuracy ${report.accuracy}`);
  ok(report.macro_f1 > 0.85, `macro-F1 ${report.macro_f1}`);
  strictEqual(report.confusion.flat().reduce((a, b) => a + b, 0), 300);
});

Deno.test("multiclassReport: per-class precision/recall/F1, macro-F1 and confusion", () => {
  const r = multiclassReport(
    Int32Array.from([0, 0, 1, 1, 2]),
    Int32Array.from([0, 1, 1, 1, 0]),
    ["n", "d", "p"],
  );
  deepStrictEqual(r.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
  deepStrictEqual(r.per_class.d, { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
  deepStrictEqual(r.per_class.p, { precision: 0, recall: 0, f1: 0, support: 1 });
  strictEqual(r.accuracy, 0.6);
  strictEqual(r.macro_f1, (0.5 + 0.8 + 0) / 3);
});
