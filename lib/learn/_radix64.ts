/**
 * An LSD radix sort of float64 values, in place: the same ascending order,
 * bit for bit, as `Float64Array.prototype.sort()` (−0 before +0), in up to
 * six counting passes of 11 bits over order-preserving 64-bit keys (two
 * 32-bit words) instead of the native comparison sort — several times faster
 * on the per-column sorts of fitting the preprocessing (the median, the drift
 * reference sample: lib/learn/_preprocess_fit.ts, _preprocess_reference.ts).
 * Arrays holding a NaN, short arrays and big-endian platforms use the native
 * sort.
 *
 * @module
 */

const BITS = 11, BUCKETS = 1 << BITS, MASK = BUCKETS - 1;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Sort `values` ascending, in place.
 *
 * @example
 * ```ts
 * import { sortFloat64 } from "./_radix64.ts";
 * sortFloat64(Float64Array.of(0.5, -2, 0.25, 3)); // Float64Array [-2, 0.25, 0.5, 3]
 * ```
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 256 || !LITTLE_ENDIAN) return values.sort();
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let lo = new Uint32Array(n), hi = new Uint32Array(n);
  // Order-preserving keys: flip every bit of a negative, the sign bit of a positive.
  for (let i = 0; i < n; i++) {
    const l = words[2 * i], h = words[2 * i + 1];
    if (h & 0x80000000) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let lo2 = new Uint32Array(n), hi2 = new Uint32Array(n);
  const counts = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 6; pass++) {
    const key = pass < 3 ? lo : hi, shift = (pass % 3) * BITS;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[i] >>> shift) & MASK]++;
    if (counts[(key[0] >>> shift) & MASK] === n) continue; // one bucket: order unchanged
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(key[i] >>> shift) & MASK]++;
      lo2[at] = lo[i];
      hi2[at] = hi[i];
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const l = lo[i], h = hi[i];
    if (h & 0x80000000) {
      words[2 * i] = l;
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
    } else {
      words[2 * i] = ~l >>> 0;
      words[2 * i + 1] = ~h >>> 0;
    }
  }
  return values;
}
