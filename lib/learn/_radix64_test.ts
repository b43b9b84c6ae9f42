import { deepStrictEqual } from "node:assert/strict";
import { createRng } from "../rng.ts";
import { sortFloat64 } from "./_radix64.ts";

const bits = (a: Float64Array) => new Uint32Array(a.buffer.slice(0));

Deno.test("sortFloat64: the native sort's order bit for bit (signed zeros, infinities, ties)", () => {
  const rng = createRng(3);
  const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -1, 1, 1e-300];
  for (const n of [10, 300, 5000]) {
    const a = Float64Array.from({ length: n }, (_, i) => {
      const u = rng.next();
      if (u < 0.1) return special[i % special.length];
      if (u < 0.4) return Math.round(rng.next() * 20) - 10; // ties
      return (rng.next() - 0.5) * 10 ** (rng.int(40) - 20);
    });
    const want = a.slice().sort();
    deepStrictEqual(bits(sortFloat64(a)), bits(want), `n ${n}`);
  }
  const withNaN = Float64Array.from({ length: 400 }, (_, i) => i % 97 === 0 ? NaN : 400 - i);
  deepStrictEqual(bits(sortFloat64(withNaN.slice())), bits(withNaN.slice().sort()));
  const constant = new Float64Array(1000).fill(2.5); // every pass skipped
  deepStrictEqual(sortFloat64(constant.slice()), constant);
});
