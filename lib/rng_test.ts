import { deepStrictEqual, notDeepStrictEqual } from "node:assert/strict";
import { createRng, shuffle } from "./rng.ts";

Deno.test("createRng: same seed gives the same sequence, other seeds differ", () => {
  const a = createRng(7), b = createRng(7), c = createRng(8);
  const xs = Array.from({ length: 5 }, () => a.next());
  deepStrictEqual(xs, Array.from({ length: 5 }, () => b.next()));
  notDeepStrictEqual(xs, Array.from({ length: 5 }, () => c.next()));
  for (const x of xs) deepStrictEqual(x >= 0 && x < 1, true);
});

Deno.test("rng.int stays in range and covers it", () => {
  const r = createRng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(r.int(5));
  deepStrictEqual([...seen].sort(), [0, 1, 2, 3, 4]);
});

Deno.test("shuffle is a permutation and reproducible", () => {
  const s1 = shuffle([...Array(20).keys()], createRng(3));
  const s2 = shuffle([...Array(20).keys()], createRng(3));
  deepStrictEqual(s1, s2);
  deepStrictEqual([...s1].sort((x, y) => x - y), [...Array(20).keys()]);
});
