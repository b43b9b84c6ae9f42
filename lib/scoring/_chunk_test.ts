import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { csvField, parseCsv } from "../data/csv.ts";
import { rowEncoder } from "../learn/preprocess.ts";
import { createRng } from "../rng.ts";
import { ChunkScorer } from "./_chunk.ts";
import { scanRecords } from "./_records.ts";
import { loadScorer, type Scorer } from "./scorer.ts";
import { mixedCsv, mixedSchema, writeTinyRelease } from "./_testing.ts";

const VALUES: Record<string, string[]> = {
  id: ["1", "22", "333"],
  bytes: ["", "0", "12.5", "1e3", "-1", "x", '"7"', "４"],
  proto: ["tcp", "udp", "icmp", "", "sctp", '"tcp"', "Tcp"],
  svc: ["http", "a,b", '"a,b"', '"q""uote"', "ünï", "a-very-long-service-name-here", ""],
  tri: ["-1", "0", "1", "2", "1.0", " 1"],
  flag: ["true", "false", "1", "0", "yes", "maybe", ""],
  label: ["normal", "neptune"],
};

Deno.test("the fast path and the reference path agree on every row, valid or not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTinyRelease({
      dir: `${dir}/model`,
      schema: mixedSchema(),
      csv: mixedCsv(200, { seed: 1, withDropped: true }),
    });
    const scorer = await loadScorer(`${dir}/model`, { use: "batch" });
    // The same with a ';' and a tab as the delimiter (values with a comma get it instead).
    for (const d of [",", ";", "\t"]) agree(scorer, d);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Score random rows separated by `d` with the chunk scorer and with the reference path. */
function agree(scorer: Scorer, d: string): void {
  const header = ["label", "tri", "svc", "id", "bytes", "proto", "flag"];
  const rng = createRng(5);
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const fields = header.map((h) => VALUES[h][rng.int(VALUES[h].length)].replaceAll(",", d));
    if (rng.int(50) === 0) fields.pop(); // a field short
    if (rng.int(50) === 0) fields.push("1"); // a field too many
    lines.push(fields.join(d));
  }
  const body = new TextEncoder().encode(lines.join("\n") + "\n");
  // Reference: CsvParser + rowEncoder, row by row.
  const enc = rowEncoder(scorer.preprocess, header, { allowUnknown: true });
  const want: string[] = [];
  const wantRejects: number[] = [];
  lines.forEach((line, i) => {
    try {
      const row = parseCsv(line, { delimiter: d }).rows[0];
      if (row.length !== header.length) throw new DataError("field count");
      const x = new Float32Array(scorer.preprocess.width);
      enc.encode(row, x, 0);
      const p = scorer.predictProba(x, 1)[0];
      want.push(`${csvField(row[3])},${p.toFixed(6)},${p >= scorer.threshold ? 1 : 0}`);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      wantRejects.push(i + 1);
    }
  });
  const cs = new ChunkScorer(scorer, { output: "csv", useId: true });
  cs.setInput({ file: "t.csv", format: "csv", header, delimiter: d });
  const scan = scanRecords(body, 0, body.length, true, d.charCodeAt(0));
  const r = cs.process({ seq: 0, bytes: body, startRow: 1, startLine: 2, records: scan.records });
  const got = new TextDecoder().decode(r.output).trimEnd().split("\n")
    .map((l) => l.slice(0, l.lastIndexOf(",")));
  deepStrictEqual(r.rejects.map((j) => j.row), wantRejects, JSON.stringify(d));
  strictEqual(got.length, want.length);
  deepStrictEqual(got, want);
  // Counts for drift cover exactly the scored rows.
  const state = cs.drift();
  const tri = [...state.counts.get("tri")!.values()].reduce((a, b) => a + b, 0);
  strictEqual(tri, want.length);
}
