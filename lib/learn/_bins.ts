/**
 * Feature binning for the tree families (lib/learn/trees.ts): per feature a
 * sorted list of bin edges, and a column-major matrix of bin indices.
 *
 * A feature with at most `maxBins` distinct values gets one bin per value
 * (edges at the midpoints between neighbours: exact for the ternary phishing
 * features and for one-hot columns); any other feature gets quantile edges
 * (midpoints of the sorted values at k/maxBins, repeated edges merged). A
 * value's bin is the number of edges below it, so `bin(x) <= b` holds exactly
 * when `x <= edges[b]`: a tree split on bin `b` is the threshold `edges[b]`
 * on raw values, and prediction needs no binning. A constant feature has no
 * edges (one bin) and is never split on. On more than {@linkcode BIN_SAMPLE}
 * rows the edges are fitted on an evenly spaced sample of that many rows
 * (scikit-learn's HistGradientBoosting samples 200,000 rows at random for
 * the same reason: sorting every column of millions of rows costs more than
 * the boosting); the sample is fixed by the row count, so it is deterministic.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { sortFloat32 } from "./_radix.ts";

/** The most bins a feature may have (bin indices are bytes). */
export const MAX_BINS = 256;

/** Rows the bin edges are fitted on at most. */
export const BIN_SAMPLE = 200_000;

/** Features whose sampled values are gathered together by {@linkcode fitBinEdges}. */
const EDGE_BLOCK_FEATURES = 16;

/**
 * Bin edges per feature, fitted on the training rows. Values must be finite
 * (the transform stage imputes): a NaN or infinity is a {@linkcode DataError}
 * naming the column and row.
 *
 * @example
 * ```ts
 * import { fitBinEdges } from "./_bins.ts";
 * fitBinEdges({ data: new Float32Array([1, 0, -1, 0]), rows: 4, cols: 1, maxBins: 255 });
 * // [Float64Array [-0.5, 0.5]]
 * ```
 */
export function fitBinEdges(o: {
  data: Float32Array;
  rows: number;
  cols: number;
  maxBins: number;
  columns?: readonly string[];
}): Float64Array[] {
  const { data, rows, cols } = o;
  if (!(o.maxBins >= 2 && o.maxBins <= MAX_BINS)) {
    throw new RangeError(`maxBins must be in [2, ${MAX_BINS}], got ${o.maxBins}`);
  }
  for (let i = 0, n = rows * cols; i < n; i++) {
    const v = data[i];
    if (v - v !== 0) {
      throw new DataError(
        `feature values must be finite, got ${v} in row ${Math.floor(i / cols) + 1}`,
        {
          field: o.columns?.[i % cols] ?? `feature ${(i % cols) + 1}`,
          hint: "the transform stage imputes missing values; check its output",
        },
      );
    }
  }
  const sample = Math.min(rows, BIN_SAMPLE);
  const pick = Uint32Array.from({ length: sample }, (_, k) => Math.floor((k * rows) / sample));
  // The sampled rows' values of a block of features, column by column,
  // gathered in one pass over each row (not one strided pass per feature).
  const block = Math.min(cols, EDGE_BLOCK_FEATURES);
  const values = new Float32Array(sample * block);
  const scratch = new Uint32Array(sample);
  const out: Float64Array[] = [];
  for (let f0 = 0; f0 < cols; f0 += block) {
    const f1 = Math.min(cols, f0 + block);
    for (let k = 0; k < sample; k++) {
      const r = pick[k] * cols;
      for (let f = f0; f < f1; f++) values[(f - f0) * sample + k] = data[r + f];
    }
    for (let f = f0; f < f1; f++) {
      const column = values.subarray((f - f0) * sample, (f - f0 + 1) * sample);
      out.push(edgesOfSorted(sortFloat32(column, scratch), o.maxBins));
    }
  }
  return out;
}

function edgesOfSorted(sorted: Float32Array, maxBins: number): Float64Array {
  const n = sorted.length;
  const distinct: number[] = [];
  for (let i = 0; i < n && distinct.length <= maxBins; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  }
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let k = 1; k < distinct.length; k++) {
      const e = (distinct[k - 1] + distinct[k]) / 2;
      if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
    }
  } else {
    for (let k = 1; k < maxBins; k++) {
      const pos = (k * (n - 1)) / maxBins;
      const e = (sorted[Math.floor(pos)] + sorted[Math.ceil(pos)]) / 2;
      // Edges at or above the largest value would make empty bins.
      if ((edges.length === 0 || e > edges[edges.length - 1]) && e < sorted[n - 1]) edges.push(e);
    }
  }
  return Float64Array.from(edges);
}

/**
 * The bin of a value: how many edges are below it (binary search).
 *
 * @example
 * ```ts
 * import { binOf } from "./_bins.ts";
 * binOf(0.2, new Float64Array([-0.5, 0.5])); // 1
 * ```
 */
export function binOf(x: number, edges: Float64Array): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bin a row-major matrix into a column-major byte matrix (`binned[f * rows + i]`).
 * Values outside the fitted range go to the first or last bin; NaN, which the
 * fit never sees, goes to the last bin (like "greater than every edge" at
 * prediction, where NaN fails every `x <= threshold` test). `shared`: the
 * bytes live in a SharedArrayBuffer (for the histogram workers).
 *
 * @example
 * ```ts
 * import { binMatrix } from "./_bins.ts";
 * binMatrix(new Float32Array([0, 5, 1, 7]), 2, [new Float64Array([0.5]), new Float64Array([])]);
 * // Uint8Array [0, 1, 0, 0]
 * ```
 */
export function binMatrix(
  data: Float32Array,
  rows: number,
  edges: Float64Array[],
  shared = false,
): Uint8Array {
  const cols = edges.length;
  if (data.length !== rows * cols) {
    throw new RangeError(`expected ${rows}x${cols} = ${rows * cols} values, got ${data.length}`);
  }
  const out = shared
    ? new Uint8Array(new SharedArrayBuffer(Math.max(1, rows * cols)), 0, rows * cols)
    : new Uint8Array(rows * cols);
  if (edges.some((e) => e.length > 255)) throw new RangeError("a byte holds at most 256 bins");
  // Each feature's edges padded to 255 with +Infinity, one flat array: a
  // branch-free search of 8 fixed halvings (+Infinity is never below a value,
  // so the bin is the count of real edges below it, as binOf gives). Rows
  // outer, features inner: the row-major values are read in order.
  const padded = new Float64Array(cols * 255).fill(Infinity);
  const nan = new Uint8Array(cols);
  edges.forEach((e, f) => (padded.set(e, f * 255), (nan[f] = e.length)));
  const e = padded;
  for (let i = 0, r = 0; i < rows; i++, r += cols) {
    for (let f = 0, o = 0; f < cols; f++, o += 255) {
      const x = data[r + f];
      let b = o;
      b += +(e[b + 127] < x) << 7;
      b += +(e[b + 63] < x) << 6;
      b += +(e[b + 31] < x) << 5;
      b += +(e[b + 15] < x) << 4;
      b += +(e[b + 7] < x) << 3;
      b += +(e[b + 3] < x) << 2;
      b += +(e[b + 1] < x) << 1;
      b += +(e[b] < x);
      out[f * rows + i] = x !== x ? nan[f] : b - o;
    }
  }
  return out;
}
