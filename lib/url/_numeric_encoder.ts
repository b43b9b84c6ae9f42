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

/**
 * The fast encoder of `pre` for rows in input order, or undefined when a
 * column is not numeric (one-hot, value lists): use `generic` then.
 *
 * @example
 * ```ts ignore
 * import { numericEncoder } from "./_numeric_encoder.ts";
 * const enc = numericEncoder(pre, rowEncoder(pre, pre.inputs));
 * enc?.(values, out);
 * ```
 */
export function numericEncoder(
  pre: Preprocessor,
  generic: RowEncoder,
): NumericEncoder | undefined {
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
  const scratch = new Float32Array(n);
  return (values, out) => {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (
        !(v >= min[i] && v <= max[i]) || !Number.isFinite(v) ||
        (integer[i] === 1 && !Number.isInteger(v))
      ) {
        generic.encode(values, scratch, 0); // the same numbers, or the same error
        out.set(scratch);
        return;
      }
      out[i] = Math.fround((v - center[i]) / scale[i]);
    }
  };
}
