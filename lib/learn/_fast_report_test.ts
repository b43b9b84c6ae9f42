import { deepStrictEqual, throws } from "node:assert/strict";
import { fastScoreReport } from "./_fast_report.ts";
import { scoreReport } from "../reports/metrics.ts";
import { createRng } from "../rng.ts";

Deno.test("fastScoreReport equals scoreReport bit for bit, ties and one-class sets included", () => {
  const rng = createRng(5);
  for (const [n, share, grid] of [[1000, 0.3, 20], [333, 0.5, 1000], [50, 0, 5], [40, 1, 5]]) {
    const labels = Uint8Array.from({ length: n }, () => (rng.next() < share ? 1 : 0));
    // Scores on a coarse grid: many ties across classes.
    const scores = Float32Array.from(
      labels,
      (l) => Math.round((rng.next() * 0.7 + l * 0.3) * grid) / grid,
    );
    deepStrictEqual(fastScoreReport(labels, scores), scoreReport(labels, scores));
  }
  throws(() => fastScoreReport(Uint8Array.of(1, 0), Float32Array.of(0.1, NaN)), /NaN/);
});
