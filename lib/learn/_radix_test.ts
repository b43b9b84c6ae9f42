import { deepStrictEqual } from "node:assert/strict";
import { sortFloat32 } from "./_radix.ts";
import { createRng } from "../rng.ts";

Deno.test("sortFloat32 orders as the native sort: negatives, zeros of both signs, ties, infinities", () => {
  const rng = createRng(5);
  for (const n of [0, 1, 7, 600, 5000]) {
    const v = Float32Array.from({ length: n }, (_, i) => {
      const r = rng.next();
      if (i % 97 === 0) return -0;
      if (i % 89 === 0) return 0;
      if (i % 83 === 0) return Infinity;
      if (i % 79 === 0) return -Infinity;
      return r < 0.3 ? Math.round(r * 10) / 10 : (r - 0.6) * 1e6;
    });
    const want = v.slice().sort();
    const got = sortFloat32(v.slice());
    deepStrictEqual(
      Array.from(new Uint32Array(got.buffer)),
      Array.from(new Uint32Array(want.buffer)),
    );
  }
});
