import { deepStrictEqual, notDeepStrictEqual, ok } from "node:assert/strict";
import { checkUrl } from "./check_input.ts";
import { gramsOfBucket, hashParts, ngramParts, urlNgramVector } from "./ngram_vector.ts";

Deno.test("ngram vector: deterministic, unique, L2-normalised, sublinear tf", () => {
  const a = urlNgramVector(checkUrl("http://login.paypa1-secure.example.tk/verify?x=1"));
  const b = urlNgramVector(checkUrl("http://login.paypa1-secure.example.tk/verify?x=1"));
  deepStrictEqual(a, b);
  deepStrictEqual(new Set(a.index).size, a.index.length);
  ok(a.index.every((j) => j >= 0 && j < 1 << 18));
  ok(Math.abs(a.value.reduce((s, v) => s + v * v, 0) - 1) < 1e-5);
  // "aaaa": gram "a" occurs 4 times -> 1 + ln 4 before normalising; "^" once -> 1.
  const v = hashParts(["aaaa"], 18), g = gramsOfBucket(["aaaa"], v.index[0], 18);
  ok(g.length > 0);
  const raw = Array.from(v.value, (x) => x / Math.min(...v.value));
  ok(raw.some((x) => Math.abs(x - (1 + Math.log(4))) < 1e-4));
});

Deno.test("ngram vector: pinned hash values (feature definition must not drift)", () => {
  deepStrictEqual(Array.from(hashParts(["ab"], 18).index).sort((a, b) => a - b), PINNED);
});

Deno.test("ngram vector: parts are separate namespaces; registered domain apart from path", () => {
  deepStrictEqual(ngramParts(checkUrl("https://a.b.example.co.uk/P/x?q=1")), [
    "a.b.example.co.uk/p/x?q=1",
    "example.co.uk",
    "a.b",
    "/p/x?q=1",
  ]);
  notDeepStrictEqual(hashParts(["paypal", ""]).index, hashParts(["", "paypal"]).index);
  const v = hashParts(["", "", "", "/paypal"]);
  const grams = Array.from(v.index).flatMap((b) => gramsOfBucket(["", "", "", "/paypal"], b));
  ok(grams.some((g) => g.part === "path" && g.gram === "paypa"));
});
const PINNED = [13133, 83920, 91558, 125338, 130533, 166431, 170920, 183526, 230743, 240655];
