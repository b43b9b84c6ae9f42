import { deepStrictEqual, ok } from "node:assert/strict";
import { rawCut } from "./_raw_cut.ts";
import { treeExplainer } from "./tree_contributions.ts";
import type { TreeModel } from "../learn/trees.ts";
import { createRng } from "../rng.ts";

const f64 = new Float64Array(1), i64 = new BigInt64Array(f64.buffer);
/** The double `steps` places up (down when negative) in the order of doubles (positive v). */
const nextUp = (v: number, steps: number) => {
  if (v === 0) return steps > 0 ? 5e-324 * steps : -5e-324 * -steps;
  f64[0] = v;
  i64[0] += BigInt(v > 0 ? steps : -steps);
  return f64[0];
};

Deno.test("the raw cut splits exactly where the encoded value crosses the threshold", () => {
  const rng = createRng(7), rand = () => rng.next();
  const cases: [number, number, number][] = [[0.5, 10, 4], [0, 0, 1], [-1.25, 3, 0.1], [2, 0, 3]];
  for (let i = 0; i < 400; i++) {
    const t = Math.fround((rand() - 0.5) * 8);
    cases.push([t, (rand() - 0.5) * 200, rand() * 50 + 1e-3]);
    cases.push([Math.fround(rand() * 3), Math.round(rand() * 20), Math.fround(rand() * 9 + 0.5)]);
  }
  for (const [t, center, scale] of cases) {
    const cut = rawCut(t, center, scale);
    const below = (v: number) => Math.fround((v - center) / scale) <= t;
    ok(Number.isFinite(cut), `${t} ${center} ${scale}`);
    // Every double near the cut (and the integers around it) decides as the encoder does.
    for (let s = -64; s <= 64; s++) {
      const v = nextUp(cut, s);
      deepStrictEqual(v <= cut, below(v), `t=${t} c=${center} s=${scale} v=${v}`);
    }
    for (let v = Math.floor(cut) - 3; v <= Math.ceil(cut) + 3; v++) {
      deepStrictEqual(v <= cut, below(v), `t=${t} c=${center} s=${scale} v=${v}`);
    }
  }
  deepStrictEqual(rawCut(Infinity, 0, 1), Infinity);
  // fround overflows to -Infinity first: doubles below -3.4e38 also encode to <= -Infinity.
  deepStrictEqual(rawCut(-Infinity, 0, 1) < -3.4e38, true);
});

Deno.test("explaining raw values at raw cuts gives the numbers of the encoded row", () => {
  const rng = createRng(3), rand = () => rng.next();
  const features = 4, center = new Float64Array(features), scale = new Float64Array(features);
  for (let f = 0; f < features; f++) {
    center[f] = Math.round(rand() * 10);
    scale[f] = rand() * 5 + 0.1;
  }
  const edges = Array.from({ length: features }, () => [-1, -0.2, 0, 0.3, 1].map(Math.fround));
  const tree = () => ({
    feature: [0, 1, 2, 3, 0, 2, 3].map((f) => (f + Math.floor(rand() * 4)) % features),
    bin: Array.from({ length: 7 }, () => Math.floor(rand() * 5)),
    left: [1, 3, 5, -1, -3, -5, -7],
    right: [2, 4, 6, -2, -4, -6, -8],
    value: Array.from({ length: 8 }, () => rand() - 0.5),
  });
  const model: TreeModel = {
    format: "threat-trees/1",
    family: "gbdt",
    features,
    base: 0.1,
    bin_edges: edges,
    trees: Array.from({ length: 20 }, tree),
  };
  const scaled = treeExplainer(model), raw = treeExplainer(model, { inputs: { center, scale } });
  for (let r = 0; r < 2000; r++) {
    // Values right at a raw cut or the next double up, integers, anything in between.
    const x = Float64Array.from({ length: features }, (_, f) => {
      if (r % 3 === 0) {
        const cut = rawCut(edges[f][Math.floor(rand() * 5)], center[f], scale[f]);
        return rand() < 0.5 ? cut : nextUp(cut, 1);
      }
      const v = center[f] + (rand() - 0.5) * 4 * scale[f];
      return r % 3 === 1 ? Math.round(v) : v;
    });
    const row = x.map((v, f) => Math.fround((v - center[f]) / scale[f]));
    const a = scaled(row), av = [...a.values];
    const b = raw(x);
    deepStrictEqual([...b.values], av);
    deepStrictEqual(b.probability, a.probability);
  }
});
