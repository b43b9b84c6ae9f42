/**
 * The URL model's preprocessing for its all-numeric feature rows, straight
 * from the feature values into a reused `Float64Array` (values rounded to
 * float32, as the generic encoder's `Float32Array` stores them): one loop of
 * `(x - center) / scale`, no per-cell coercion calls. A value the fast path
 * cannot take (not a finite number, a non-integer in an integer column, out
 * of range) falls back to the generic encoder (lib/learn/preprocess.ts
 * `rowEncoder`), which gives the same numbers or the same error.
 *
 * @module
 */
import type { Preprocessor, RowEncoder } from "../learn/preprocess.ts";

/** Encodes one feature row into model inputs. */
export type NumericEncoder = (values: Float64Array, out: Float64Array) => void;

/** What the fast encoder needs, per input column (structured-cloneable, for workers). */
export interface NumericSpec {
  /** Subtracted first. */
  center: Float64Array;
  /** Then divided by. */
  scale: Float64Array;
  /** Smallest value the schema allows (-Infinity: none). */
  min: Float64Array;
  /** Largest value the schema allows (Infinity: none). */
  max: Float64Array;
  /** 1 where the schema column is an integer. */
  integer: Uint8Array;
}

/**
 * The numbers of the fast encoder of `pre`, or undefined when a column is
 * not numeric (one-hot, value lists): use the generic encoder then.
 *
 * @example
 * ```ts ignore
 * import { numericSpec } from "./_numeric_encoder.ts";
 * numericSpec(pre)?.center.length; // pre.width
 * ```
 */
export function numericSpec(pre: Preprocessor): NumericSpec | undefined {
  const n = pre.encoders.length;
  if (pre.width !== n) return undefined;
  const center = new Float64Array(n), scale = new Float64Array(n);
  const min = new Float64Array(n), max = new Float64Array(n);
  const integer = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const f = pre.spec.features[i];
    const col = pre.encoders[i].column;
    if (f.kind !== "numeric" || f.column !== col.name || col.values) return undefined;
    if (col.type !== "number" && col.type !== "integer") return undefined;
    center[i] = f.center;
    scale[i] = f.scale;
    min[i] = col.min ?? -Infinity;
    max[i] = col.max ?? Infinity;
    integer[i] = col.type === "integer" ? 1 : 0;
  }
  return { center, scale, min, max, integer };
}

/**
 * The fast encoder of `spec` for rows in input order; a value it cannot
 * take goes to the generic encoder `generic()` (asked for on first need:
 * a worker builds it only then), which gives the same numbers or the same
 * error.
 *
 * @example
 * ```ts ignore
 * import { numericEncoder, numericSpec } from "./_numeric_encoder.ts";
 * const enc = numericEncoder(numericSpec(pre)!, () => rowEncoder(pre, pre.inputs));
 * enc(values, out);
 * ```
 */
export function numericEncoder(spec: NumericSpec, generic: () => RowEncoder): NumericEncoder {
  const { center, scale } = spec;
  const n = center.length;
  const valid = numericValid(spec);
  const scratch = new Float32Array(n);
  return (values, out) => {
    if (!valid(values)) {
      generic().encode(values, scratch, 0); // the same numbers, or the same error
      out.set(scratch);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = Math.fround((values[i] - center[i]) / scale[i]);
  };
}

/**
 * Whether the fast encoder of `spec` takes a row as it is: every value a
 * finite number within its column's range, an integer where the column is
 * one (otherwise the generic encoder decides).
 *
 * @example
 * ```ts
 * import { numericValid } from "./_numeric_encoder.ts";
 * const valid = numericValid({ center: new Float64Array(1), scale: new Float64Array([1]),
 *   min: new Float64Array([0]), max: new Float64Array([9]), integer: new Uint8Array([1]) });
 * [valid(new Float64Array([3])), valid(new Float64Array([3.5]))]; // [true, false]
 * ```
 */
export function numericValid(spec: NumericSpec): (values: Float64Array) => boolean {
  const { min, max, integer } = spec;
  const n = min.length;
  return (values) => {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (
        !(v >= min[i] && v <= max[i]) || !Number.isFinite(v) ||
        (integer[i] === 1 && !Number.isInteger(v))
      ) {
        return false;
      }
    }
    return true;
  };
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * The input columns and {@linkcode NumericSpec} of a preprocess.json (parsed,
 * without its drift reference) whose every feature is a plain numeric column
 * (the url_* stages' models), read straight from the JSON; undefined for any
 * other shape or anything out of the ordinary (the generic loader,
 * lib/learn/preprocess.ts `loadPreprocess`, then reads it and names what is
 * wrong). The generic loader validates through the positioned YAML reader:
 * about 0.2 s for the URL model's 559 columns at every start.
 *
 * @example
 * ```ts
 * import { numericSpecFromJson } from "./_numeric_encoder.ts";
 * numericSpecFromJson({
 *   format: "preprocess/1",
 *   schema: { columns: [{ name: "x", type: "number", nullable: false }] },
 *   features: [{ kind: "numeric", column: "x", impute: 0, center: 1, scale: 2 }],
 * })?.names; // ["x"]
 * ```
 */
export function numericSpecFromJson(
  encoding: Record<string, unknown>,
): { names: string[]; numeric: NumericSpec } | undefined {
  const features = encoding.features, schema = encoding.schema as { columns?: unknown };
  if (encoding.format !== "preprocess/1" || !Array.isArray(features)) return undefined;
  if (!Array.isArray(schema?.columns)) return undefined;
  const columns = new Map<string, Record<string, unknown>>();
  for (const c of schema.columns as Record<string, unknown>[]) {
    if (typeof c?.name !== "string" || columns.has(c.name)) return undefined;
    columns.set(c.name, c);
  }
  const n = features.length;
  const spec: NumericSpec = {
    center: new Float64Array(n),
    scale: new Float64Array(n),
    min: new Float64Array(n),
    max: new Float64Array(n),
    integer: new Uint8Array(n),
  };
  const names: string[] = [], taken = new Set<string>();
  for (let i = 0; i < n; i++) {
    const f = features[i] as Record<string, unknown>;
    const col = columns.get(f?.column as string);
    if (f?.kind !== "numeric" || !col || taken.has(col.name as string)) return undefined;
    if (!finite(f.impute) || !finite(f.center) || !finite(f.scale) || !(f.scale > 0)) {
      return undefined;
    }
    if ((col.type !== "number" && col.type !== "integer") || col.values !== undefined) {
      return undefined;
    }
    const min = col.min ?? -Infinity, max = col.max ?? Infinity;
    if (typeof min !== "number" || typeof max !== "number" || Number.isNaN(min - max)) {
      return undefined;
    }
    if (min > max) return undefined;
    names.push(col.name as string);
    taken.add(col.name as string);
    spec.center[i] = f.center;
    spec.scale[i] = f.scale;
    spec.min[i] = min;
    spec.max[i] = max;
    spec.integer[i] = col.type === "integer" ? 1 : 0;
  }
  return { names, numeric: spec };
}
