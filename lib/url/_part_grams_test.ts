import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { sparseLogit } from "../learn/sparse_logreg.ts";
import { GramTable } from "./_gram_table.ts";
import { PartGrams } from "./_part_grams.ts";

Deno.test("PartGrams: the entries, values and gram entries of GramTable.computeParts", () => {
  const long = "/" + "ab-".repeat(900) + "x".repeat(300);
  const urls = [
    ["paypal.com/login/login", "paypal.com", "", "/login/login"],
    ["a.b.example.co.uk/p/x?q=1", "example.co.uk", "a.b", "/p/x?q=1"],
    ["x.com" + long, "x.com", "", long], // a long part grows the tables, then short ones again
    ["", "", "", ""],
    ["é.ü/ä", "", "é", "/ä"],
    ["aaaaaaaaaaaaaaaaaaaa", "aaaa", "aaaaaaaa", "/a"],
  ];
  const g = new GramTable(), t = new PartGrams();
  for (const parts of urls) {
    g.hash(parts, 18);
    g.computeParts();
    t.hash(parts, 18);
    deepStrictEqual(Array.from(t.partStart.subarray(0, 5)), Array.from(g.partStart.subarray(0, 5)));
    const n = g.partStart[4];
    deepStrictEqual(
      Array.from(t.bucket.subarray(0, n)),
      Array.from(g.partEntry.subarray(0, n), (e) => g.index[e]),
    );
    deepStrictEqual(Array.from(t.value.subarray(0, n)), Array.from(g.partVal.subarray(0, n)));
    deepStrictEqual(Array.from(t.partGram.subarray(0, 5)), Array.from(g.partGram.subarray(0, 5)));
    // Each gram's entry holds the gram's bucket.
    const grams = g.grams;
    deepStrictEqual(
      Array.from(t.gramEntry.subarray(0, grams), (e) => t.bucket[e]),
      Array.from(g.gramEntry.subarray(0, grams), (e) => g.index[e]),
    );
  }
});

Deno.test("PartGrams: given the LRs, each part's logit is sparseLogit of its entries", () => {
  const parts = ["paypal.com/login/login?a=1", "paypal.com", "", "/login/login?a=1"];
  const lrs = parts.map((_, p) => ({
    weights: Float32Array.from({ length: 1 << 18 }, (_, j) => Math.sin(j * (p + 1)) / 3),
    bias: 0.25 * p,
  }));
  const t = new PartGrams();
  t.hash(parts, 18, lrs);
  parts.forEach((_, p) => {
    const a = t.partStart[p], b = t.partStart[p + 1];
    strictEqual(
      t.logit[p],
      sparseLogit(lrs[p], t.bucket.subarray(a, b), t.value.subarray(a, b)),
    );
  });
});
