/**
 * Dataset-level checks for `validate`: rule violations grouped per column
 * and rule with example lines, duplicate rows, conflicting labels for
 * identical features, duplicate ids, class balance, missing-value counts and
 * the overlap of test feature vectors with train.
 *
 * @module
 */
import type { Rule } from "./cells.ts";
import { type Cell, type Schema } from "./schema.ts";
import type { CellProblem, Table } from "./table.ts";

/** All problems of one rule in one column of one file. */
export interface Violation {
  /** File the rows are in. */
  file: string;
  /** Column name. */
  column: string;
  /** The broken rule. */
  rule: Rule;
  /** How many cells (or columns) break it. */
  count: number;
  /** The first few, with line and raw value. */
  examples: { line: number; value: string }[];
}

/** Groups {@linkcode CellProblem}s into {@linkcode Violation}s. */
export interface ViolationCollector {
  /** Record one problem (the signature of `readTable`'s `onProblem`). */
  add(problem: CellProblem): void;
  /** The violations so far, in order of first appearance. */
  list(): Violation[];
}

/**
 * Collect problems into violations, keeping `maxExamples` examples each.
 *
 * @example
 * ```ts
 * import { violationCollector } from "./data_checks.ts";
 * const c = violationCollector(2);
 * c.add({ file: "t.csv", column: "x", rule: "domain", line: 4, value: "7" });
 * c.list()[0].count; // 1
 * ```
 */
export function violationCollector(maxExamples: number): ViolationCollector {
  const byKey = new Map<string, Violation>();
  return {
    add(p) {
      const key = `${p.file}\u0000${p.column}\u0000${p.rule}`;
      let v = byKey.get(key);
      if (!v) {
        v = { file: p.file, column: p.column, rule: p.rule, count: 0, examples: [] };
        byKey.set(key, v);
      }
      v.count++;
      if (v.examples.length < maxExamples) v.examples.push({ line: p.line, value: p.value });
    },
    list: () => [...byKey.values()],
  };
}

function keyOf(cells: Cell[][], cols: number[], r: number): string {
  let key = "";
  for (const c of cols) {
    const v = cells[c][r];
    key += (v === null ? "\u0000" : String(v)) + "\u001f";
  }
  return key;
}

function featureIndices(table: Table, schema: Schema): number[] {
  const names = new Set(schema.features);
  return table.columns.flatMap((c, i) => (names.has(c.name) ? [i] : []));
}

/**
 * A group id per row: rows with identical feature vectors share one (ids in
 * order of first appearance). For splitting without duplicate leakage.
 *
 * @example
 * ```ts ignore
 * import { featureGroups } from "./data_checks.ts";
 * const groups = featureGroups(table, schema); // Int32Array, one id per row
 * ```
 */
export function featureGroups(table: Table, schema: Schema): Int32Array {
  const feats = featureIndices(table, schema);
  const ids = new Map<string, number>();
  const out = new Int32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    const key = keyOf(table.cells, feats, r);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, id = ids.size);
    out[r] = id;
  }
  return out;
}

/** Duplicate and conflict statistics of one table. */
export interface DuplicateSummary {
  /** Rows in the table. */
  rows: number;
  /** Rows equal (features and label; id ignored) to an earlier row. */
  duplicateRows: number;
  /** `duplicateRows / rows`. */
  duplicateFraction: number;
  /** Distinct feature vectors. */
  distinctFeatureVectors: number;
  /** Feature vectors that occur with both classes. */
  conflictGroups: number;
  /** Rows whose feature vector occurs with both classes. */
  conflictRows: number;
  /** `conflictRows / rows`. */
  conflictFraction: number;
  /** Example duplicates: [line of the first occurrence, line of the repeat]. */
  duplicateExamples: [number, number][];
  /** Example conflicts: lines of rows sharing features with different classes. */
  conflictExamples: number[][];
}

/**
 * Count duplicate rows and label conflicts (same features, both classes).
 *
 * @example
 * ```ts ignore
 * import { duplicateSummary } from "./data_checks.ts";
 * const d = duplicateSummary(table, schema, 5);
 * console.log(d.duplicateFraction, d.conflictRows);
 * ```
 */
export function duplicateSummary(
  table: Table,
  schema: Schema,
  maxExamples: number,
): DuplicateSummary {
  const feats = featureIndices(table, schema);
  const firstRow = new Map<string, number>();
  // Per feature vector: first row line per class (index 0 benign, 1 threat).
  const groups = new Map<string, { lines: [number[], number[]]; rows: number }>();
  const duplicateExamples: [number, number][] = [];
  let duplicateRows = 0;
  for (let r = 0; r < table.rows; r++) {
    const fkey = keyOf(table.cells, feats, r);
    const label = table.labels[r];
    const rkey = fkey + label;
    const first = firstRow.get(rkey);
    if (first === undefined) firstRow.set(rkey, r);
    else {
      duplicateRows++;
      if (duplicateExamples.length < maxExamples) {
        duplicateExamples.push([table.lines[first], table.lines[r]]);
      }
    }
    let g = groups.get(fkey);
    if (!g) groups.set(fkey, g = { lines: [[], []], rows: 0 });
    g.rows++;
    if (label <= 1 && g.lines[label].length < 3) g.lines[label].push(table.lines[r]);
  }
  let conflictGroups = 0, conflictRows = 0;
  const conflictExamples: number[][] = [];
  for (const g of groups.values()) {
    if (g.lines[0].length === 0 || g.lines[1].length === 0) continue;
    conflictGroups++;
    conflictRows += g.rows;
    if (conflictExamples.length < maxExamples) {
      conflictExamples.push([...g.lines[0], ...g.lines[1]].sort((a, b) => a - b));
    }
  }
  const rows = table.rows;
  return {
    rows,
    duplicateRows,
    duplicateFraction: rows ? duplicateRows / rows : 0,
    distinctFeatureVectors: groups.size,
    conflictGroups,
    conflictRows,
    conflictFraction: rows ? conflictRows / rows : 0,
    duplicateExamples,
    conflictExamples,
  };
}

/**
 * Report rows repeating an earlier row's id as `duplicate_id` problems.
 *
 * @example
 * ```ts ignore
 * import { checkIds, violationCollector } from "./data_checks.ts";
 * const c = violationCollector(5);
 * checkIds(table, schema, c.add);
 * ```
 */
export function checkIds(table: Table, schema: Schema, add: (p: CellProblem) => void): void {
  if (!schema.id) return;
  const c = table.columns.findIndex((col) => col.name === schema.id);
  const seen = new Set<Cell>();
  for (let r = 0; r < table.rows; r++) {
    const v = table.cells[c][r];
    if (v === null) continue;
    if (seen.has(v)) {
      add({
        file: table.file,
        column: schema.id,
        rule: "duplicate_id",
        line: table.lines[r],
        value: String(v),
      });
    }
    seen.add(v);
  }
}

/** Class balance of a table. */
export interface ClassBalance {
  /** Threat rows (class 1). */
  threat: number;
  /** Benign rows (class 0). */
  benign: number;
  /** `threat / (threat + benign)`. */
  threatFraction: number;
  /** Rows per raw label value. */
  labels: Record<string, number>;
}

/**
 * Count classes and raw labels.
 *
 * @example
 * ```ts ignore
 * import { classBalance } from "./data_checks.ts";
 * classBalance(table, schema).threatFraction;
 * ```
 */
export function classBalance(table: Table, schema: Schema): ClassBalance {
  const t = table.columns.findIndex((c) => c.name === schema.target.column);
  let threat = 0, benign = 0;
  const labels: Record<string, number> = {};
  for (let r = 0; r < table.rows; r++) {
    if (table.labels[r] === 1) threat++;
    else if (table.labels[r] === 0) benign++;
    const key = String(table.cells[t][r]);
    labels[key] = (labels[key] ?? 0) + 1;
  }
  const known = threat + benign;
  return { threat, benign, threatFraction: known ? threat / known : 0, labels };
}

/**
 * Missing values per column (only columns with any).
 *
 * @example
 * ```ts ignore
 * import { missingCounts } from "./data_checks.ts";
 * missingCounts(table); // { service: 4 }
 * ```
 */
export function missingCounts(table: Table): Record<string, number> {
  const out: Record<string, number> = {};
  table.columns.forEach((col, c) => {
    let n = 0;
    for (const v of table.cells[c]) if (v === null) n++;
    if (n > 0) out[col.name] = n;
  });
  return out;
}

/** How many test rows have a feature vector that also occurs in train. */
export interface Overlap {
  /** Test rows. */
  testRows: number;
  /** Test rows whose features occur in train. */
  inTrain: number;
  /** `inTrain / testRows`. */
  fraction: number;
}

/**
 * Measure train/test leakage through repeated feature vectors.
 *
 * @example
 * ```ts ignore
 * import { featureOverlap } from "./data_checks.ts";
 * featureOverlap(train, test, schema).fraction;
 * ```
 */
export function featureOverlap(train: Table, test: Table, schema: Schema): Overlap {
  const seen = new Set<string>();
  const tf = featureIndices(train, schema);
  for (let r = 0; r < train.rows; r++) seen.add(keyOf(train.cells, tf, r));
  const sf = featureIndices(test, schema);
  let inTrain = 0;
  for (let r = 0; r < test.rows; r++) if (seen.has(keyOf(test.cells, sf, r))) inTrain++;
  return { testRows: test.rows, inTrain, fraction: test.rows ? inTrain / test.rows : 0 };
}
