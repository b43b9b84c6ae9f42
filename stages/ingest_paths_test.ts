// ingest with `ingest.path` as a glob over several files and `ingest.test_path`
// as an official test set (no random split), on the header-less flows fixture.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { parseCsv } from "../lib/data/csv.ts";
import { repoPath, runStage } from "./_stage_testing.ts";

const PARAMS = (path: string, testPath: string) =>
  `ingest:
  source: csv
  path: ${path}
  test_path: ${testPath}
  header: false
  na_values: ["?"]
split:
  test_size: 0.25
  seed: 7
`;

async function workspace(params: string, edit: (lines: string[]) => string[] = (l) => l) {
  const dir = await Deno.makeTempDir({ prefix: "ingest_paths_" });
  await Deno.mkdir(`${dir}/data/days`, { recursive: true });
  const lines = edit(
    (await Deno.readTextFile(repoPath("tests/fixtures/flows/flows.csv"))).trimEnd().split("\n"),
  );
  const write = (name: string, part: string[]) =>
    Deno.writeTextFile(`${dir}/${name}`, part.join("\n") + "\n");
  await write("data/days/day-2.csv", lines.slice(150, 300));
  await write("data/days/day-1.csv", lines.slice(0, 150));
  await write("data/test.csv", lines.slice(300));
  await Deno.copyFile(repoPath("tests/fixtures/flows/schema.yaml"), `${dir}/schema.yaml`);
  await Deno.writeTextFile(`${dir}/params.yaml`, params);
  return { dir, lines };
}

Deno.test("ingest: a glob of files for train, an official test file, no random split", async () => {
  const { dir, lines } = await workspace(PARAMS("data/days/day-*.csv", "data/test.csv"));
  try {
    const r = await runStage("ingest", dir);
    strictEqual(r.code, 0, r.stderr);
    const read = async (f: string) =>
      parseCsv(await Deno.readTextFile(`${dir}/artifacts/ingest/${f}`)).rows;
    const [train, test, raw] = [
      await read("train.csv"),
      await read("test.csv"),
      await read("raw.csv"),
    ];
    strictEqual(train.length - 1, 300);
    strictEqual(test.length - 1, 100);
    strictEqual(raw.length - 1, 400);
    // Sorted file order: day-1 first; the test rows are exactly data/test.csv's.
    strictEqual(train[1][0], lines[0].split(",")[0]);
    deepStrictEqual(
      test[1].slice(0, 4),
      lines[300].split(",").slice(0, 4).map((v) => v === "?" ? "" : v),
    );
    deepStrictEqual(raw.slice(1), [...train.slice(1), ...test.slice(1)]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ingest: an error in the second file names that file and its line", async () => {
  const { dir } = await workspace(
    PARAMS("[data/days/day-1.csv, data/days/day-2.csv]", "[]"),
    (l) => {
      const out = [...l];
      const f = out[151].split(",");
      f[0] = "abc";
      out[151] = f.join(",");
      return out;
    },
  );
  try {
    const r = await runStage("ingest", dir);
    strictEqual(r.code, 3, r.stderr);
    ok(r.stderr.includes("data/days/day-2.csv:2"), r.stderr);
    ok(r.stderr.includes("'abc'"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ingest: a glob matching nothing is a config error naming the key", async () => {
  const { dir } = await workspace(PARAMS("data/none-*.csv", "[]"));
  try {
    const r = await runStage("ingest", dir);
    strictEqual(r.code, 2, r.stderr);
    ok(r.stderr.includes("'ingest.path' pattern 'data/none-*.csv' matches no file"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
