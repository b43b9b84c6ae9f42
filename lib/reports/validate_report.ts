/**
 * The `validate` stage's report: its machine-readable shape (written as
 * `report.json`) and its rendering as Markdown for people (`report.md`).
 *
 * @module
 */
import { explainRule } from "../data/cells.ts";
import type { ClassBalance, DuplicateSummary, Overlap, Violation } from "../data/data_checks.ts";
import type { ClassDistribution } from "./class_distributions.ts";
import type { ColumnDrift } from "../data/drift.ts";
import type { ColumnSpec } from "../data/schema.ts";

/** What validate found in one file. */
export interface DatasetReport {
  /** Path of the file. */
  file: string;
  /** Data rows. */
  rows: number;
  /** Classes and raw labels. */
  classes: ClassBalance;
  /** Missing values per column (columns with any). */
  missing: Record<string, number>;
  /** Duplicates and label conflicts. */
  duplicates: DuplicateSummary;
}

/** The thresholds validate applied (from params' `validate` section). */
export interface ValidateThresholds {
  /** Drift when a test's p-value is below this. */
  driftPValue: number;
  /** Drift when PSI is above this. */
  driftPsi: number;
  /** Whether drift fails the stage. */
  failOnDrift: boolean;
  /** Largest allowed share of duplicate rows. */
  maxDuplicateFraction: number;
  /** Largest allowed share of rows in label conflicts. */
  maxConflictFraction: number;
  /** Smallest allowed share of either class in train. */
  minClassFraction: number;
}

/** The whole report. */
export interface ValidateReport {
  /** Whether the stage passed. */
  passed: boolean;
  /** Schema file used. */
  schema: string;
  /** Why it failed (empty when passed). */
  failures: string[];
  /** What to look at, without failing. */
  warnings: string[];
  /** Schema violations (any fails the stage). */
  violations: Violation[];
  /** Per-file findings. */
  datasets: { train: DatasetReport; test: DatasetReport };
  /** Test rows whose feature vector also occurs in train. */
  overlap: Overlap;
  /** Train-vs-test drift per feature column. */
  drift: ColumnDrift[];
  /** Thresholds applied. */
  thresholds: ValidateThresholds;
  /** Each feature's distribution in train, split by class (lib/reports/class_distributions.ts). */
  distributions?: Record<string, ClassDistribution>;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const num = (x: number) =>
  Number.isNaN(x) ? "n/a" : Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2);

/**
 * Render the report as Markdown.
 *
 * @example
 * ```ts ignore
 * import { renderReportMarkdown } from "./validate_report.ts";
 * await Deno.writeTextFile("artifacts/validate/report.md", renderReportMarkdown(report, schema.columns));
 * ```
 */
export function renderReportMarkdown(report: ValidateReport, columns: ColumnSpec[]): string {
  const out: string[] = [];
  const spec = (name: string) => columns.find((c) => c.name === name);
  out.push(`# Data validation: ${report.passed ? "PASSED" : "FAILED"}`, "");
  out.push(`Schema: \`${report.schema}\``, "");
  if (report.failures.length) {
    out.push("## Failures", "", ...report.failures.map((f) => `- ${f}`), "");
  }
  if (report.warnings.length) {
    out.push("## Warnings", "", ...report.warnings.map((w) => `- ${w}`), "");
  }
  out.push("## Schema violations", "");
  if (report.violations.length === 0) out.push("None.", "");
  else {
    out.push("| file | column | rule | count | examples (line: value) |", "|---|---|---|---:|---|");
    for (const v of report.violations) {
      const ex = v.examples.map((e) => `${e.line}: \`${e.value === "" ? "(missing)" : e.value}\``);
      out.push(
        `| ${v.file} | ${v.column} | ${v.rule} — ${
          explainRule(spec(v.column), v.rule)
        } | ${v.count} | ${ex.join(", ")} |`,
      );
    }
    out.push("");
  }
  out.push("## Datasets", "");
  out.push(
    "| | rows | threat | benign | threat share | duplicate rows | distinct feature vectors | conflict rows |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const [name, d] of Object.entries(report.datasets)) {
    out.push(
      `| ${name} (\`${d.file}\`) | ${d.rows} | ${d.classes.threat} | ${d.classes.benign} | ` +
        `${pct(d.classes.threatFraction)} | ${d.duplicates.duplicateRows} (${
          pct(d.duplicates.duplicateFraction)
        }) | ` +
        `${d.duplicates.distinctFeatureVectors} | ${d.duplicates.conflictRows} (${
          pct(d.duplicates.conflictFraction)
        }) |`,
    );
  }
  out.push("");
  for (const [name, d] of Object.entries(report.datasets)) {
    const labels = Object.entries(d.classes.labels).sort((a, b) => b[1] - a[1]);
    out.push(`- ${name} labels: ${labels.map(([l, n]) => `\`${l}\` ${n}`).join(", ")}`);
    const missing = Object.entries(d.missing);
    if (missing.length) {
      out.push(`- ${name} missing values: ${missing.map(([c, n]) => `${c} ${n}`).join(", ")}`);
    }
    if (d.duplicates.conflictExamples.length) {
      const ex = d.duplicates.conflictExamples.map((g) => `[${g.join(", ")}]`).join(" ");
      out.push(`- ${name} label conflicts, example lines: ${ex}`);
    }
  }
  out.push(
    `- test rows whose feature vector also occurs in train: ${report.overlap.inTrain} of ` +
      `${report.overlap.testRows} (${pct(report.overlap.fraction)})`,
    "",
  );
  const t = report.thresholds;
  out.push(
    "## Drift (train → test)",
    "",
    `A column drifts when p < ${t.driftPValue} or PSI > ${t.driftPsi}` +
      ` (${t.failOnDrift ? "fails the stage" : "warning only"}).`,
    "",
    "| column | test | statistic | p-value | PSI | drift |",
    "|---|---|---:|---:|---:|---|",
  );
  const sorted = [...report.drift].sort((a, b) =>
    Number(b.drifted) - Number(a.drifted) || (a.pValue || 0) - (b.pValue || 0)
  );
  for (const d of sorted) {
    const test = d.test === "chi2" ? `chi² (df ${d.df})` : "KS";
    out.push(
      `| ${d.column} | ${test} | ${num(d.statistic)} | ${num(d.pValue)} | ${num(d.psi)} | ${
        d.drifted ? "**yes**" : "no"
      } |`,
    );
  }
  out.push("");
  return out.join("\n");
}
