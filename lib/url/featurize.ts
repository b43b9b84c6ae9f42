/**
 * The featurize step of the URL model: raw URL rows in, one numeric feature
 * row per URL out (lib/url/features.ts), plus the generated schema of that
 * feature table, so the generic transform/train/evaluate stages run on it
 * unchanged. URLs the checker refuses ({@linkcode checkUrl}) are rejects,
 * reported with their line, never silently dropped.
 *
 * @module
 */
import { openSection } from "../section.ts";
import type { YamlFile } from "../yaml.ts";
import type { Schema } from "../data/schema.ts";
import { type CheckedUrl, checkUrl, UrlInputError } from "./check_input.ts";
import {
  ALL_GROUPS,
  type FeatureGroup,
  featureNames,
  type NgramLr,
  urlFeatureVector,
} from "./features.ts";

/** The validated `featurize` params section. */
export interface FeaturizeParams {
  /** Column holding the raw URL (default `url`). */
  urlColumn: string;
  /** Feature groups to compute (default: all). */
  groups: FeatureGroup[];
  /** The n-gram LR of the `ngram_lr` group (`featurize.ngram_lr`). */
  ngramLr: {
    l2: number;
    tol: number;
    folds: number;
    seed: number;
    idf: boolean;
    nb: boolean;
    perPart: boolean;
  };
}

/**
 * Read the `featurize` section: `url_column`, `groups`.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { readFeaturizeParams } from "./featurize.ts";
 * readFeaturizeParams(parseYaml("featurize:\n  groups: [lengths, tld]\n", "p.yaml")).groups;
 * // ["lengths", "tld"]
 * ```
 */
export function readFeaturizeParams(params: YamlFile): FeaturizeParams {
  const s = openSection(params, ["featurize"]);
  const urlColumn = s.string("url_column", { default: "url" });
  const groups = s.strings("groups", { defaultList: [...ALL_GROUPS] });
  const bad = groups.find((g) => !ALL_GROUPS.includes(g as FeatureGroup));
  if (bad !== undefined) {
    throw s.error("groups", `unknown feature group '${bad}' (known: ${ALL_GROUPS.join(", ")})`);
  }
  if (groups.length === 0) throw s.error("groups", "'featurize.groups' must not be empty");
  const lr = s.optionalSection("ngram_lr");
  const ngramLr = {
    l2: lr?.number("l2", { default: 3e-6, min: 0 }) ?? 3e-6,
    // L-BFGS stops when the loss changes by less than this share (lib/learn/_sparse_lbfgs.ts).
    tol: lr?.number("tol", { default: 1e-7, min: 0 }) ?? 1e-7,
    folds: lr?.number("folds", { default: 5, min: 2, max: 20, integer: true }) ?? 5,
    seed: lr?.number("seed", { default: 7, integer: true }) ?? 7,
    idf: lr?.boolean("idf", { default: false }) ?? false,
    // Naive-Bayes log-count-ratio column weights on top (NB-SVM, lib/url/ngram_model.ts).
    nb: lr?.boolean("nb", { default: false }) ?? false,
    // One LR per URL part, each a stacked column (README "URL model"); false: one LR.
    perPart: lr?.boolean("per_part", { default: false }) ?? false,
  };
  lr?.done();
  s.done();
  return { urlColumn, groups: groups as FeatureGroup[], ngramLr };
}

/** One URL the checker refused. */
export interface Reject {
  /** 1-based line in the input file. */
  line: number;
  /** The text. */
  url: string;
  /** Reason code. */
  code: string;
  /** Reason. */
  message: string;
}

/** A featurized table. */
export interface FeatureTable {
  /** Header: feature names, then the target column. */
  header: string[];
  /** Rows of text cells. */
  rows: string[][];
  /** Refused URLs. */
  rejects: Reject[];
  /** The checked URL of each kept row (same order as `rows`). */
  checked: CheckedUrl[];
}

/**
 * Featurize rows carrying a URL and a label.
 *
 * @example
 * ```ts
 * import { featurizeRows } from "./featurize.ts";
 * const t = featurizeRows({
 *   rows: [["http://a.com/", "legitimate"], ["javascript:x", "phishing"]],
 *   lines: [2, 3], urlIndex: 0, targetIndex: 1, target: "status", groups: ["entropy"],
 * });
 * [t.header.length, t.rows.length, t.rejects[0].code]; // [3, 1, "unsupported_scheme"]
 * ```
 */
export function featurizeRows(o: {
  rows: string[][];
  lines: number[];
  urlIndex: number;
  targetIndex: number;
  target: string;
  groups: FeatureGroup[];
  /** The `ngram_lr` group as one column per URL part (`featurize.ngram_lr.per_part`). */
  ngramLrPerPart?: boolean;
  /** A fitted n-gram LR to score with (default: none, NaN columns the stage fills in). */
  ngramLr?: NgramLr;
}): FeatureTable {
  const names = featureNames(o.groups, { ngramLrPerPart: o.ngramLrPerPart });
  const lr = o.ngramLr ?? (o.ngramLrPerPart ? [] : undefined);
  const out: string[][] = [];
  const rejects: Reject[] = [];
  const checked: CheckedUrl[] = [];
  const v = new Float64Array(names.length);
  o.rows.forEach((row, i) => {
    const url = row[o.urlIndex] ?? "";
    try {
      const c = checkUrl(url);
      urlFeatureVector(c, o.groups, v, 0, lr);
      out.push([...Array.from(v, String), row[o.targetIndex]]);
      checked.push(c);
    } catch (err) {
      if (!(err instanceof UrlInputError)) throw err;
      rejects.push({ line: o.lines[i], url, code: err.code, message: err.message });
    }
  });
  return { header: [...names, o.target], rows: out, rejects, checked };
}

const yamlScalar = (v: unknown) => JSON.stringify(v);

/**
 * The schema of the feature table as schema.yaml text: every feature a
 * `number`, then the URL schema's target column and classes.
 *
 * @example
 * ```ts ignore
 * import { featureSchemaYaml } from "./featurize.ts";
 * const text = featureSchemaYaml(["url_length"], urlSchema);
 * ```
 */
export function featureSchemaYaml(names: string[], source: Schema): string {
  const target = source.columns.find((c) => c.name === source.target.column)!;
  const lines = [
    "# Generated by the featurize stage from the URL schema: do not edit.",
    "version: 1",
    "name: url_features",
    "columns:",
    ...names.map((n) => `  - { name: ${n}, type: number }`),
    `  - { name: ${yamlScalar(target.name)}, type: ${target.type}` +
    (target.values ? `, values: [${target.values.map(yamlScalar).join(", ")}]` : "") + " }",
    "target:",
    `  column: ${yamlScalar(target.name)}`,
  ];
  if (source.target.positive) {
    lines.push(`  positive: [${source.target.positive.map(yamlScalar).join(", ")}]`);
  }
  if (source.target.negative) {
    lines.push(`  negative: [${source.target.negative.map(yamlScalar).join(", ")}]`);
  }
  return lines.join("\n") + "\n";
}
