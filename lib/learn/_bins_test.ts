import { deepStrictEqual, throws } from "node:assert/strict";
import { binMatrix, binOf, fitBinEdges } from "./_bins.ts";
import { createRng } from "../rng.ts";

Deno.test("binMatrix gives binOf's bin for every value: NaN last, infinities, 255 edges, no edges", () => {
  const rng = createRng(9);
  const rows = 700, cols = 4;
  const data = Float32Array.from({ length: rows * cols }, (_, k) => {
    if (k % 101 === 0) return NaN;
    if (k % 103 === 0) return Infinity;
    if (k % 107 === 0) return -Infinity;
    return Math.round((rng.next() * 600 - 300) * 4) / 4;
  });
  const finite = data.map((v) => (Number.isFinite(v) ? v : 0));
  const edges = fitBinEdges({ data: finite, rows, cols, maxBins: 255 });
  edges[1] = Float64Array.from({ length: 255 }, (_, c) => c - 127.5); // 256 bins, as category codes can
  edges[3] = new Float64Array(0);
  const got = binMatrix(data, rows, edges);
  for (let f = 0; f < cols; f++) {
    for (let i = 0; i < rows; i++) {
      const x = data[i * cols + f];
      deepStrictEqual(got[f * rows + i], x !== x ? edges[f].length : binOf(x, edges[f]));
    }
  }
  throws(() => binMatrix(new Float32Array(1), 1, [new Float64Array(256)]), RangeError);
});
