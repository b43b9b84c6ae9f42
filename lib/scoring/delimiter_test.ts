// predict splits CSV input at the model's delimiter (preprocess.json's
// `input.delimiter`, from `ingest.delimiter`), on the fast path, the quoted
// (reference) path and in workers; a wrong delimiter is a DataError.
import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import { ConfigError, DataError } from "../errors.ts";
import { inputDelimiter, predictBatch } from "./batch.ts";
import { loadScorer, type Scorer } from "./scorer.ts";
import { csvRows, mixedCsv, mixedSchema, writeTinyRelease } from "./_testing.ts";

const input = (delimiter: string) => ({
  header: true,
  columns: ["id", "bytes", "proto", "svc", "tri", "flag", "label", "level"],
  delimiter,
  na_values: ["?"],
  drop: ["level"],
  target: "label",
});

const TRAIN = mixedCsv(300, { seed: 1, withDropped: true });

let dir: Promise<string> | undefined;
const scorers = new Map<string, Promise<Scorer>>();
function model(delimiter: string): Promise<Scorer> {
  dir ??= Deno.makeTempDir({ prefix: "predict_delimiter_" });
  let s = scorers.get(delimiter);
  if (!s) {
    s = (async () => {
      const at = `${await dir}/model_${delimiter.charCodeAt(0)}`;
      await writeTinyRelease({
        dir: at,
        schema: mixedSchema(),
        csv: TRAIN,
        input: input(delimiter),
      });
      return loadScorer(at, { use: "batch" });
    })();
    scorers.set(delimiter, s);
  }
  return s;
}

/**
 * The raw file in `d`-separated form: every `level` (a dropped column) holds
 * the delimiter inside quotes, every 3rd `proto` is quoted, so both the fast
 * path and the quoted path are taken; blank and CRLF lines included.
 */
function rawFile(d: string, header = true): string {
  const [head, ...rows] = csvRows(mixedCsv(60, { seed: 7, withDropped: true }));
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const lines = rows.map((r, i) => {
    const f = r.slice();
    f[7] = q(`lvl${d}${f[7]}`);
    if (i % 3 === 0) f[2] = q(f[2]);
    return f.join(d) + (i % 5 === 0 ? "\r\n" : "\n") + (i === 10 ? "\n" : "");
  });
  return (header ? head.join(d) + "\n" : "") + lines.join("");
}

async function score(o: { scorer: Scorer; name: string; text: string; delimiter?: string }) {
  const base = await dir!;
  await Deno.writeTextFile(`${base}/${o.name}`, o.text);
  const runs = [];
  for (const [workers, chunkBytes] of [[0, 1 << 20], [1, 512]]) {
    const out = `${base}/${o.name}.${workers}.out.csv`;
    const s = await predictBatch({
      scorer: o.scorer,
      inputs: [`${base}/${o.name}`],
      out,
      workers,
      chunkBytes,
      delimiter: o.delimiter,
    });
    runs.push({ s, text: await Deno.readTextFile(out) });
  }
  strictEqual(runs[1].text, runs[0].text, "workers and chunking change nothing");
  const [outHeader, ...rows] = csvRows(runs[0].text);
  return { s: runs[0].s, outHeader, probabilities: rows.map((r) => r[1]) };
}

Deno.test("predict: a ';' and a tab model score their own raw files like the comma model", async () => {
  const comma = await score({ scorer: await model(","), name: "c.csv", text: rawFile(",") });
  deepStrictEqual([comma.s.rows, comma.s.scored, comma.s.rejected], [60, 60, 0]);
  for (const d of [";", "\t"]) {
    const name = d === ";" ? "semi.csv" : "tab.tsv";
    const r = await score({ scorer: await model(d), name, text: rawFile(d) });
    deepStrictEqual([r.s.rows, r.s.scored, r.s.rejected], [60, 60, 0], name);
    deepStrictEqual(r.probabilities, comma.probabilities, name);
    // The output is comma CSV whatever the input's delimiter.
    deepStrictEqual(r.outHeader, ["id", "probability", "label", "model_version"]);
  }
});

Deno.test("predict: --delimiter overrides the model's", async () => {
  const comma = await score({ scorer: await model(","), name: "c2.csv", text: rawFile(",") });
  const r = await score({
    scorer: await model(";"),
    name: "c_for_semi.csv",
    text: rawFile(","),
    delimiter: ",",
  });
  strictEqual(r.s.rejected, 0);
  deepStrictEqual(r.probabilities, comma.probabilities);
});

Deno.test("predict: a file in another delimiter than the model's is a DataError naming file and line", async () => {
  const scorer = await model(";");
  for (
    const [name, text] of [["wrong.csv", rawFile(",")], ["wrong_bare.csv", rawFile(",", false)]]
  ) {
    await rejects(() => score({ scorer, name, text }), (err) => {
      ok(err instanceof DataError, String(err));
      ok(err.message.includes("a single field when split at ';'"), err.message);
      ok(err.message.includes("looks ','-separated"), err.message);
      ok(err.where.file?.endsWith(name));
      strictEqual(err.where.line, 1);
      ok(err.hint?.includes("--delimiter"), err.hint);
      strictEqual(err.exitCode, 3);
      return true;
    });
  }
  // One field and no other separator in sight: the header check's message.
  await rejects(() => score({ scorer, name: "one.csv", text: "bytes\n1\n" }), (err) => {
    ok(err instanceof DataError);
    ok(err.message.startsWith("wrong header: missing column(s)"), err.message);
    return true;
  });
  const tab = await model("\t");
  await rejects(() => score({ scorer: tab, name: "wrong_tab.csv", text: rawFile(";") }), (err) => {
    ok(err instanceof DataError);
    ok(err.message.includes("split at tab; it looks ';'-separated"), err.message);
    return true;
  });
});

Deno.test("inputDelimiter: one ASCII character other than a quote or line end", () => {
  deepStrictEqual([",", ";", "\t", "|"].map(inputDelimiter), [",", ";", "\t", "|"]);
  for (const bad of ["", ";;", '"', "\n", "\r", "¦"]) {
    throws(() => inputDelimiter(bad), ConfigError, JSON.stringify(bad));
  }
});

Deno.test("predict: cleanup", async () => {
  for (const s of scorers.values()) (await s).dispose();
  if (dir) await Deno.remove(await dir, { recursive: true });
});
