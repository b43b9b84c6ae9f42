import { deepStrictEqual, notDeepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { stratifiedSplit } from "./split.ts";

const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 < 3 ? 1 : 0)); // 300 threats

Deno.test("stratifiedSplit keeps class shares, partitions rows and keeps source order", () => {
  const { train, test } = stratifiedSplit(labels, { testSize: 0.2, seed: 42 });
  strictEqual(test.length, 200);
  strictEqual(test.filter((i) => labels[i] === 1).length, 60);
  strictEqual(train.filter((i) => labels[i] === 1).length, 240);
  deepStrictEqual([...train, ...test].sort((a, b) => a - b), [...labels.keys()]);
  ok(train.every((v, i) => i === 0 || v > train[i - 1]));
  ok(test.every((v, i) => i === 0 || v > test[i - 1]));
});

Deno.test("stratifiedSplit is deterministic per seed", () => {
  const a = stratifiedSplit(labels, { testSize: 0.25, seed: 7 });
  deepStrictEqual(stratifiedSplit(labels, { testSize: 0.25, seed: 7 }), a);
  notDeepStrictEqual(stratifiedSplit(labels, { testSize: 0.25, seed: 8 }).test, a.test);
});

Deno.test("stratifiedSplit rounds per class and rejects bad sizes", () => {
  const { test } = stratifiedSplit([0, 0, 0, 1], { testSize: 0.5, seed: 1 });
  strictEqual(test.length, 3); // round(1.5) + round(0.5) = 2 + 1
  throws(() => stratifiedSplit([0, 1], { testSize: 1, seed: 1 }), RangeError);
  throws(() => stratifiedSplit([0, 1], { testSize: 0, seed: 1 }), RangeError);
});

Deno.test("stratifiedSplit with groups keeps each group on one side", () => {
  const groups = labels.map((_, i) => Math.floor(i / 10) * 10 + (i % 10 < 3 ? 1 : 0)); // 10-row blocks, per class
  const { train, test } = stratifiedSplit(labels, { testSize: 0.2, seed: 3, groups });
  const side = new Map<number, string>();
  for (const [name, rows] of [["train", train], ["test", test]] as const) {
    for (const i of rows) {
      strictEqual(side.get(groups[i]) ?? name, name, `group ${groups[i]} split`);
      side.set(groups[i], name);
    }
  }
  strictEqual(test.filter((i) => labels[i] === 1).length, 60);
  strictEqual(test.length, 200);
  deepStrictEqual(stratifiedSplit(labels, { testSize: 0.2, seed: 3, groups }), { train, test });
  throws(() => stratifiedSplit(labels, { testSize: 0.2, seed: 3, groups: [1] }), RangeError);
});
