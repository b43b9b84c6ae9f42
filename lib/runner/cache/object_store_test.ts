import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { hashBytes } from "./hash.ts";
import { parseRunEntry, type RunEntry } from "./object_store.ts";

const entry: RunEntry = {
  signature: hashBytes("sig"),
  stage: "train",
  outs: [{ path: "m", hash: hashBytes("m"), size: 1, nfiles: undefined, cache: true }],
  createdAt: "2026-01-01T00:00:00.000Z",
};

Deno.test("parseRunEntry accepts a well-formed entry and drops unknown fields", () => {
  const parsed = parseRunEntry({ ...JSON.parse(JSON.stringify(entry)), extra: 1 });
  deepStrictEqual(parsed, JSON.parse(JSON.stringify(entry)));
});

Deno.test("parseRunEntry rejects malformed entries", () => {
  strictEqual(parseRunEntry(null), undefined);
  strictEqual(parseRunEntry({ ...entry, signature: "../x" }), undefined);
  strictEqual(parseRunEntry({ ...entry, outs: [{ path: "m" }] }), undefined);
  strictEqual(parseRunEntry({ ...entry, outs: [{ ...entry.outs[0], hash: "zz" }] }), undefined);
  strictEqual(parseRunEntry({ ...entry, createdAt: 5 }), undefined);
});
