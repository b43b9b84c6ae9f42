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
  const { center, scale, min, max, integer } = spec;
  const n = center.length;
  const scratch = new Float32Array(n);
  return (values, out) => {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (
        !(v >= min[i] && v <= max[i]) || !Number.isFinite(v) ||
        (integer[i] === 1 && !Number.isInteger(v))
      ) {
        generic().encode(values, scratch, 0); // the same numbers, or the same error
        out.set(scratch);
        return;
      }
      out[i] = Math.fround((v - center[i]) / scale[i]);
    }
  };
}
