/**
 * The shared test suite every `PredictionHistory` implementation passes.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { HistoryEntry, PredictionHistory } from "./types.ts";

/** A small valid entry with the given id. */
export function sampleEntry(id: string): HistoryEntry {
  return {
    id,
    time: "2026-12-04T00:00:00.000Z",
    source: "predict",
    input: "in.csv",
    model: "threatline",
    modelVersion: "v1",
    rows: 10,
    rejects: 1,
    labels: { phishing: 3, legitimate: 7 },
    driftFlags: [],
  };
}

/**
 * Run the suite against a fresh, empty store from `open`.
 *
 * @example
 * ```ts ignore
 * import { historySuite } from "./history_suite.ts";
 * Deno.test("local", () => historySuite(() => Promise.resolve(new LocalHistory(path))));
 * ```
 */
export async function historySuite(open: () => Promise<PredictionHistory>): Promise<void> {
  const history = await open();
  try {
    assert.deepEqual(await history.list(), { entries: [], total: 0 });
    for (const id of ["a", "b", "c"]) await history.append(sampleEntry(id));
    const page = await history.list({ offset: 1, limit: 1 });
    assert.deepEqual(page.entries.map((e) => e.id), ["b"]);
    assert.equal(page.total, 3);
    assert.deepEqual((await history.list()).entries[0], sampleEntry("c"));
    await assert.rejects(() => history.list({ limit: -1 }), RangeError);
  } finally {
    await history.close();
  }
  const reopened = await open();
  try {
    assert.equal((await reopened.list()).total, 3, "entries survive a reopen");
    assert.equal(await reopened.clear(), 3);
    assert.equal((await reopened.list()).total, 0);
  } finally {
    await reopened.close();
  }
}
