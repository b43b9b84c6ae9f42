/**
 * Reports: what a model and a data set are worth, for machines and people.
 *
 * - `metrics.ts`: classification metrics and threshold choice; it re-exports
 *   `curves.ts`: ROC and precision-recall curves, their areas, and
 *   thresholds read off them.
 * - `plot_svg.ts`: the evaluation curves as SVG.
 * - `validate_report.ts`: the validate stage's report (JSON and Markdown).
 * - `diff_table.ts`: flat metric/param values, their diff and a plain table
 *   (`deno task metrics`, `deno task params diff`).
 *
 * @example
 * ```ts ignore
 * import { rocAuc } from "./mod.ts";
 * rocAuc([1, 0, 1], [0.9, 0.2, 0.6]); // 1
 * ```
 *
 * @module
 */
export * from "./metrics.ts";
export * from "./plot_svg.ts";
export * from "./validate_report.ts";
export * from "./diff_table.ts";
