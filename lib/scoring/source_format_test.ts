// predict accepts the files the model was trained from (preprocess.json's
// `input`): header-less rows, source-only and label columns, missing-value
// tokens; empty, blank-only and header-only inputs are clear data errors.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { compileClasses, fitOneVsRest } from "../learn/multiclass.ts";
import { transformRows } from "../learn/preprocess.ts";
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

Deno.test("predict: a model folder with a class model adds class and class_probability", async () => {
  const dir = await Deno.makeTempDir({ prefix: "predict_classes_" });
  try {
    const csv = mixedCsv(300, { seed: 1, withDropped: true });
    await writeTinyRelease({ dir: `${dir}/model`, schema: mixedSchema(), csv, input: INPUT });
    const scorer = await loadScorer(`${dir}/model`, { use: "batch" });
    const [header, ...rows] = csvRows(csv);
    const x = transformRows(scorer.preprocess, header, rows, { allowUnknown: true });
    const label = header.indexOf("label");
    const model = fitOneVsRest({
      config: {
        family: "gbdt",
        learningRate: 0.3,
        maxIter: 20,
        maxLeafNodes: 8,
        maxDepth: 0,
        minSamplesLeaf: 5,
        l2: 0,
        nIterNoChange: 5,
        maxBins: 64,
      },
      train: {
        rows: rows.length,
        cols: scorer.preprocess.width,
        columns: [],
        data: x,
        labels: new Uint8Array(rows.length),
      },
      classes: Int32Array.from(rows, (r) => (r[label] === "normal" ? 0 : 1)),
      names: ["normal", "neptune, the DoS"],
      seed: 1,
    });
    await Deno.writeTextFile(`${dir}/model/multiclass.json`, JSON.stringify(model));
    const want = compileClasses(model)(x, rows.length);
    await Deno.writeTextFile(`${dir}/in.csv`, csv);
    for (const [workers, out] of [[0, "a.csv"], [1, "b.csv"], [0, "c.jsonl"]] as const) {
      await predictBatch({
        scorer,
        inputs: [`${dir}/in.csv`],
        out: `${dir}/${out}`,
        workers,
        chunkBytes: 4096,
      });
    }
    const [outHeader, ...a] = csvRows(await Deno.readTextFile(`${dir}/a.csv`));
    deepStrictEqual(outHeader, [
      "id",
      "probability",
      "label",
      "model_version",
      "class",
      "class_probability",
    ]);
    deepStrictEqual(a.map((r) => r[4]), [...want.classes].map((k) => model.classes[k]));
    deepStrictEqual(a.map((r) => r[5]), [...want.probabilities].map((p) => p.toFixed(6)));
    strictEqual(await Deno.readTextFile(`${dir}/b.csv`), await Deno.readTextFile(`${dir}/a.csv`));
    const json = (await Deno.readTextFile(`${dir}/c.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    deepStrictEqual(json[0].class, model.classes[want.classes[0]]);
    strictEqual(json[0].class_probability, Number(want.probabilities[0].toFixed(6)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
