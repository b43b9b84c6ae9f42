/**
 * The commented `schema.yaml` text for an {@linkcode InferredSchema}: one
 * flow mapping per column with a comment saying what was seen, the
 * suggested drops with their reason, the target with its labels, and the
 * params lines that read the same files.
 *
 * @module
 */
import { stringify } from "yaml";
import type { InferredColumn, InferredSchema } from "./schema_infer.ts";

/** One-line YAML, spaced as `deno fmt` spaces it: `{ a: 1, b: [x, y] }`. */
const flow = (v: unknown) =>
  unpadSequences(stringify(v, { collectionStyle: "flow", lineWidth: 0 }).trimEnd());

function unpadSequences(text: string): string {
  let out = "", quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" && text[i + 1] === " ") {
      out += "[";
      i++;
      continue;
    } else if (c === " " && text[i + 1] === "]") continue;
    out += c;
  }
  return out;
}
const count = (n: number) => n.toLocaleString("en");
const BOOL_TRUE = new Set(["1", "true", "yes", "t", "y"]);

/** Options of {@linkcode renderSchemaYaml}. */
export interface RenderOptions {
  /** The command line that made the file (shown in the first comment). */
  command: string;
  /** The schema's `name`. */
  name: string;
}

/** A label as the target column's type reads it. */
function typedLabel(col: InferredColumn | undefined, label: string): string | number | boolean {
  if (col?.type === "integer" || col?.type === "number") return Number(label);
  if (col?.type === "boolean") return BOOL_TRUE.has(label.toLowerCase());
  return label;
}

function columnLine(col: InferredColumn, isTarget: boolean, targetValues?: unknown[]): string {
  if (col.drop) {
    return `  - ${flow({ name: col.name, drop: true })} # ${col.drop}`;
  }
  const spec: Record<string, unknown> = { name: col.name, type: col.type };
  const notes: string[] = [];
  if (col.min !== undefined && col.max !== undefined) {
    // Bounds that hold for new data too: the sign, and [0, 1] for fractions.
    if (col.min >= 0) spec.min = 0;
    if (col.type === "number" && col.min >= 0 && col.max <= 1) spec.max = 1;
    notes.push(`seen ${col.min}..${col.max}`);
  }
  // A boolean's domain is true/false already (schema.yaml refuses `values` there): 0/1 targets.
  if (isTarget && targetValues && col.type !== "boolean") spec.values = targetValues;
  else if (col.values && !isTarget) spec.values = col.values;
  else if (col.type === "categorical") {
    notes.push(`${col.distinctCapped ? "over " : ""}${count(col.distinct)} distinct values`);
    if (col.distinct > 255) notes.push("transform keeps the 255 most frequent, the rest as unseen");
  }
  if (col.missing > 0 && !isTarget) {
    spec.nullable = true;
    const tokens = Object.entries(col.missingTokens)
      .map(([t, n]) => `${t === "" ? "empty" : JSON.stringify(t)} ${count(n)}`)
      .join(", ");
    notes.push(`missing in ${count(col.missing)} rows (${tokens})`);
  }
  if (isTarget) notes.unshift("the target");
  return `  - ${flow(spec)}${notes.length ? ` # ${notes.join("; ")}` : ""}`;
}

/**
 * Render the schema text.
 *
 * @example
 * ```ts ignore
 * import { renderSchemaYaml } from "./_schema_yaml.ts";
 * await Deno.writeTextFile("schema.yaml", renderSchemaYaml(inferred, { command, name: "flows" }));
 * ```
 */
export function renderSchemaYaml(s: InferredSchema, options: RenderOptions): string {
  const out: string[] = [];
  const targetCol = s.columns.find((c) => c.name === s.target);
  const onlyPositive = s.positive !== undefined && s.negative === undefined;
  out.push(
    `# schema.yaml written by: ${options.command}`,
    `# Read ${count(s.rows)} rows from ${s.paths.length} file(s); ${
      s.header ? "header row" : "no header row (names from --names)"
    }; delimiter ${JSON.stringify(s.delimiter)}.`,
    "# REVIEW IT: types, domains and drops come from the content read, not from meaning.",
    "# Keys are documented at the top of the repository's schema.yaml.",
    "#",
    "# params.yaml lines that read these files (ingest section):",
    `#   path: ${flow(s.paths.length === 1 ? s.paths[0] : s.paths)}`,
    `#   header: ${s.header}`,
    `#   delimiter: ${JSON.stringify(s.delimiter)}`,
    `#   na_values: ${flow(s.naValues)}`,
    "",
    "version: 1",
    `name: ${flow(options.name)}`,
    "columns:",
  );
  // With only 'positive', the other labels are benign: the schema must list them all.
  const targetValues = onlyPositive ? s.labels.map(([l]) => typedLabel(targetCol, l)) : undefined;
  for (const col of s.columns) out.push(columnLine(col, col.name === s.target, targetValues));
  out.push("target:");
  if (s.target === undefined) {
    out.push(
      "  # FILL IN: no column is named like a label (label, class, target, result, status, …).",
      "  # Name it here, or run again with --target COLUMN.",
      "  column: null",
    );
    return out.join("\n") + "\n";
  }
  const shown = s.labels.slice(0, 30).map(([l, n]) => `${l} (${count(n)})`).join(", ");
  const more = s.labels.length > 30 ? `, and ${s.labels.length - 30} more` : "";
  out.push(
    `  column: ${flow(s.target)} # ${s.targetReason}; ${s.labels.length} labels: ${shown}${more}`,
  );
  const typed = (list: string[]) => list.map((l) => typedLabel(targetCol, l));
  if (s.positive) out.push(`  positive: ${flow(typed(s.positive))} # the THREAT labels`);
  if (s.negative) {
    out.push(
      `  negative: ${flow(typed(s.negative))} # benign labels${
        s.positive ? "" : "; every other label is a threat"
      }`,
    );
  }
  if (!s.positive && !s.negative) {
    out.push(
      "  # FILL IN ONE (not guessed): which labels are threats?",
      "  #   negative: [benign labels]  -> every other label is a threat",
      "  #   positive: [threat labels]  -> the others are benign (list them as the column's values)",
      "  # or run again with --negative LABEL,… or --positive LABEL,….",
    );
  }
  return out.join("\n") + "\n";
}
