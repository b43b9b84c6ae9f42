import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { MIXED_SCHEMA, schemaFrom, tableFrom } from "../learn/_testing.ts";
import {
  checkIds,
  classBalance,
  duplicateSummary,
  featureGroups,
  featureOverlap,
  missingCounts,
  violationCollector,
} from "./data_checks.ts";

const schema = schemaFrom(MIXED_SCHEMA);
const H = "id,bytes,proto,svc,tri,flag,label\n";
const CSV = H +
  "1,1,tcp,a,0,1,normal\n" + // line 2
  "2,1,tcp,a,0,1,normal\n" + // 3: duplicate of 2 (ids differ)
  "3,1,tcp,a,0,1,smurf\n" + // 4: same features, other class: conflict
  "4,,udp,b,1,0,normal\n" + // 5
  "4,2,udp,b,1,0,normal\n"; // 6: duplicate id

Deno.test("duplicateSummary: duplicates ignore the id; conflicts need both classes", async () => {
  const t = await tableFrom(CSV, schema);
  const d = duplicateSummary(t, schema, 5);
  deepStrictEqual(
    [d.duplicateRows, d.distinctFeatureVectors, d.conflictGroups, d.conflictRows],
    [1, 3, 1, 3],
  );
  deepStrictEqual(d.duplicateExamples, [[2, 3]]);
  deepStrictEqual(d.conflictExamples, [[2, 3, 4]]);
  strictEqual(d.duplicateFraction, 0.2);
});

Deno.test("checkIds, classBalance, missingCounts", async () => {
  const t = await tableFrom(CSV, schema);
  const c = violationCollector(5);
  checkIds(t, schema, c.add);
  deepStrictEqual(c.list().map((v) => [v.column, v.rule, v.examples]), [
    ["id", "duplicate_id", [{ line: 6, value: "4" }]],
  ]);
  deepStrictEqual(classBalance(t, schema), {
    threat: 1,
    benign: 4,
    threatFraction: 0.2,
    labels: { normal: 4, smurf: 1 },
  });
  deepStrictEqual(missingCounts(t), { bytes: 1 });
});

Deno.test("featureOverlap counts test rows whose features occur in train", async () => {
  const train = await tableFrom(CSV, schema);
  const test = await tableFrom(H + "9,1,tcp,a,0,1,normal\n9,5,tcp,a,0,1,normal\n", schema);
  deepStrictEqual(featureOverlap(train, test, schema), { testRows: 2, inTrain: 1, fraction: 0.5 });
});

Deno.test("featureGroups: identical feature vectors share a group id", async () => {
  deepStrictEqual([...featureGroups(await tableFrom(CSV, schema), schema)], [0, 0, 0, 1, 2]);
});
