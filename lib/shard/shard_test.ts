import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { fnv1a, inShard, outputKey, parseShard, shardFromIndex } from "./mod.ts";
import { shardOf } from "../../tasks/_predict_s3.ts";

Deno.test("parseShard: I/N, and a clear error otherwise", () => {
  deepStrictEqual(parseShard("0/1"), { index: 0, count: 1 });
  deepStrictEqual(parseShard(" 3/4 "), { index: 3, count: 4 });
  for (const bad of ["4/4", "1", "-1/2", "a/b", "0/0", "1/2/3", ""]) {
    throws(() => parseShard(bad), (e) => e instanceof ConfigError && /I\/N/.test(e.message), bad);
  }
});

Deno.test("shardFromIndex and shardOf: Indexed Job variables and flags", () => {
  strictEqual(shardFromIndex(undefined, "3"), undefined);
  deepStrictEqual(shardFromIndex("2", "3"), { index: 2, count: 3 });
  throws(() => shardFromIndex("1", undefined), /shard count is not/);
  throws(() => shardFromIndex("3", "3"), /I\/N/);
  deepStrictEqual(shardOf({ shard: "1/2" }, {}), { index: 1, count: 2 });
  deepStrictEqual(shardOf({ shards: "4" }, { JOB_COMPLETION_INDEX: "3" }), { index: 3, count: 4 });
  deepStrictEqual(shardOf({}, { JOB_COMPLETION_INDEX: "0", THREATLINE_SHARDS: "2" }), {
    index: 0,
    count: 2,
  });
  strictEqual(shardOf({}, {}), undefined);
  throws(() => shardOf({ shard: "0/2", shards: "2" }, {}), /not both/);
  throws(() => shardOf({ shards: "2" }, {}), /needs JOB_COMPLETION_INDEX/);
});

Deno.test("inShard: every key in exactly one shard, stable, spread out", () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `in/day-${i % 7}/part-${i}.csv`);
  for (const count of [1, 2, 3, 4, 7]) {
    const sizes = new Array(count).fill(0);
    for (const key of keys) {
      const owners = [...Array(count).keys()].filter((index) => inShard(key, { index, count }));
      strictEqual(owners.length, 1, key);
      sizes[owners[0]]++;
    }
    // FNV-1a spreads keys: no shard is empty or holds more than twice its share.
    for (const n of sizes) strictEqual(n > 0 && n < (2 * keys.length) / count, true, `${sizes}`);
  }
  strictEqual(fnv1a("a"), 0xe40c292c); // the published FNV-1a test vector
});

Deno.test("outputKey: below the output prefix, named after the input key", () => {
  strictEqual(outputKey("in/a/b.csv", "in/", "out/", "csv"), "out/a/b.csv.predictions.csv");
  strictEqual(outputKey("x.jsonl.gz", "", "o/", "jsonl"), "o/x.jsonl.gz.predictions.jsonl");
});
