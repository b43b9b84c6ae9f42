/**
 * The batch drift report: `<base>.drift.json` for machines and
 * `<base>.drift.md` for people. Private to lib/scoring.
 *
 * @module
 */
import type { ColumnDrift } from "../data/drift.ts";

/** The drift report of one batch. */
export interface DriftReport {
  /** Model version the batch was scored with. */
  model_version: string;
  /** ISO time of the report. */
  created: string;
  /** The inputs. */
  inputs: string[];
  /** Rows tested (the scored rows). */
  rows: number;
  /** Train rows the reference profile was made from (null without a profile). */
  reference_rows: number | null;
  /** Thresholds applied. */
  thresholds: { p_value: number; psi: number };
  /** Rows sampled for the numeric columns' tests. */
  sample_rows: number;
  /** Columns that drifted. */
  drifted: string[];
  /** Per feature column (empty without a profile). */
  columns: ColumnDrift[];
  /** Why there are no results, if there are none. */
  note?: string;
}

const num = (x: number, digits: number) => (Number.isFinite(x) ? x.toPrecision(digits) : "—");

/**
 * Render the report as Markdown.
 *
 * @example
 * ```ts ignore
 * import { renderDriftMarkdown } from "./_drift_report.ts";
 * await Deno.writeTextFile("preds.drift.md", renderDriftMarkdown(report));
 * ```
 */
export function renderDriftMarkdown(r: DriftReport): string {
  const lines = [
    `# Drift of the batch against train`,
    "",
    `Model ${r.model_version}; ${r.rows.toLocaleString("en")} scored rows from ${
      r.inputs.join(", ")
    }; reference: ${r.reference_rows?.toLocaleString("en") ?? "none"} train rows; ${r.created}.`,
    "",
    `A column drifts when its test's p-value is below ${r.thresholds.p_value} or its PSI ` +
    `above ${r.thresholds.psi} (${
      [
        ...(r.columns.some((c) => c.test === "chi2") || r.columns.length === 0
          ? ["chi-square on value counts for discrete columns"]
          : []),
        ...(r.columns.some((c) => c.test === "ks")
          ? [
            `Kolmogorov–Smirnov on a ${
              r.sample_rows.toLocaleString("en")
            }-row sample for numeric ones`,
          ]
          : []),
      ].join(", ")
    }).`,
    "",
  ];
  if (r.note) return [...lines, `**${r.note}**`, ""].join("\n");
  lines.push(
    r.drifted.length === 0
      ? "**No column drifted.**"
      : `**${r.drifted.length} of ${r.columns.length} columns drifted:** ${r.drifted.join(", ")}.`,
    "",
    "| column | test | statistic | p-value | PSI | drifted |",
    "| --- | --- | ---: | ---: | ---: | --- |",
  );
  for (const c of r.columns) {
    lines.push(
      `| ${c.column} | ${c.test} | ${num(c.statistic, 4)} | ${num(c.pValue, 3)} | ${
        num(c.psi, 3)
      } | ${c.drifted ? "**yes**" : "no"} |`,
    );
  }
  return lines.join("\n") + "\n";
}
