// predict accepts the files the model was trained from (preprocess.json's
// `input`): header-less rows, source-only and label columns, missing-value
// tokens; empty, blank-only and header-only inputs are clear data errors.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { predictBatch } from "./batch.ts";
import { loadScorer, type Scorer } from "./scorer.ts";
import { csvRows, mixedCsv, mixedSchema, writeTinyRelease } from "./_testing.ts";

const INPUT = {
  header: false,
  columns: ["id", "bytes", "proto", "svc", "tri", "flag", "label", "level"],
  delimiter: ",",
  na_values: ["?"],
  drop: ["level"],
  target: "label",
};

let shared: Promise<{ dir: string; scorer: Scorer }> | undefined;
function release() {
  shared ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "source_format_" });
    await writeTinyRelease({
      dir: `${dir}/model`,
      schema: mixedSchema(),
      csv: mixedCsv(300, { seed: 1, withDropped: true }),
      input: INPUT,
    });
    return { dir, scorer: await loadScorer(`${dir}/model`, { use: "batch" }) };
  })();
  return shared;
}

async function score(name: string, text: string) {
  const { dir, scorer } = await release();
  await Deno.writeTextFile(`${dir}/${name}`, text);
  const s = await predictBatch({
    scorer,
    inputs: [`${dir}/${name}`],
    out: `${dir}/${name}.out.csv`,
    workers: 0,
  });
  const [, ...rows] = csvRows(await Deno.readTextFile(`${dir}/${name}.out.csv`));
  return { s, probabilities: rows.map((r) => r[1]) };
}

Deno.test("predict: header-less source rows with the drop and label columns score like the header form", async () => {
  const csv = mixedCsv(50, { seed: 4, withDropped: true });
  const withHeader = await score("h.csv", csv);
  strictEqual(withHeader.s.scored, 50);
  const bare = await score("bare.csv", csv.slice(csv.indexOf("\n") + 1));
  deepStrictEqual([bare.s.rows, bare.s.scored, bare.s.rejected], [50, 50, 0]);
  deepStrictEqual(bare.probabilities, withHeader.probabilities);
});

Deno.test("predict: the model's missing-value token reads as missing", async () => {
  const csv = mixedCsv(20, { seed: 5, withDropped: true });
  const [header, ...rows] = csvRows(csv);
  const blank = rows.map((r) => [r[0], "", "", ...r.slice(3)].join(","));
  const token = rows.map((r) => [r[0], "?", "?", ...r.slice(3)].join(","));
  const a = await score("blank.csv", [header.join(","), ...blank].join("\n") + "\n");
  const b = await score("token.csv", [header.join(","), ...token].join("\n") + "\n");
  strictEqual(b.s.rejected, 0);
  deepStrictEqual(b.probabilities, a.probabilities);
});

Deno.test("predict: empty, blank-only and header-only inputs are DataErrors (exit 3)", async () => {
  for (
    const [name, text, says] of [
      ["empty.csv", "", "the input is empty (0 bytes)"],
      ["blank_only.csv", "\n\r\n\n", "the input holds only blank lines"],
      [
        "header.csv",
        "id,bytes,proto,svc,tri,flag\n",
        "no data rows: the input holds a header row only",
      ],
    ]
  ) {
    await rejects(() => score(name, text), (err) => {
      ok(err instanceof DataError, String(err));
      ok(err.message.includes(says), err.message);
      ok(err.where.file?.endsWith(name));
      strictEqual(err.exitCode, 3);
      return true;
    });
  }
  const { dir } = await release();
  for (const name of ["empty.csv", "blank_only.csv", "header.csv"]) {
    ok(!(await Deno.stat(`${dir}/${name}.out.csv`).then(() => true, () => false)), name);
  }
});
