/**
 * Stage `validate`: check `artifacts/ingest/train.csv` and `test.csv` against
 * the schema (columns, types, domains, ranges, nullability, target labels, ids),
 * report duplicates, label conflicts, class balance and train→test drift, and
 * write `artifacts/validate/report.json` and `report.md`. Schema violations fail
 * the stage (exit 3); drift warns unless `validate.fail_on_drift`.
 *
 * ```sh
 * deno run --allow-read --allow-write stages/validate.ts [--params params.yaml] [--schema schema.yaml]
 * ```
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { DataError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { classDistributions } from "../lib/reports/class_distributions.ts";
import { explainRule } from "../lib/data/cells.ts";
import {
  checkIds,
  classBalance,
  duplicateSummary,
  featureOverlap,
  missingCounts,
  type Violation,
  violationCollector,
} from "../lib/data/data_checks.ts";
import { columnDrift } from "../lib/data/drift.ts";
import { columnSpec, type Schema } from "../lib/data/schema.ts";
import { csvSource } from "../lib/data/source.ts";
import { readTable, type Table } from "../lib/data/table.ts";
import {
  type DatasetReport,
  renderReportMarkdown,
  type ValidateReport,
  type ValidateThresholds,
} from "../lib/reports/validate_report.ts";
import { openSection } from "../lib/section.ts";
import type { YamlFile } from "../lib/yaml.ts";
import { loadStageConfig, secondsSince, type StageConfig, writeTextAtomic } from "./_common.ts";

/** params.yaml's `validate` section. */
export interface ValidateParams extends ValidateThresholds {
  /** Example rows kept per violation (default 5). */
  maxExamples: number;
}

/**
 * Read and validate the `validate` section (every key optional).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../lib/yaml.ts";
 * import { readValidateParams } from "./validate.ts";
 * readValidateParams(parseYaml("validate:\n  fail_on_drift: true\n", "params.yaml")).driftPValue; // 0.01
 * ```
 */
export function readValidateParams(params: YamlFile): ValidateParams {
  const present = (params.value as Record<string, unknown> | null)?.validate !== undefined;
  const s = present ? openSection(params, ["validate"]) : undefined;
  const fraction = (key: string, d: number) => s?.number(key, { default: d, min: 0, max: 1 }) ?? d;
  const out: ValidateParams = {
    driftPValue: fraction("drift_p_value", 0.01),
    driftPsi: s?.number("drift_psi", { default: 0.2, min: 0 }) ?? 0.2,
    failOnDrift: s?.boolean("fail_on_drift", { default: false }) ?? false,
    maxDuplicateFraction: fraction("max_duplicate_fraction", 1),
    maxConflictFraction: fraction("max_conflict_fraction", 1),
    minClassFraction: fraction("min_class_fraction", 0),
    maxExamples: s?.number("max_examples", { default: 5, integer: true, min: 1 }) ?? 5,
  };
  s?.done();
  return out;
}

function describeViolation(v: Violation, schema: Schema): string {
  const lines = v.examples.map((e) => e.line).join(", ");
  const values = [
    ...new Set(v.examples.map((e) => (e.value === "" ? "(missing)" : `'${e.value}'`))),
  ];
  if (v.rule === "missing_column" || v.rule === "unexpected_column") {
    return `${v.file}: column '${v.column}' ${
      explainRule(undefined, v.rule).replace("column ", "")
    }`;
  }
  return `${v.file}: column '${v.column}' rule '${v.rule}': ${values.join(", ")} ` +
    `${
      explainRule(columnSpec(schema, v.column), v.rule)
    } — ${v.count} row(s), e.g. line(s) ${lines}`;
}

function datasetReport(table: Table, schema: Schema, maxExamples: number): DatasetReport {
  return {
    file: table.file,
    rows: table.rows,
    classes: classBalance(table, schema),
    missing: missingCounts(table),
    duplicates: duplicateSummary(table, schema, maxExamples),
  };
}

/** Where {@linkcode runValidate} reads and writes. */
export interface ValidatePaths {
  /** Train CSV (default `artifacts/ingest/train.csv`). */
  train?: string;
  /** Test CSV (default `artifacts/ingest/test.csv`). */
  test?: string;
  /** Output directory (default `artifacts/validate`). */
  outDir?: string;
}

/**
 * Run the stage; writes the report, then throws a `DataError` if it failed.
 *
 * @example
 * ```ts ignore
 * import { runValidate } from "./validate.ts";
 * const report = await runValidate(await loadStageConfig([], "validate"), log);
 * ```
 */
export async function runValidate(
  config: StageConfig,
  log: Logger,
  paths: ValidatePaths = {},
): Promise<ValidateReport> {
  const start = performance.now();
  const { schema } = config;
  const p = readValidateParams(config.params);
  const outDir = paths.outDir ?? "artifacts/validate";
  const collector = violationCollector(p.maxExamples);
  const read = async (path: string) => {
    const table = await readTable(csvSource({ path, header: true }), {
      schema,
      checkDomains: true,
      onProblem: collector.add,
      log,
    });
    checkIds(table, schema, collector.add);
    log.info("validate: read", { file: path, rows: table.rows });
    return table;
  };
  const train = await read(paths.train ?? "artifacts/ingest/train.csv");
  const test = await read(paths.test ?? "artifacts/ingest/test.csv");
  const violations = collector.list();
  const absent = new Set(
    violations.filter((v) => v.rule === "missing_column").map((v) => v.column),
  );
  const drift = schema.features.filter((f) => !absent.has(f)).map((f) => {
    const c = train.columns.findIndex((col) => col.name === f);
    return columnDrift(train.columns[c], train.cells[c], test.cells[c], {
      pValue: p.driftPValue,
      psi: p.driftPsi,
    });
  });
  const datasets = {
    train: datasetReport(train, schema, p.maxExamples),
    test: datasetReport(test, schema, p.maxExamples),
  };
  const overlap = featureOverlap(train, test, schema);
  const failures: string[] = violations.map((v) => describeViolation(v, schema));
  const warnings: string[] = [];
  for (const [name, d] of Object.entries(datasets)) {
    const { duplicateRows, duplicateFraction, conflictRows, conflictFraction } = d.duplicates;
    const dup = `${name}: ${duplicateRows} duplicate row(s) (${
      (100 * duplicateFraction).toFixed(1)
    }%)`;
    if (duplicateFraction > p.maxDuplicateFraction) {
      failures.push(`${dup} exceed validate.max_duplicate_fraction ${p.maxDuplicateFraction}`);
    } else if (duplicateRows > 0) warnings.push(dup);
    const con = `${name}: ${conflictRows} row(s) share features with a row of the other class ` +
      `(${(100 * conflictFraction).toFixed(1)}%)`;
    if (conflictFraction > p.maxConflictFraction) {
      failures.push(`${con}, above validate.max_conflict_fraction ${p.maxConflictFraction}`);
    } else if (conflictRows > 0) warnings.push(con);
  }
  const minority = Math.min(
    datasets.train.classes.threatFraction,
    1 - datasets.train.classes.threatFraction,
  );
  if (minority < p.minClassFraction) {
    failures.push(
      `train's smaller class is ${
        (100 * minority).toFixed(2)
      }% of rows, below validate.min_class_fraction ${p.minClassFraction}`,
    );
  }
  if (overlap.inTrain > 0) {
    warnings.push(
      `${overlap.inTrain} of ${overlap.testRows} test rows repeat a train feature vector (leakage)`,
    );
  }
  const drifted = drift.filter((d) => d.drifted);
  if (drifted.length > 0) {
    const list = drifted.map((d) =>
      `${d.column} (${d.test} p=${d.pValue.toPrecision(3)}, PSI=${d.psi.toFixed(3)})`
    );
    (p.failOnDrift ? failures : warnings).push(
      `drift in ${drifted.length} column(s): ${list.join(", ")}`,
    );
  }
  const { maxExamples: _, ...thresholds } = p;
  const report: ValidateReport = {
    passed: failures.length === 0,
    schema: schema.file,
    failures,
    warnings,
    violations,
    datasets,
    overlap,
    drift,
    thresholds,
    distributions: classDistributions(train, schema.features),
  };
  await writeTextAtomic(`${outDir}/report.json`, JSON.stringify(report, null, 2) + "\n");
  await writeTextAtomic(`${outDir}/report.md`, renderReportMarkdown(report, schema.columns));
  for (const w of warnings) log.warn(`validate: ${w}`);
  log.info("validate: report written", {
    out: outDir,
    passed: report.passed,
    violations: violations.length,
    drifted: drifted.length,
    seconds: secondsSince(start),
  });
  if (!report.passed) {
    const first = violations[0];
    const more = failures.length > 1 ? `\n  - ${failures.slice(1, 6).join("\n  - ")}` : "";
    throw new DataError(
      `${failures.length} validation failure(s): ${failures[0]}${more}` +
        (failures.length > 6 ? `\n  … and ${failures.length - 6} more` : ""),
      {
        file: first?.file,
        line: first?.examples[0]?.line,
        field: first?.column,
        hint: `see ${outDir}/report.md`,
      },
    );
  }
  return report;
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const config = await loadStageConfig(args, "validate");
    const { input = "artifacts/ingest", root = "artifacts" } = config;
    await runValidate(config, log, {
      train: `${input}/train.csv`,
      test: `${input}/test.csv`,
      outDir: `${root}/validate`,
    });
  });
}
