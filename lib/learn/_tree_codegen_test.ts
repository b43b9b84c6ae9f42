import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { compileTree } from "./_tree_codegen.ts";

// x0 <= 0.5 ? (x1 <= -1.25 ? -0.5 : 0.25) : 2
const tree = {
  feature: [0, 1],
  bin: [0, 0],
  left: [1, ~0],
  right: [~2, ~1],
  value: [-0.5, 0.25, 2],
};
const edges = [[0.5], [-1.25]];

Deno.test("compileTree follows the splits; NaN goes right", () => {
  const f = compileTree(tree, edges);
  strictEqual(f(new Float32Array([0.5, -2]), 0), -0.5);
  strictEqual(f(new Float32Array([0, 0]), 0), 0.25);
  strictEqual(f(new Float32Array([9, 9, 0.6, 0]), 2), 2, "reads the row at the offset");
  strictEqual(f(new Float32Array([NaN, 0]), 0), 2);
});

Deno.test("compileTree: a single-leaf tree, and non-finite numbers are refused", () => {
  strictEqual(
    compileTree({ feature: [], bin: [], left: [], right: [], value: [0.75] }, [])(
      new Float32Array(),
      0,
    ),
    0.75,
  );
  throws(() => compileTree({ ...tree, value: [Infinity, 0, 0] }, edges), RangeError);
  throws(() => compileTree({ ...tree, feature: [0.5, 1] }, edges), RangeError);
});

Deno.test("compileTree: a categorical split sends its codes left, anything else right", () => {
  const f = compileTree(
    { feature: [0], bin: [-1], left: [~0], right: [~1], value: [1, 2], cats: [[2, 5]] },
    [[0.5, 1.5, 2.5, 3.5, 4.5, 5.5]],
  );
  const at = (x: number) => f(Float32Array.of(x), 0);
  deepStrictEqual([at(2), at(5), at(0), at(3), at(6), at(2.5), at(-1), at(NaN)], [
    1,
    1,
    2,
    2,
    2,
    2,
    2,
    2,
  ]);
});
