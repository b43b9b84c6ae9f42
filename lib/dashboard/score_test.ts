// The Score page on a multiclass release: the form and the upload (CSV and
// JSON Lines) carry the class model's class and probability, as /v1/predict.
import assert from "node:assert/strict";
import { nullLogger } from "../log.ts";
import { csvRows } from "../scoring/_testing.ts";
import { loadServedModel } from "../serve/classes.ts";
import { writeMulticlassRelease } from "../serve/_testing.ts";
import { explainRecord, scoreUpload } from "./score.ts";

const r = await writeMulticlassRelease();
const multi = await loadServedModel(`${r.dir}/multi`, { log: nullLogger });
const binary = await loadServedModel(`${r.dir}/binary`, { log: nullLogger });
const [header, ...rows] = csvRows(r.csv);
const col = (row: string[], name: string) => row[header.indexOf(name)];
const wantClass = (i: number) => r.names[r.want.classes[i]];

globalThis.addEventListener("unload", () => {
  multi.dispose();
  binary.dispose();
  Deno.removeSync(r.dir, { recursive: true });
});

Deno.test("score page: a multiclass release adds the class to the form and the upload", () => {
  const i = rows.findIndex((row) => col(row, "bytes") !== "" && col(row, "proto") !== "");
  const record = {
    id: Number(col(rows[i], "id")),
    bytes: Number(col(rows[i], "bytes")),
    proto: col(rows[i], "proto"),
    svc: col(rows[i], "svc"),
    tri: Number(col(rows[i], "tri")),
    flag: col(rows[i], "flag") === "true",
  };
  const form = explainRecord(multi, record);
  assert.equal(form.class, wantClass(i));
  assert.equal(form.class_probability, r.want.probabilities[i]);
  assert.equal(explainRecord(binary, record).class, undefined);

  const up = scoreUpload(multi, { text: r.csv, format: "csv", maxRecords: 1000 });
  assert.equal(up.rejects.length, 0);
  assert.deepEqual(up.rows.map((x) => x.class), rows.map((_, k) => wantClass(k)));
  const [head, first] = csvRows(up.csv);
  assert.deepEqual(head, ["line", "id", "probability", "label", "class", "class_probability"]);
  assert.equal(first[4], wantClass(0));
  assert.equal(first[5], r.want.probabilities[0].toFixed(6));

  const jsonl = JSON.stringify(record) + "\n" + "not json\n" + JSON.stringify(record) + "\n";
  const j = scoreUpload(multi, { text: jsonl, format: "jsonl", maxRecords: 10 });
  assert.deepEqual(j.rejects.map((x) => x.line), [2]);
  assert.deepEqual(j.rows.map((x) => [x.line, x.class]), [[1, wantClass(i)], [3, wantClass(i)]]);

  const plain = scoreUpload(binary, { text: r.csv, format: "csv", maxRecords: 1000 });
  assert.deepEqual(csvRows(plain.csv)[0], ["line", "id", "probability", "label"]);
});
