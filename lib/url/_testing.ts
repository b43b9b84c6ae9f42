/**
 * Test helper for lib/url: trains a small real gbdt URL model (featurize →
 * preprocess → lib/learn/trees.ts → model_io) on synthetic URLs and saves it to
 * a folder. Not product code.
 *
 * @module
 */
import { schemaFrom, tableFrom } from "../learn/_testing.ts";
import { saveReleasedModel } from "../learn/model_io.ts";
import { encodeTable, fitPreprocess, preprocessToJson } from "../learn/preprocess.ts";
import { fitTreeCandidate } from "../learn/trees.ts";
import { trainCandidate } from "../learn/fit.ts";
import type { TrainedModel } from "../learn/models.ts";
import { activateBackend } from "../learn/tf_backend.ts";
import { csvField } from "../data/csv.ts";
import { featureSchemaYaml, featurizeRows } from "./featurize.ts";
import type { FeatureGroup } from "./features.ts";
import type { SparseLogreg } from "../learn/sparse_logreg.ts";
import { checkUrl } from "./check_input.ts";
import { fitNgramLr, ngramPartLrsJson, ngramPartMatrices } from "./ngram_model.ts";

const URL_SCHEMA = "columns:\n  - {name: url, type: string}\n" +
  "  - {name: status, type: categorical, values: [legitimate, phishing]}\n" +
  "target: {column: status, positive: [phishing], negative: [legitimate]}\n";

/** Synthetic labelled URLs: IP hosts with brand/login paths are phishing. */
export function syntheticUrls(): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 1; i <= 30; i++) {
    out.push([`https://www.site${i}.com/about/team`, "legitimate"]);
    out.push([`http://10.0.${i}.7/paypal/login.php`, "phishing"]);
  }
  return out;
}

/**
 * Train and save the test URL model into `dir`.
 *
 * @example
 * ```ts ignore
 * await writeTestUrlModel(await Deno.makeTempDir());
 * ```
 */
export async function writeTestUrlModel(
  dir: string,
  groups: FeatureGroup[] = ["structure", "words", "brand", "counts"],
  family: "gbdt" | "logreg" = "gbdt",
): Promise<void> {
  const rows = syntheticUrls();
  // With the ngram_lr group: per-part LRs fitted on all rows (their logits, not out-of-fold).
  let ngramLr: SparseLogreg[] | undefined;
  const attach: [string, Uint8Array][] = [];
  if (groups.includes("ngram_lr")) {
    const labels = rows.map(([, s]) => s === "phishing" ? 1 : 0);
    ngramLr = ngramPartMatrices(rows.map(([u]) => checkUrl(u))).map((x) =>
      fitNgramLr(x, labels, { l2: 1e-3 })
    );
    attach.push(["ngram_lr.json", new TextEncoder().encode(ngramPartLrsJson(ngramLr))]);
  }
  const t = featurizeRows({
    rows: rows.map(([u, s]) => [u, s]),
    lines: rows.map((_, i) => i + 2),
    urlIndex: 0,
    targetIndex: 1,
    target: "status",
    groups,
    ngramLrPerPart: ngramLr !== undefined,
    ngramLr,
  });
  const names = t.header.slice(0, -1);
  const schema = schemaFrom(featureSchemaYaml(names, schemaFrom(URL_SCHEMA)));
  const csv = [t.header.join(","), ...t.rows.map((r) => r.map(csvField).join(","))].join("\n");
  const table = await tableFrom(csv + "\n", schema);
  const pre = fitPreprocess(table, schema, {
    numericImpute: "median",
    scale: "none",
    oneHotIntegers: false,
    oneHotMaxValues: 10,
  });
  const m = encodeTable(pre, table);
  let model: TrainedModel;
  if (family === "gbdt") {
    model = fitTreeCandidate({
      config: {
        family: "gbdt",
        learningRate: 0.3,
        maxIter: 10,
        maxLeafNodes: 4,
        minSamplesLeaf: 2,
        l2: 0,
        maxDepth: 0,
        nIterNoChange: 10,
        maxBins: 255,
      },
      train: m,
      val: m,
      seed: 1,
      metric: "roc_auc",
    }).model;
  } else {
    await activateBackend("cpu");
    model = (await trainCandidate({
      config: { family: "logreg", hidden: [], dropout: 0, l2: 0, learningRate: 0.1 },
      train: m,
      val: m,
      seed: 1,
      epochs: 40,
      patience: 40,
      batchSize: 16,
      metric: "roc_auc",
    })).model;
  }
  await saveReleasedModel({
    dir,
    model,
    attach,
    preprocess: new TextEncoder().encode(preprocessToJson(pre)),
    card: {
      created: "2026-01-01T00:00:00.000Z",
      config: { family } as never,
      description: `test url ${family}`,
      features: m.columns,
      threshold: 0.5,
      threshold_choice: { target_fpr: 0.01, validation_fpr: 0, validation_tpr: 1 },
      validation: {},
      train_data: {
        file: "mem",
        sha256: "00",
        rows: m.rows,
        train_rows: m.rows,
        validation_rows: 0,
      },
      params: {},
      backend: { training: "cpu", tfjs: "4.22.0" },
      training: {},
    },
  });
}
