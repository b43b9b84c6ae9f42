import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import { loadReleasedModel } from "../learn/model_io.ts";
import { transformRows } from "../learn/preprocess.ts";
import { predictBatch, type PredictOptions, reportBase } from "./batch.ts";
import { loadScorer, type Scorer } from "./scorer.ts";
import {
  csvRows,
  mixedCsv,
  mixedSchema,
  phishingCsv,
  phishingRelease,
  writeTinyRelease,
} from "./_testing.ts";

let shared: Promise<{ dir: string; scorer: Scorer }> | undefined;
/** One tiny phishing release for the whole file. */
function release() {
  shared ??= (async () => {
    const dir = await phishingRelease();
    return { dir, scorer: await loadScorer(`${dir}/model`, { use: "batch" }) };
  })();
  return shared;
}

async function run(o: Omit<PredictOptions, "scorer"> & { scorer?: Scorer }) {
  const { scorer } = await release();
  return predictBatch({ scorer, workers: 0, ...o });
}

const read = (path: string) => Deno.readTextFile(path);

Deno.test("scores equal the model's predictProba, in input order, for 0, 1 and 2 workers", async () => {
  const { dir, scorer } = await release();
  const csv = await phishingCsv(700, 300);
  await Deno.writeTextFile(`${dir}/in.csv`, csv);
  const outs: string[] = [];
  for (const [workers, chunkBytes] of [[0, 1 << 20], [1, 4096], [2, 700]]) {
    const s = await run({
      inputs: [`${dir}/in.csv`],
      out: `${dir}/w${workers}.csv`,
      workers,
      chunkBytes,
    });
    deepStrictEqual([s.rows, s.scored, s.rejected, s.workers], [700, 700, 0, workers]);
    outs.push(await read(`${dir}/w${workers}.csv`));
  }
  strictEqual(outs[1], outs[0]);
  strictEqual(outs[2], outs[0]);
  const [header, ...rows] = csvRows(csv);
  const x = transformRows(scorer.preprocess, header, rows);
  const p = scorer.predictProba(x, rows.length);
  const reference = await loadReleasedModel(`${dir}/model`, { backend: "cpu" });
  const tfjs = reference.predictProba(x, rows.length);
  reference.dispose();
  const [outHeader, ...out] = csvRows(outs[0]);
  deepStrictEqual(outHeader, ["row", "probability", "label", "model_version"]);
  out.forEach((r, i) => {
    deepStrictEqual(r, [
      String(i + 1),
      p[i].toFixed(6),
      p[i] >= scorer.threshold ? "1" : "0",
      scorer.version,
    ]);
    ok(Math.abs(Number(r[1]) - tfjs[i]) <= 1e-6 + 5e-7, `row ${i + 1}: ${r[1]} vs ${tfjs[i]}`);
  });
});

Deno.test("bad rows go to the rejects file with row, line and reason; the rest is scored", async () => {
  const { dir } = await release();
  const lines = (await phishingCsv(12)).trimEnd().split("\n");
  const bad = [...lines];
  bad[2] = bad[2].replace(/^[^,]+/, "7"); // row 2: out of domain
  bad[4] = bad[4].replace(/^[^,]+/, "x"); // row 4: not a number
  bad[5] = bad[5].replace(/,[^,]+$/, ""); // row 5: a field short
  bad[6] = bad[6] + ",1"; // row 6: a field too many
  bad[7] = bad[7].replace(/^[^,]+/, '"1"'); // row 7: quoted, valid
  bad[8] = bad[8].replace(/^[^,]+/, '"1,2"'); // row 8: quoted, invalid
  const text = bad[0] + "\n" + bad.slice(1, 9).join("\r\n") + "\n\n" + bad.slice(9).join("\n");
  await Deno.writeTextFile(`${dir}/bad.csv`, text);
  const log = memoryLogger();
  for (const workers of [0, 2]) {
    const s = await run({
      inputs: [`${dir}/bad.csv`],
      out: `${dir}/bad_${workers}.csv`,
      workers,
      log,
      chunkBytes: 300,
    });
    deepStrictEqual([s.rows, s.scored, s.rejected], [12, 7, 5]);
    strictEqual(s.rejectsFile, `${dir}/bad_${workers}.rejects.csv`);
    const [h, ...rej] = csvRows(await read(s.rejectsFile));
    deepStrictEqual(h, ["row", "line", "file", "reason", "record"]);
    deepStrictEqual(rej.map((r) => [r[0], r[1]]), [["2", "3"], ["4", "5"], ["5", "6"], ["6", "7"], [
      "8",
      "9",
    ]]);
    ok(/field 'having_ip_address' '7' is outside \{-1, 1\}/.test(rej[0][3]), rej[0][3]);
    ok(/'x' is not an integer/.test(rej[1][3]), rej[1][3]);
    ok(/30 fields, the header 31/.test(rej[2][3]), rej[2][3]);
    ok(/32 fields, the header 31/.test(rej[3][3]), rej[3][3]);
    ok(/'1,2' is not an integer/.test(rej[4][3]), rej[4][3]);
    strictEqual(rej[0][2], `${dir}/bad.csv`);
    strictEqual(rej[0][4], bad[2]);
    const out = csvRows(await read(`${dir}/bad_${workers}.csv`)).slice(1);
    deepStrictEqual(out.map((r) => r[0]), ["1", "3", "7", "9", "10", "11", "12"]);
  }
});

Deno.test("a wrong header fails at once, naming missing and unexpected columns; nothing is written", async () => {
  const { dir } = await release();
  const csv = (await phishingCsv(5)).replace("url_length", "url_len").replace("sfh,", "");
  await Deno.writeTextFile(`${dir}/wrong.csv`, csv);
  await rejects(run({ inputs: [`${dir}/wrong.csv`], out: `${dir}/wrong_out.csv` }), (e) => {
    ok(e instanceof DataError);
    ok(
      /missing column\(s\) 'url_length', 'sfh'; unexpected column\(s\) 'url_len'/.test(e.message),
      e.message,
    );
    deepStrictEqual([e.where.file, e.where.line], [`${dir}/wrong.csv`, 1]);
    return true;
  });
  await rejects(Deno.stat(`${dir}/wrong_out.csv`), Deno.errors.NotFound);
  await rejects(Deno.stat(`${dir}/wrong_out.rejects.csv`), Deno.errors.NotFound);
});

Deno.test("gzip, JSON Lines in and out, stdin and stdout, several inputs numbered across", async () => {
  const { dir } = await release();
  const csv = await phishingCsv(40);
  const gz = new Blob([csv]).stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(`${dir}/g.csv.gz`, gz);
  await Deno.writeTextFile(`${dir}/plain.csv`, csv);
  await run({ inputs: [`${dir}/plain.csv`], out: `${dir}/plain_out.csv` });
  const plain = await read(`${dir}/plain_out.csv`);
  await run({ inputs: [`${dir}/g.csv.gz`], out: `${dir}/g_out.csv` });
  strictEqual(await read(`${dir}/g_out.csv`), plain);
  // JSON Lines in (native numbers, one blank line), JSON Lines out.
  const [header, ...rows] = csvRows(csv);
  const jsonl = rows.map((r) =>
    JSON.stringify(Object.fromEntries(header.map((h, i) => [h, Number(r[i])])))
  );
  jsonl.splice(3, 0, "  ");
  await Deno.writeTextFile(`${dir}/in.jsonl`, jsonl.join("\n") + "\n");
  const s = await run({ inputs: [`${dir}/in.jsonl`], out: `${dir}/out.jsonl`, workers: 2 });
  strictEqual(s.scored, 40);
  const fromJson = (await read(`${dir}/out.jsonl`)).trimEnd().split("\n").map((l) => JSON.parse(l));
  const fromCsv = csvRows(plain).slice(1);
  deepStrictEqual(
    fromJson.map((
      o,
    ) => [String(o.row), o.probability.toFixed(6), String(o.label), o.model_version]),
    fromCsv,
  );
  // stdin (JSON Lines) to stdout.
  const chunks: Uint8Array[] = [];
  await run({
    inputs: ["-"],
    format: "jsonl",
    out: "-",
    stdin: new Blob([jsonl.join("\n")]).stream(),
    stdout: new WritableStream({ write: (c) => void chunks.push(c) }),
  });
  strictEqual(chunks.map((c) => new TextDecoder().decode(c)).join(""), plain);
  // Two inputs: rows numbered across them.
  const two = await run({ inputs: [`${dir}/plain.csv`, `${dir}/g.csv.gz`], out: `${dir}/two.csv` });
  strictEqual(two.rows, 80);
  deepStrictEqual(csvRows(await read(`${dir}/two.csv`)).slice(1).map((r) => r[0]).slice(38, 42), [
    "39",
    "40",
    "41",
    "42",
  ]);
  strictEqual(reportBase("-"), "predictions");
  await Deno.remove("predictions.rejects.csv").catch(() => {});
  await Deno.remove("predictions.drift.json").catch(() => {});
  await Deno.remove("predictions.drift.md").catch(() => {});
});

Deno.test("id column, absent nullable column, numeric drift detected on shifted data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTinyRelease({
      dir: `${dir}/model`,
      schema: mixedSchema(),
      csv: mixedCsv(400, { seed: 1, withDropped: true }),
    });
    const scorer = await loadScorer(`${dir}/model`, { use: "batch" });
    // Same distribution, without the nullable 'proto' column.
    const same = mixedCsv(3000, { seed: 2, firstId: 1001 }).replace(/^/, "");
    const noProto = csvRows(same).map((r) => [...r.slice(0, 2), ...r.slice(3)].join(",")).join(
      "\n",
    );
    await Deno.writeTextFile(`${dir}/same.csv`, noProto + "\n");
    const a = await predictBatch({
      scorer,
      inputs: [`${dir}/same.csv`],
      out: `${dir}/a.csv`,
      workers: 2,
      chunkBytes: 2000,
    });
    deepStrictEqual([a.scored, a.rejected, a.drifted.includes("bytes")], [3000, 0, false]);
    const out = csvRows(await read(`${dir}/a.csv`));
    deepStrictEqual(out[0], ["id", "probability", "label", "model_version"]);
    deepStrictEqual(out.slice(1, 3).map((r) => r[0]), ["1001", "1002"]);
    const report = JSON.parse(await read(`${dir}/a.drift.json`));
    deepStrictEqual(report.columns.map((c: { column: string }) => c.column), [
      "bytes",
      "proto",
      "svc",
      "tri",
      "flag",
    ]);
    strictEqual(report.columns[0].test, "ks");
    // bytes three times larger: KS and PSI both see it.
    await Deno.writeTextFile(`${dir}/shifted.csv`, mixedCsv(3000, { seed: 3, bytesScale: 3 }));
    const b = await predictBatch({
      scorer,
      inputs: [`${dir}/shifted.csv`],
      out: `${dir}/b.csv`,
      workers: 0,
    });
    ok(b.drifted.includes("bytes"), JSON.stringify(b.drifted));
    ok((await read(`${dir}/b.drift.md`)).includes("| bytes | ks |"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a tree release scores the same in workers as in this thread", async () => {
  const dir = await phishingRelease({
    config: {
      family: "extra_trees",
      nEstimators: 15,
      maxFeatures: 0.5,
      minSamplesLeaf: 3,
      maxDepth: 0,
      maxBins: 16,
    },
  });
  try {
    const scorer = await loadScorer(`${dir}/model`, { use: "batch" });
    strictEqual(scorer.engine, "trees-js");
    await Deno.writeTextFile(`${dir}/in.csv`, await phishingCsv(400, 300));
    const outs: string[] = [];
    for (const workers of [0, 2]) {
      const out = `${dir}/t${workers}.csv`;
      const s = await predictBatch({
        scorer,
        inputs: [`${dir}/in.csv`],
        out,
        workers,
        chunkBytes: 2048,
      });
      strictEqual(s.scored, 400);
      outs.push(await read(out));
    }
    strictEqual(outs[1], outs[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cleanup of the shared release", async () => {
  const { dir } = await release();
  await Deno.remove(dir, { recursive: true });
});
