import assert from "node:assert/strict";
import { historySuite, sampleEntry } from "./history_suite.ts";
import { LocalHistory } from "./local_history.ts";

Deno.test("LocalHistory passes the history suite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await historySuite(() => Promise.resolve(new LocalHistory(`${dir}/h/predictions.jsonl`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LocalHistory skips a torn last line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/predictions.jsonl`;
    const history = new LocalHistory(path);
    await history.append(sampleEntry("a"));
    await Deno.writeTextFile(path, '{"id": "b", "ti', { append: true });
    assert.deepEqual((await history.list()).entries.map((e) => e.id), ["a"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
