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
  const { binned, rows, offsets, features } = layout;
  const { hist, idx, start, g, h, ordered } = job;
  const n = job.end - start;
  for (let q = q0; q < q1; q++) {
    const f = features[q];
    const col = f * rows, off = offsets[f] * 3;
    hist.fill(0, off, offsets[f + 1] * 3);
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
}
