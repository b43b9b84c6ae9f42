import assert from "node:assert/strict";
import { csvRows, phishingCsv, phishingRelease } from "./_testing.ts";
import { recordsDrift } from "./records_drift.ts";
import { loadScorer } from "./scorer.ts";
import { memoryLogger } from "../log.ts";

Deno.test("recordsDrift: the training rows do not drift, a shifted column does", async () => {
  const dir = await phishingRelease();
  const scorer = await loadScorer(`${dir}/model`, { use: "single", log: memoryLogger() });
  try {
    const [header, ...rows] = csvRows(await phishingCsv(300));
    const records = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    const same = recordsDrift(scorer.preprocess, records);
    assert.equal(same.tested, true);
    assert.deepEqual(same.drifted, []);
    assert.equal(same.columns.length, scorer.preprocess.encoders.length);
    const shifted = recordsDrift(
      scorer.preprocess,
      records.map((r) => ({ ...r, having_ip_address: "-1" })),
    );
    assert.deepEqual(shifted.drifted, ["having_ip_address"]);
    assert.deepEqual(recordsDrift(scorer.preprocess, []), {
      tested: false,
      drifted: [],
      columns: [],
    });
  } finally {
    scorer.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
