/**
 * The gradient histogram of one node (lib/learn/_gbdt.ts): per (feature, bin)
 * the sums of the node's gradients and hessians and its row count, three
 * doubles per bin at `(offsets[f] + bin) * 3`. The node's gradients are
 * first gathered in row order into one interleaved array, so the per-feature
 * passes read them sequentially and only the byte column randomly. Each
 * feature's sums are accumulated row by row in the node's row order, so the
 * result does not depend on how features are shared out.
 *
 * @module
 */

/** Where features live in the binned matrix and in a histogram. */
export interface HistogramLayout {
  /** Column-major bins (`binned[f * rows + i]`). */
  binned: Uint8Array;
  /** Rows of the matrix. */
  rows: number;
  /** Feature `f`'s bins start at `offsets[f]` in the histogram. */
  offsets: Int32Array;
  /** The features to fill (the others are left as they are). */
  features: Int32Array;
}

/** One node to build. */
export interface HistogramJob {
  /** Output (zeroed here for the layout's features). */
  hist: Float64Array;
  /** The node's rows are `idx[start, end)`. */
  idx: Uint32Array;
  /** First row position. */
  start: number;
  /** One past the last. */
  end: number;
  /** Gradient per row. */
  g: Float64Array;
  /** Hessian per row. */
  h: Float64Array;
  /** Scratch, `2 * rows` doubles. */
  ordered: Float64Array;
  /** The node is every row in order (`idx[k] = k`): no gather needed. */
  all: boolean;
  /**
   * With `all`: every row's count per bin, laid out like the histogram's
   * counts (`counts[offsets[f] + bin]`, {@linkcode binCounts}). The passes
   * then add only gradients and hessians and copy the counts (the same
   * numbers: a count is an exact integer), a quarter less work at the root.
   */
  counts?: Float64Array;
}

/**
 * Each bin's row count over all rows, for `features`, at `offsets[f] + bin`
 * (the `counts` of a {@linkcode HistogramJob} of all rows).
 *
 * @example
 * ```ts
 * import { binCounts } from "./_tree_hist.ts";
 * const counts = new Float64Array(4);
 * binCounts({ binned: Uint8Array.of(0, 1, 1, 1, 1, 0), rows: 3, offsets: Int32Array.of(0, 2, 4), features: Int32Array.of(0, 1) }, counts);
 * // counts = [1, 2, 2, 1]
 * ```
 */
export function binCounts(layout: HistogramLayout, counts: Float64Array): void {
  const { binned, rows, offsets, features } = layout;
  for (const f of features) {
    const col = f * rows, off = offsets[f];
    counts.fill(0, off, offsets[f + 1]);
    for (let i = 0; i < rows; i++) counts[off + binned[col + i]]++;
  }
}

/**
 * Fill `job.hist` for the layout's features (gather, then every feature).
 *
 * @example
 * ```ts
 * import { buildHistogram } from "./_tree_hist.ts";
 * const hist = new Float64Array(6);
 * buildHistogram(
 *   { binned: Uint8Array.of(0, 1, 1), rows: 3, offsets: Int32Array.of(0, 2), features: Int32Array.of(0) },
 *   { hist, idx: Uint32Array.of(0, 1, 2), start: 0, end: 3, g: Float64Array.of(1, 2, 3),
 *     h: Float64Array.of(1, 1, 1), ordered: new Float64Array(6), all: true },
 * );
 * // hist = [1, 1, 1, 5, 2, 2]
 * ```
 */
export function buildHistogram(layout: HistogramLayout, job: HistogramJob): void {
  gatherGradients(job);
  fillFeatures(layout, job, 0, layout.features.length);
}

/**
 * Copy the node's gradients and hessians, in its row order, into
 * `job.ordered` (interleaved); nothing to do for a node of all rows.
 *
 * @example
 * ```ts
 * import { gatherGradients } from "./_tree_hist.ts";
 * const ordered = new Float64Array(4);
 * gatherGradients({ hist: new Float64Array(0), idx: Uint32Array.of(1, 0), start: 0, end: 2,
 *   g: Float64Array.of(1, 2), h: Float64Array.of(3, 4), ordered, all: false });
 * // ordered = [2, 4, 1, 3]
 * ```
 */
export function gatherGradients(job: HistogramJob): void {
  if (job.all) return;
  const { idx, start, g, h, ordered } = job;
  const n = job.end - start;
  for (let k = 0; k < n; k++) {
    const i = idx[start + k];
    ordered[2 * k] = g[i];
    ordered[2 * k + 1] = h[i];
  }
}

/**
 * Zero and fill the histogram of `layout.features[q0, q1)` (after
 * {@linkcode gatherGradients}). Each feature's sums run over the node's rows
 * in order, whoever computes them: the histogram workers (`_hist_pool.ts`)
 * share features out, never rows.
 *
 * @example
 * ```ts ignore
 * fillFeatures(layout, job, 0, layout.features.length);
 * ```
 */
export function fillFeatures(
  layout: HistogramLayout,
  job: HistogramJob,
  q0: number,
  q1: number,
): void {
  const { offsets, features } = layout;
  for (let q = q0; q < q1; q++) {
    const f = features[q];
    job.hist.fill(0, offsets[f] * 3, offsets[f + 1] * 3);
  }
  let q = q0;
  // Four features per pass over the node's rows: the row index and its
  // gradient pair are read once for the four (each feature's sums still run
  // over the rows in order, so the result is the same).
  if (job.all && job.counts) {
    for (; q + 4 <= q1; q += 4) fillFourUncounted(layout, job, q);
    for (; q < q1; q++) fillOneUncounted(layout, job, features[q]);
    copyCounts(layout, job, q0, q1);
    return;
  }
  for (; q + 4 <= q1; q += 4) fillFour(layout, job, q);
  for (; q < q1; q++) fillOne(layout, job, features[q]);
}

function copyCounts(layout: HistogramLayout, job: HistogramJob, q0: number, q1: number): void {
  const { offsets, features } = layout;
  const { hist } = job, counts = job.counts!;
  for (let q = q0; q < q1; q++) {
    const f = features[q];
    for (let b = offsets[f], e = offsets[f + 1]; b < e; b++) hist[b * 3 + 2] = counts[b];
  }
}

function fillOneUncounted(layout: HistogramLayout, job: HistogramJob, f: number): void {
  const { binned, rows, offsets } = layout;
  const { hist, g, h } = job;
  const n = job.end - job.start;
  const col = f * rows, off = offsets[f] * 3;
  for (let i = 0; i < n; i++) {
    const j = off + binned[col + i] * 3;
    hist[j] += g[i];
    hist[j + 1] += h[i];
  }
}

function fillFourUncounted(layout: HistogramLayout, job: HistogramJob, q: number): void {
  const { binned, rows, offsets, features } = layout;
  const { hist, g, h } = job;
  const n = job.end - job.start;
  const f0 = features[q], f1 = features[q + 1], f2 = features[q + 2], f3 = features[q + 3];
  const c0 = f0 * rows, c1 = f1 * rows, c2 = f2 * rows, c3 = f3 * rows;
  const o0 = offsets[f0] * 3, o1 = offsets[f1] * 3, o2 = offsets[f2] * 3, o3 = offsets[f3] * 3;
  for (let i = 0; i < n; i++) {
    const gi = g[i], hi = h[i];
    let j = o0 + binned[c0 + i] * 3;
    hist[j] += gi;
    hist[j + 1] += hi;
    j = o1 + binned[c1 + i] * 3;
    hist[j] += gi;
    hist[j + 1] += hi;
    j = o2 + binned[c2 + i] * 3;
    hist[j] += gi;
    hist[j + 1] += hi;
    j = o3 + binned[c3 + i] * 3;
    hist[j] += gi;
    hist[j + 1] += hi;
  }
}

function fillOne(layout: HistogramLayout, job: HistogramJob, f: number): void {
  const { binned, rows, offsets } = layout;
  const { hist, idx, start, g, h, ordered } = job;
  const n = job.end - start;
  const col = f * rows, off = offsets[f] * 3;
  if (job.all) {
    for (let i = 0; i < n; i++) {
      const j = off + binned[col + i] * 3;
      hist[j] += g[i];
      hist[j + 1] += h[i];
      hist[j + 2]++;
    }
  } else {
    for (let k = 0; k < n; k++) {
      const j = off + binned[col + idx[start + k]] * 3;
      hist[j] += ordered[2 * k];
      hist[j + 1] += ordered[2 * k + 1];
      hist[j + 2]++;
    }
  }
}

function fillFour(layout: HistogramLayout, job: HistogramJob, q: number): void {
  const { binned, rows, offsets, features } = layout;
  const { hist, idx, start, g, h, ordered } = job;
  const n = job.end - start;
  const f0 = features[q], f1 = features[q + 1], f2 = features[q + 2], f3 = features[q + 3];
  const c0 = f0 * rows, c1 = f1 * rows, c2 = f2 * rows, c3 = f3 * rows;
  const o0 = offsets[f0] * 3, o1 = offsets[f1] * 3, o2 = offsets[f2] * 3, o3 = offsets[f3] * 3;
  if (job.all) {
    for (let i = 0; i < n; i++) {
      const gi = g[i], hi = h[i];
      let j = o0 + binned[c0 + i] * 3;
      hist[j] += gi;
      hist[j + 1] += hi;
      hist[j + 2]++;
      j = o1 + binned[c1 + i] * 3;
      hist[j] += gi;
      hist[j + 1] += hi;
      hist[j + 2]++;
      j = o2 + binned[c2 + i] * 3;
      hist[j] += gi;
      hist[j + 1] += hi;
      hist[j + 2]++;
      j = o3 + binned[c3 + i] * 3;
      hist[j] += gi;
      hist[j + 1] += hi;
      hist[j + 2]++;
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const i = idx[start + k], gk = ordered[2 * k], hk = ordered[2 * k + 1];
    let j = o0 + binned[c0 + i] * 3;
    hist[j] += gk;
    hist[j + 1] += hk;
    hist[j + 2]++;
    j = o1 + binned[c1 + i] * 3;
    hist[j] += gk;
    hist[j + 1] += hk;
    hist[j + 2]++;
    j = o2 + binned[c2 + i] * 3;
    hist[j] += gk;
    hist[j + 1] += hk;
    hist[j + 2]++;
    j = o3 + binned[c3 + i] * 3;
    hist[j] += gk;
    hist[j + 1] += hk;
    hist[j + 2]++;
  }
}
