/**
 * Tree thresholds moved back through the URL model's standard scaling, so
 * the trees can split raw feature values without encoding a row: for the
 * encoding `e(v) = fround((v - center) / scale)` (lib/url/_numeric_encoder.ts)
 * and a node's threshold `t`, the raw cut is the largest double `v` with
 * `e(v) <= t`. `e` is non-decreasing in `v` (a subtraction, a division by a
 * positive number and a rounding to float32, each correctly rounded, are
 * monotone), so for every finite `v`: `e(v) <= t` exactly when `v <= cut`.
 * The cut is found by bisection over the doubles in order, evaluating `e`
 * itself, so no algebra can round differently from the encoder.
 *
 * @module
 */

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const SIGN = 1n << 63n;

/** A finite double's place in the order of all doubles (-0 and +0 share 0). */
function ordinal(v: number): bigint {
  f64[0] = v;
  const b = i64[0];
  return b >= 0n ? b : -(b ^ -SIGN);
}

function fromOrdinal(o: bigint): number {
  i64[0] = o >= 0n ? o : (-o) | -SIGN;
  return f64[0];
}

/**
 * The largest finite double `v` with `fround((v - center) / scale) <= t`
 * (`scale > 0`); `-Infinity` when there is none, `Infinity` when every finite
 * double qualifies.
 *
 * @example
 * ```ts
 * import { rawCut } from "./_raw_cut.ts";
 * const cut = rawCut(0.5, 10, 4); // the last v with fround((v - 10) / 4) <= 0.5
 * Math.fround((cut - 10) / 4) <= 0.5; // true (and false for the next double up)
 * ```
 */
export function rawCut(t: number, center: number, scale: number): number {
  const below = (v: number) => Math.fround((v - center) / scale) <= t;
  if (!below(-Number.MAX_VALUE)) return -Infinity;
  if (below(Number.MAX_VALUE)) return Infinity;
  // Invariant: below(lo), !below(hi). Gallop out from the algebraic answer
  // (the cut is usually within a few doubles of it), then bisect.
  let lo = ordinal(-Number.MAX_VALUE), hi = ordinal(Number.MAX_VALUE);
  const guess = t * scale + center;
  if (Number.isFinite(guess)) {
    const g = ordinal(guess), up = below(guess);
    for (let d = 1n; d < 1n << 62n; d *= 2n) {
      const o = up ? g + d : g - d;
      if (o <= lo || o >= hi) break;
      if (below(fromOrdinal(o)) !== up) {
        if (up) hi = o;
        else lo = o;
        break;
      }
      if (up) lo = o;
      else hi = o;
    }
    if (up && g > lo) lo = g;
    if (!up && g < hi) hi = g;
  }
  while (hi - lo > 1n) {
    const mid = lo + (hi - lo) / 2n;
    if (below(fromOrdinal(mid))) lo = mid;
    else hi = mid;
  }
  return fromOrdinal(lo);
}
