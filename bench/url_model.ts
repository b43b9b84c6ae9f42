/**
 * `deno task bench url-model [--ablation] [--grouped] [--stack] [--variants [--parts]] [--trees
 * [--set colsample|tuning|more|picked|features|grid] [--mat FILE] [--seeds 11,23] [--drop PREFIX,…]] [--data data/urls.csv]`:
 * the URL model's measurements behind README "Checking a URL".
 *
 * - `--ablation`: which feature groups help. On the pipeline's TRAIN split
 *   (`artifacts/url/ingest/train.csv`; the test split is never read) a
 *   stratified seeded 20 % validation split is carved (as the train stage
 *   does); one gbdt (the url.params.yaml grid's first config, early-stopped
 *   on validation) per feature set: all groups, then all minus each group.
 *   Prints validation ROC-AUC and accuracy and the change against all.
 * - `--grouped`: robustness to unseen sites. The whole file is split 80/20,
 *   stratified and seeded, GROUPED BY REGISTERED DOMAIN (tldts; the host for
 *   IP addresses), so no domain is on both sides; gbdt (the feature groups of
 *   url.params.yaml `featurize.groups`) trained on the train
 *   part (early stopping on a grouped validation split of it), scored on the
 *   test part. Writes both parts to `bench/out/url_grouped_{train,test}.csv`
 *   for `python3 bench/url_reference.py` to score the same split.
 * - `--stack`: bench/_url_stack.ts. `--variants`: bench/_url_variants.ts
 *   (5-fold CV on the train split: the choices of url.params.yaml).
 * - `--trees`: bench/_url_trees_cv.ts (gbdt settings, 5-fold CV on the
 *   featurized train split `artifacts/url/transform/train.mat`, or `--mat`:
 *   the train.mat of another featurization of the same train split; `--set`:
 *   which settings; `--seeds`: the CV's fold seeds, default 11,23).
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { readCsvFile, writeCsvFile } from "../lib/data/csv.ts";
import { type Matrix, readMatrix } from "../lib/learn/matrix.ts";
import { rocAuc } from "../lib/reports/metrics.ts";
import { takeRows } from "../lib/learn/models.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { compileTrees, fitTreeCandidate } from "../lib/learn/trees.ts";
import { type CheckedUrl, checkUrl } from "../lib/url/check_input.ts";
import { readFeaturizeParams } from "../lib/url/featurize.ts";
import { readYaml } from "../lib/yaml.ts";
import { BENCH_GBDT, printStack, readLegit, stackComparison } from "./_url_stack.ts";
import { variantsBench } from "./_url_variants.ts";
import { dropColumns, treesBench } from "./_url_trees_cv.ts";
import {
  ALL_GROUPS,
  domainParts,
  type FeatureGroup,
  featureNames,
  urlFeatureVector,
} from "../lib/url/features.ts";

const USAGE =
  "deno task bench url-model [--ablation] [--grouped] [--stack] [--variants [--parts]] " +
  "[--trees [--set colsample|tuning|more|picked|features|grid] [--mat FILE] [--seeds 11,23] [--drop PREFIX,…]] [--data data/urls.csv]";

interface Labelled {
  urls: string[];
  checked: CheckedUrl[];
  labels: Uint8Array;
}

async function readUrls(path: string): Promise<Labelled> {
  const urls: string[] = [], checked: CheckedUrl[] = [], labels: number[] = [];
  let header: string[] | undefined;
  for await (const b of readCsvFile(path)) {
    for (const row of b.rows) {
      if (!header) {
        header = row;
        continue;
      }
      const url = row[header.indexOf("url")], status = row[header.indexOf("status")];
      try {
        checked.push(checkUrl(url));
      } catch {
        continue; // refused: not a feature row (the featurize stage's rejects)
      }
      urls.push(url);
      labels.push(status === "phishing" ? 1 : 0);
    }
  }
  return { urls, checked, labels: Uint8Array.from(labels) };
}

function matrix(d: Labelled, all: FeatureGroup[]): Matrix {
  // The stacked n-gram LR needs its out-of-fold fit: measured by --stack, not here.
  const groups = all.filter((g) => g !== "ngram_lr");
  const columns = featureNames(groups);
  const data = new Float32Array(d.checked.length * columns.length);
  const row = new Float64Array(columns.length);
  d.checked.forEach((c, i) => {
    urlFeatureVector(c, groups, row, 0);
    data.set(row, i * columns.length);
  });
  return { rows: d.checked.length, cols: columns.length, columns, data, labels: d.labels };
}

function accuracy(labels: Uint8Array, p: Float32Array): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += (p[i] >= 0.5 ? 1 : 0) === labels[i] ? 1 : 0;
  return ok / labels.length;
}

/** Fit the gbdt on `train` (early stopping on `val`) and score `test`. */
function fitScore(train: Matrix, val: Matrix, test: Matrix) {
  const { model, bestEpoch } = fitTreeCandidate({
    config: BENCH_GBDT,
    train,
    val,
    seed: 7,
    metric: "roc_auc",
  });
  const p = compileTrees(model)(test.data, test.rows);
  return { auc: rocAuc(test.labels, p), acc: accuracy(test.labels, p), trees: bestEpoch };
}

function domainGroups(d: Labelled): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(d.checked, (c) => {
    const host = c.url.hostname;
    const key = domainParts(host).domain || host;
    if (!ids.has(key)) ids.set(key, ids.size);
    return ids.get(key)!;
  });
}

/**
 * `--stack`: n-gram LR, gbdt, stack and blend (bench/_url_stack.ts) on the
 * pipeline's holdout (train.csv split 80/20 seed 7 for validation, test.csv
 * reported) and on the split grouped by registered domain (as `--grouped`).
 */
async function stackBench(dataPath: string) {
  const params = await readYaml("url.params.yaml");
  const { groups: kept, ngramLr } = readFeaturizeParams(params);
  const { idf, perPart: parts } = ngramLr;
  // The per-part row as shipped: url.params.yaml's gbdt feature subsampling and leaf L2 (its
  // grid's first values).
  const grid = (params.value as {
    train?: { search?: { gbdt?: { colsample?: number[]; l2?: number[] } } };
  }).train?.search?.gbdt;
  const partsGbdt = {
    ...BENCH_GBDT,
    colsample: grid?.colsample?.[0] ?? 1,
    l2: grid?.l2?.[0] ?? BENCH_GBDT.l2,
  };
  const legit = await readLegit();
  const tr = await readUrls("artifacts/url/ingest/train.csv");
  const te = await readUrls("artifacts/url/ingest/test.csv");
  const inner = stratifiedSplit(tr.labels, { testSize: 0.2, seed: 7 });
  const n = tr.checked.length;
  const holdout = stackComparison({
    checked: [...tr.checked, ...te.checked],
    labels: Uint8Array.from([...tr.labels, ...te.labels]),
    groups: kept,
    fit: inner.train,
    val: inner.test,
    test: te.checked.map((_, i) => n + i),
    legit,
    idf,
    parts,
    partsGbdt,
  });
  printStack(
    "20 % stratified seeded holdout (artifacts/url/ingest/test.csv)",
    holdout,
    legit.length,
  );
  const d = await readUrls(dataPath);
  const groups = domainGroups(d);
  const { train, test } = stratifiedSplit(d.labels, { testSize: 0.2, seed: 42, groups });
  const trainGroups = Int32Array.from(train, (i) => groups[i]);
  const trainLabels = Uint8Array.from(train, (i) => d.labels[i]);
  const g = stratifiedSplit(trainLabels, { testSize: 0.2, seed: 7, groups: trainGroups });
  const grouped = stackComparison({
    checked: d.checked,
    labels: d.labels,
    groups: kept,
    fit: g.train.map((k) => train[k]),
    val: g.test.map((k) => train[k]),
    test,
    legit,
    idf,
    parts,
    partsGbdt,
  });
  printStack("20 % grouped by registered domain", grouped, legit.length);
}

/** Run the benchmark. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    maxPositionals: 0,
    options: {
      ablation: { type: "boolean" },
      grouped: { type: "boolean" },
      data: { type: "string" },
      stack: { type: "boolean" },
      variants: { type: "boolean" },
      parts: { type: "boolean" },
      trees: { type: "boolean" },
      set: { type: "string" },
      mat: { type: "string" },
      seeds: { type: "string" },
      drop: { type: "string" },
    },
  });
  if (values.ablation) {
    const d = await readUrls("artifacts/url/ingest/train.csv");
    const { train, test: val } = stratifiedSplit(d.labels, { testSize: 0.2, seed: 7 });
    const handcrafted = ALL_GROUPS.filter((g) => g !== "ngram_lr");
    const sets: [string, FeatureGroup[]][] = [["all", handcrafted]];
    for (const g of handcrafted) sets.push([`- ${g}`, handcrafted.filter((x) => x !== g)]);
    let base = { auc: 0, acc: 0 };
    console.log("| features | val ROC-AUC | Δ vs all | val accuracy | Δ vs all | trees |");
    console.log("|---|---|---|---|---|---|");
    for (const [name, groups] of sets) {
      const m = matrix(d, groups);
      const r = fitScore(takeRows(m, train), takeRows(m, val), takeRows(m, val));
      if (name === "all") base = r;
      const delta = (
        a: number,
        b: number,
      ) => (name === "all" ? "" : (a - b >= 0 ? "+" : "") + (a - b).toFixed(4));
      console.log(
        `| ${name} | ${r.auc.toFixed(4)} | ${delta(r.auc, base.auc)} | ${r.acc.toFixed(4)} | ` +
          `${delta(r.acc, base.acc)} | ${r.trees} |`,
      );
    }
  }
  if (values.grouped) {
    const d = await readUrls((values.data as string) ?? "data/urls.csv");
    const groups = domainGroups(d);
    const { train, test } = stratifiedSplit(d.labels, { testSize: 0.2, seed: 42, groups });
    const trainGroups = Int32Array.from(train, (i) => groups[i]);
    const trainLabels = Uint8Array.from(train, (i) => d.labels[i]);
    const inner = stratifiedSplit(trainLabels, { testSize: 0.2, seed: 7, groups: trainGroups });
    const { groups: kept } = readFeaturizeParams(await readYaml("url.params.yaml"));
    const m = matrix(d, kept);
    const tr = takeRows(m, train);
    const r = fitScore(takeRows(tr, inner.train), takeRows(tr, inner.test), takeRows(m, test));
    const shared = new Set(train.map((i) => groups[i]));
    const leaks = test.filter((i) => shared.has(groups[i])).length;
    console.log(
      `grouped by registered domain: train=${train.length} test=${test.length} ` +
        `domains=${new Set(groups).size} test rows sharing a train domain=${leaks} ` +
        `accuracy=${r.acc.toFixed(4)} roc_auc=${r.auc.toFixed(4)} trees=${r.trees}`,
    );
    await Deno.mkdir("bench/out", { recursive: true });
    for (const [part, rows] of [["train", train], ["test", test]] as const) {
      await writeCsvFile(
        `bench/out/url_grouped_${part}.csv`,
        ["url", "status"],
        rows.map((i) => [d.urls[i], d.labels[i] ? "phishing" : "legitimate"]),
      );
    }
    log.info("wrote bench/out/url_grouped_{train,test}.csv (python3 bench/url_reference.py …)");
  }
  if (values.stack) await stackBench((values.data as string) ?? "data/urls.csv");
  if (values.variants) {
    const d = await readUrls("artifacts/url/ingest/train.csv");
    const { groups } = readFeaturizeParams(await readYaml("url.params.yaml"));
    variantsBench({
      checked: d.checked,
      labels: d.labels,
      groups,
      parts: values.parts === true,
      log,
    });
  }
  if (values.trees) {
    const mat = (values.mat as string) ?? "artifacts/url/transform/train.mat";
    console.log(`\n${mat}`);
    const seeds = values.seeds as string | undefined;
    const drop = (values.drop as string | undefined)?.split(",") ?? [];
    if (drop.length) console.log(`without the columns starting with ${drop.join(", ")}`);
    treesBench(dropColumns(await readMatrix(mat), drop), {
      set: values.set as string | undefined,
      foldSeeds: seeds?.split(",").map(Number),
    });
  }
  if (!values.ablation && !values.grouped && !values.stack && !values.variants && !values.trees) {
    console.error(`nothing to do: ${USAGE}`);
  }
  return 0;
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
