/**
 * Stage `url_featurize`: turn the URL pipeline's ingested train/test CSVs
 * (a raw URL column and the label) into numeric feature tables
 * (lib/url/featurize.ts), and write the generated schema the transform stage
 * reads. URLs the checker refuses go to `rejects.csv` (line, url, code,
 * message) and are logged; they are not features.
 *
 * ```sh
 * deno run --allow-read --allow-write stages/featurize_url.ts --params url.params.yaml \
 *   --schema url.schema.yaml --out artifacts/url
 * # reads <out>/ingest/{train,test}.csv, writes <out>/featurize/{train,test,rejects}.csv, schema.yaml,
 * # ngram_lr.json (the stacked n-gram LR when featurize.groups has ngram_lr, else null)
 * ```
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { readCsvFile, writeCsvFile } from "../lib/data/csv.ts";
import { coerceCell, INVALID } from "../lib/data/cells.ts";
import { columnSpec, type Schema, targetClassifier } from "../lib/data/schema.ts";
import {
  featureSchemaYaml,
  type FeatureTable,
  type FeaturizeParams,
  featurizeRows,
  readFeaturizeParams,
} from "../lib/url/featurize.ts";
import { sparseLogits } from "../lib/learn/sparse_logreg.ts";
import {
  ngramLrJson,
  ngramMatrix,
  ngramPartLrsJson,
  ngramPartMatrices,
} from "../lib/url/ngram_model.ts";
import { fitStackedNgramLrs } from "../lib/url/ngram_stack.ts";
import { featureNames, NGRAM_LR_PART_COLUMNS } from "../lib/url/features.ts";
import { loadStageConfig, secondsSince, type StageConfig, writeTextAtomic } from "./_common.ts";

async function readAll(
  path: string,
): Promise<{ header: string[]; rows: string[][]; lines: number[] }> {
  const rows: string[][] = [], lines: number[] = [];
  for await (const b of readCsvFile(path)) {
    rows.push(...b.rows);
    lines.push(...b.lines);
  }
  const header = rows.shift();
  lines.shift();
  if (!header) throw new DataError("empty file (no header row)", { file: path });
  return { header, rows, lines };
}

/**
 * 1 for each threat row of a featurized table (its last column is the
 * target, as ingest wrote it), by the schema's own target rules: `positive`,
 * `negative` or both, any column type (a 0/1 label with `negative: [true]`
 * included). Every row's label is known here: ingest refused unknown ones.
 */
function threatLabels(table: FeatureTable, schema: Schema): Uint8Array {
  const column = columnSpec(schema, schema.target.column);
  if (!column) throw new TypeError(`schema has no target column ${schema.target.column}`);
  const classify = targetClassifier(schema.target, column);
  return Uint8Array.from(table.rows, (r) => {
    const v = coerceCell(column.type, r[r.length - 1]);
    return classify(v === INVALID ? null : v) === 1 ? 1 : 0;
  });
}

/**
 * Fit the n-gram LR on the train table and fill in its column: out-of-fold
 * logits for the train rows, the all-train LR's logits for the test rows.
 * With `perPart`, one LR per URL part, each filling its own column. The fits
 * run on worker threads (lib/url/ngram_stack.ts; same results on any count).
 * Returns the fitted LR(s) as JSON (the model folder's `ngram_lr.json`).
 */
async function stackNgramLr(
  train: FeatureTable,
  test: FeatureTable,
  config: StageConfig,
  o: FeaturizeParams["ngramLr"],
  log: Logger,
): Promise<string> {
  const labels = threatLabels(train, config.schema);
  const xs = o.perPart ? ngramPartMatrices(train.checked) : [ngramMatrix(train.checked)];
  const ts = o.perPart ? ngramPartMatrices(test.checked) : [ngramMatrix(test.checked)];
  const columns = o.perPart ? [...NGRAM_LR_PART_COLUMNS] : ["ngram_lr_logit"];
  const { oof, lrs } = await fitStackedNgramLrs(xs, labels, o);
  lrs.forEach((lr, p) => {
    const col = train.header.indexOf(columns[p]);
    train.rows.forEach((r, i) => r[col] = String(oof[p][i]));
    const z = sparseLogits(lr, ts[p]);
    test.rows.forEach((r, i) => r[col] = String(z[i]));
  });
  log.info("featurize: n-gram LR stacked", {
    rows: labels.length,
    l2: o.l2,
    tol: o.tol,
    idf: o.idf,
    ...(o.nb ? { nb: true } : {}),
    folds: o.folds,
    ...(o.perPart ? { per_part: true } : {}),
  });
  return o.perPart ? ngramPartLrsJson(lrs) : ngramLrJson(lrs[0]);
}

/**
 * Run the stage.
 *
 * @example
 * ```ts ignore
 * import { runFeaturize } from "./featurize_url.ts";
 * await runFeaturize(await loadStageConfig(["--out", "artifacts/url"], "featurize_url"), log);
 * ```
 */
export async function runFeaturize(
  config: StageConfig,
  log: Logger,
): Promise<{ features: number; rejects: number }> {
  const start = performance.now();
  const p = readFeaturizeParams(config.params);
  const root = config.root ?? "artifacts";
  const input = config.input ?? `${root}/ingest`;
  const outDir = `${root}/featurize`;
  const target = config.schema.target.column;
  await Deno.mkdir(outDir, { recursive: true });
  const rejects: string[][] = [];
  const tables: FeatureTable[] = [];
  for (const part of ["train", "test"]) {
    const file = `${input}/${part}.csv`;
    const t = await readAll(file);
    const urlIndex = t.header.indexOf(p.urlColumn);
    const targetIndex = t.header.indexOf(target);
    if (urlIndex < 0 || targetIndex < 0) {
      const field = urlIndex < 0 ? p.urlColumn : target;
      throw new DataError(`missing column '${field}'`, { file, field });
    }
    const table = featurizeRows({
      ...t,
      urlIndex,
      targetIndex,
      target,
      groups: p.groups,
      ngramLrPerPart: p.ngramLr.perPart,
    });
    if (table.rows.length === 0) {
      throw new DataError("no URL left to featurize (every row refused or the file is empty)", {
        file,
      });
    }
    for (const r of table.rejects) {
      log.warn("featurize: URL refused", { file, line: r.line, code: r.code, message: r.message });
      rejects.push([part, String(r.line), r.url, r.code, r.message]);
    }
    tables.push(table);
  }
  const lrJson = p.groups.includes("ngram_lr")
    ? await stackNgramLr(tables[0], tables[1], config, p.ngramLr, log)
    : "null\n";
  await writeTextAtomic(`${outDir}/ngram_lr.json`, lrJson);
  for (const [k, part] of ["train", "test"].entries()) {
    await writeCsvFile(`${outDir}/${part}.csv`, tables[k].header, tables[k].rows);
  }
  await writeCsvFile(`${outDir}/rejects.csv`, ["part", "line", "url", "code", "message"], rejects);
  const names = featureNames(p.groups, { ngramLrPerPart: p.ngramLr.perPart });
  await writeTextAtomic(`${outDir}/schema.yaml`, featureSchemaYaml(names, config.schema));
  log.info("featurize: done", {
    features: names.length,
    groups: p.groups.join(","),
    rejects: rejects.length,
    out: outDir,
    seconds: secondsSince(start),
  });
  return { features: names.length, rejects: rejects.length };
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    await runFeaturize(await loadStageConfig(args, "featurize_url"), log);
  });
}
