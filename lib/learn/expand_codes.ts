/**
 * Category codes for the families that cannot split on them. The transform
 * stage encodes a categorical column as one column of codes (preprocess kind
 * `code`, matrix header `categorical`/`categories`), which gbdt splits on
 * natively; `logreg`, `mlp` and `extra_trees` see instead exactly the
 * columns `one_hot` would give (`col=cat` … `col=__unseen__`, in the same
 * order, the same imputation, since a missing value already holds the most
 * frequent category's code). Their release's preprocess.json is rewritten
 * so its `code` features are `one_hot`, and scorers, which reuse
 * lib/learn/preprocess.ts, encode records identically.
 *
 * @module
 */
import type { Matrix } from "./matrix.ts";
import {
  type FeatureEncoding,
  loadPreprocess,
  outputNames,
  type PreprocessSpec,
} from "./_preprocess_spec.ts";

/**
 * Whether a model family splits on category codes itself (only `gbdt`).
 *
 * @example
 * ```ts
 * import { usesCodes } from "./expand_codes.ts";
 * [usesCodes("gbdt"), usesCodes("mlp")]; // [true, false]
 * ```
 */
export function usesCodes(family: string): boolean {
  return family === "gbdt";
}

/**
 * Whether a matrix holds category-code columns.
 *
 * @example
 * ```ts
 * import { hasCodes } from "./expand_codes.ts";
 * hasCodes({ rows: 0, cols: 1, columns: ["p"], data: new Float32Array(), labels: new Uint8Array(), categorical: [2] }); // true
 * ```
 */
export function hasCodes(m: Matrix): boolean {
  return m.categorical?.some((k) => k > 0) ?? false;
}

/**
 * Column names of the expansion: a code column of K categories gives K + 1
 * (its categories' names, or the codes when the matrix does not name them,
 * then `__unseen__`).
 */
function expandedColumns(m: Matrix): string[] {
  return m.columns.flatMap((name, f) => {
    const k = m.categorical?.[f] ?? 0;
    if (k === 0) return [name];
    const cats = m.categories?.[f] ?? Array.from({ length: k }, (_, c) => String(c));
    // The same names `one_hot` gives (the impute value does not enter the names).
    return outputNames({ kind: "one_hot", column: name, impute: "", categories: cats });
  });
}

// Matrices are not changed after they are built: one expansion each (a
// search fits many candidates on the same training and validation rows).
const expanded = new WeakMap<Matrix, Matrix>();

/**
 * The matrix with every code column expanded to its one-hot columns (the
 * matrix itself when it has none). A code outside 0..K (not a code) is a
 * `RangeError`.
 *
 * @example
 * ```ts
 * import { expandCodes } from "./expand_codes.ts";
 * const m = { rows: 2, cols: 2, columns: ["x", "p"], data: new Float32Array([5, 1, 6, 2]),
 *   labels: new Uint8Array(2), categorical: [0, 2], categories: [[], ["tcp", "udp"]] };
 * expandCodes(m).columns; // ["x", "p=tcp", "p=udp", "p=__unseen__"]
 * expandCodes(m).data; // [5, 0, 1, 0, 6, 0, 0, 1]
 * ```
 */
export function expandCodes(m: Matrix): Matrix {
  if (!hasCodes(m)) return m;
  const cached = expanded.get(m);
  if (cached) return cached;
  const columns = expandedColumns(m);
  const cols = columns.length;
  const widths = m.columns.map((_, f) => {
    const k = m.categorical?.[f] ?? 0;
    return k > 0 ? k + 1 : 0;
  });
  const data = new Float32Array(m.rows * cols);
  for (let r = 0; r < m.rows; r++) {
    const src = r * m.cols;
    let at = r * cols;
    for (let f = 0; f < m.cols; f++) {
      const v = m.data[src + f];
      if (widths[f] === 0) {
        data[at++] = v;
        continue;
      }
      if (!(Number.isInteger(v) && v >= 0 && v < widths[f])) {
        throw new RangeError(`column '${m.columns[f]}' row ${r + 1}: ${v} is not a category code`);
      }
      data[at + v] = 1;
      at += widths[f];
    }
  }
  const out: Matrix = { rows: m.rows, cols, columns, data, labels: m.labels };
  expanded.set(m, out);
  return out;
}

/**
 * The matrix in the given columns: as it is, or with its code columns
 * expanded; undefined when neither matches.
 *
 * @example
 * ```ts ignore
 * import { matrixFor } from "./expand_codes.ts";
 * const x = matrixFor(test, model.card.features) ?? fail();
 * ```
 */
export function matrixFor(m: Matrix, columns: readonly string[]): Matrix | undefined {
  const same = (a: readonly string[]) =>
    a.length === columns.length && a.every((c, i) => c === columns[i]);
  if (same(m.columns)) return m;
  if (!hasCodes(m) || !same(expandedColumns(m))) return undefined;
  return expandCodes(m);
}

/**
 * A preprocessing whose `code` features are `one_hot` (same categories and
 * imputation), its `columns` renamed to match.
 *
 * @example
 * ```ts
 * import { oneHotSpec } from "./expand_codes.ts";
 * const spec = { format: "preprocess/1" as const, schema: {}, columns: ["p"], fit: { rows: 0, options: {} },
 *   features: [{ kind: "code" as const, column: "p", impute: "tcp", categories: ["tcp"] }] };
 * oneHotSpec(spec as never).columns; // ["p=tcp", "p=__unseen__"]
 * ```
 */
export function oneHotSpec(spec: PreprocessSpec): PreprocessSpec {
  const features = spec.features.map((f): FeatureEncoding =>
    f.kind === "code" ? { ...f, kind: "one_hot" } : f
  );
  return { ...spec, features, columns: features.flatMap(outputNames) };
}

/**
 * The preprocess.json a release of `family` carries: the transform stage's
 * bytes as they are, or (a family that cannot use codes, and the file has
 * `code` features) rewritten by {@linkcode oneHotSpec} — every other field
 * as it was — and checked by loading it, with its output `columns` (the
 * model's features; absent: unchanged, the matrix's columns).
 *
 * @example
 * ```ts ignore
 * import { releasedPreprocess } from "./expand_codes.ts";
 * const { bytes, columns } = releasedPreprocess(await Deno.readFile("artifacts/transform/preprocess.json"), "mlp");
 * ```
 */
export function releasedPreprocess(
  json: Uint8Array,
  family: string,
  file = "<preprocess>",
): { bytes: Uint8Array; columns?: string[] } {
  const spec = JSON.parse(new TextDecoder().decode(json)) as PreprocessSpec;
  const codes = Array.isArray(spec.features) && spec.features.some((f) => f.kind === "code");
  if (usesCodes(family) || !codes) return { bytes: json };
  const text = JSON.stringify(oneHotSpec(spec), null, 2) + "\n";
  const pre = loadPreprocess(text, file);
  return { bytes: new TextEncoder().encode(text), columns: pre.columns };
}
