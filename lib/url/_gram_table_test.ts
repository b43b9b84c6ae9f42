import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { GramTable } from "./_gram_table.ts";
import { forEachGram } from "./ngram_vector.ts";

Deno.test("GramTable: every gram's entry holds its bucket; counts as a dense count would give", () => {
  const parts = ["paypal.com/login/login", "paypal.com", "", "/login/login"];
  const t = new GramTable();
  t.hash(parts, 18);
  const buckets: number[] = [];
  parts.forEach((text, p) => text !== "" && forEachGram(text, p, (b) => buckets.push(b)));
  strictEqual(t.grams, buckets.length);
  deepStrictEqual(Array.from(t.gramEntry.subarray(0, t.grams), (e) => t.index[e]), buckets);
  const firstSeen = [...new Set(buckets)];
  deepStrictEqual(Array.from(t.index.subarray(0, t.unique)), firstSeen);
  // A second URL in the same table starts empty.
  t.hash(["ab"], 18);
  strictEqual(t.unique, t.grams);
});
