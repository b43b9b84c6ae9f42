import { deepStrictEqual } from "node:assert/strict";
import { binCounts, buildHistogram, fillFeatures, type HistogramJob } from "./_tree_hist.ts";
import { createRng } from "../rng.ts";

Deno.test("fillFeatures: four features per pass give the sums of one feature at a time, for all rows and for a node", () => {
  const rng = createRng(11);
  const rows = 500, cols = 7, bins = 9;
  const binned = Uint8Array.from({ length: rows * cols }, () => rng.int(bins));
  const offsets = Int32Array.from({ length: cols + 1 }, (_, f) => f * bins);
  const features = Int32Array.from({ length: cols }, (_, f) => f);
  const layout = { binned, rows, offsets, features };
  const g = Float64Array.from({ length: rows }, () => rng.next() - 0.5);
  const h = Float64Array.from({ length: rows }, () => rng.next() / 4);
  const node = Uint32Array.from({ length: rows }, (_, i) => i).filter((i) => i % 3 !== 1);
  for (const all of [true, false]) {
    const idx = all ? Uint32Array.from({ length: rows }, (_, i) => i) : node;
    const job = (): HistogramJob => ({
      hist: new Float64Array(cols * bins * 3).fill(7),
      idx,
      start: 0,
      end: idx.length,
      g,
      h,
      ordered: new Float64Array(2 * rows),
      all,
    });
    const together = job();
    buildHistogram(layout, together);
    const apart = job();
    buildHistogram({ ...layout, features: Int32Array.of() }, apart); // gathers only
    for (let q = 0; q < cols; q++) {
      fillFeatures(layout, { ...apart, ordered: together.ordered }, q, q + 1);
    }
    deepStrictEqual(apart.hist, together.hist);
    // Counts add up to the node's rows per feature.
    let count = 0;
    for (let b = 0; b < bins; b++) count += together.hist[(2 * bins + b) * 3 + 2];
    deepStrictEqual(count, idx.length);
  }
});

Deno.test("fillFeatures: a node of all rows with known bin counts gives the same histogram as counting", () => {
  const rng = createRng(12);
  const rows = 300, cols = 6, bins = 5;
  const binned = Uint8Array.from({ length: rows * cols }, () => rng.int(bins));
  const offsets = Int32Array.from({ length: cols + 1 }, (_, f) => f * bins);
  const features = Int32Array.of(0, 2, 3, 4, 5); // one left out: its range is not written
  const layout = { binned, rows, offsets, features };
  const g = Float64Array.from({ length: rows }, () => rng.next() - 0.5);
  const h = Float64Array.from({ length: rows }, () => rng.next() / 4);
  const counts = new Float64Array(cols * bins).fill(-1);
  binCounts(layout, counts);
  const job = (withCounts: boolean): HistogramJob => ({
    hist: new Float64Array(cols * bins * 3).fill(7),
    idx: Uint32Array.from({ length: rows }, (_, i) => i),
    start: 0,
    end: rows,
    g,
    h,
    ordered: new Float64Array(0),
    all: true,
    counts: withCounts ? counts : undefined,
  });
  const counted = job(false), copied = job(true);
  buildHistogram(layout, counted);
  buildHistogram(layout, copied);
  deepStrictEqual(copied.hist, counted.hist);
});
