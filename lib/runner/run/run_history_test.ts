import assert from "node:assert/strict";
import { appendRunRecord, readRunHistory, runHistoryPath, type RunRecord } from "./run_history.ts";

function record(id: string): RunRecord {
  return {
    id,
    kind: "repro",
    started: "2026-12-04T00:00:00.000Z",
    ended: "2026-12-04T00:00:01.000Z",
    seconds: 1,
    outcome: "ok",
    args: [],
    changedParams: {},
    metrics: { "artifacts/metrics.json": { accuracy: 0.9 } },
    models: {},
    stages: [{ name: "train", outcome: "ran", seconds: 1 }],
  };
}

Deno.test("run history: appended runs come back newest first, paged; a torn line is skipped", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await readRunHistory(dir), { runs: [], total: 0, skipped: 0 });
    for (const id of ["a", "b", "c"]) await appendRunRecord(dir, record(id));
    await Deno.writeTextFile(runHistoryPath(dir), '{"id": "torn', { append: true });
    const page = await readRunHistory(dir, { offset: 1, limit: 1 });
    assert.deepEqual(page.runs.map((r) => r.id), ["b"]);
    assert.equal(page.total, 3);
    assert.equal(page.skipped, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
