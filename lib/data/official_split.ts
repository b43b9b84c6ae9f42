/**
 * Writing ingest's outputs when the data comes with an official test set
 * (`ingest.test_path`, e.g. NSL-KDD's KDDTest+.txt): no random split; train
 * is the `path` files, test the `test_path` files, raw.csv both in that order.
 *
 * @module
 */
import { writeCsvFile } from "./csv.ts";
import { type Table, tableRows } from "./table.ts";

/**
 * Write `raw.csv` (train rows, then test rows), `train.csv` and `test.csv`
 * under `outDir`. Both tables must come from the same schema.
 *
 * @example
 * ```ts ignore
 * import { writeOfficialSplit } from "./official_split.ts";
 * await writeOfficialSplit("artifacts/ingest", trainTable, testTable);
 * ```
 */
export async function writeOfficialSplit(outDir: string, train: Table, test: Table): Promise<void> {
  const names = train.columns.map((c) => c.name);
  const testNames = test.columns.map((c) => c.name);
  if (names.join("\0") !== testNames.join("\0")) {
    throw new TypeError("writeOfficialSplit: train and test tables have different columns");
  }
  await Deno.mkdir(outDir, { recursive: true });
  function* both(): Generator<string[]> {
    yield* tableRows(train);
    yield* tableRows(test);
  }
  await writeCsvFile(`${outDir}/raw.csv`, names, both());
  await writeCsvFile(`${outDir}/train.csv`, names, tableRows(train));
  await writeCsvFile(`${outDir}/test.csv`, names, tableRows(test));
}
