import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { DataError } from "../errors.ts";
import { csvFilesSource, csvSource, type DataSource } from "./source.ts";

async function readAll(source: DataSource) {
  const reader = await source.open();
  const rows: unknown[][] = [];
  const where: string[] = [];
  for await (const b of reader.batches) {
    b.rows.forEach((r, i) => {
      rows.push(r);
      where.push(`${b.file ?? source.location}:${b.lines[i]}`);
    });
  }
  return { columns: reader.columns, rows, where };
}

async function withFiles(
  files: Record<string, string | Uint8Array>,
  fn: (dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "source_" });
  try {
    for (const [name, body] of Object.entries(files)) {
      if (typeof body === "string") await Deno.writeTextFile(join(dir, name), body);
      else await Deno.writeFile(join(dir, name), body);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = ReadableStream.from([new TextEncoder().encode(text)])
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("csvSource: UTF-8 BOM and CRLF lines (a Windows export)", async () => {
  await withFiles({
    "a.csv": "\uFEFFsrc,bytes,label\r\n1.2.3.4,10,benign\r\n5.6.7.8,20,attack\r\n",
  }, async (dir) => {
    const got = await readAll(csvSource({ path: join(dir, "a.csv"), header: true }));
    deepStrictEqual(got.columns, ["src", "bytes", "label"]);
    deepStrictEqual(got.rows, [["1.2.3.4", "10", "benign"], ["5.6.7.8", "20", "attack"]]);
  });
});

Deno.test("csvSource: ';' and tab delimiters, quoted fields holding them", async () => {
  await withFiles({
    "semi.csv": 'a;b\n"x;y";2\n',
    "tab.tsv": 'a\tb\n"x\ty"\t2\n',
  }, async (dir) => {
    const semi = await readAll(
      csvSource({ path: join(dir, "semi.csv"), header: true, delimiter: ";" }),
    );
    deepStrictEqual(semi.rows, [["x;y", "2"]]);
    const tab = await readAll(
      csvSource({ path: join(dir, "tab.tsv"), header: true, delimiter: "\t" }),
    );
    deepStrictEqual(tab.rows, [["x\ty", "2"]]);
  });
});

Deno.test("csvSource: inf/Infinity/NaN tokens listed in na_values become missing", async () => {
  await withFiles(
    { "f.csv": "rate,n\nInfinity,1\n-Infinity,2\n NaN,3\ninf,4\n1.5,5\n" },
    async (dir) => {
      const got = await readAll(csvSource({
        path: join(dir, "f.csv"),
        header: true,
        naValues: ["Infinity", "-Infinity", "NaN", "inf"],
      }));
      deepStrictEqual(got.rows.map((r) => r[0]), ["", "", "", "", "1.5"]);
    },
  );
});

Deno.test("csvFilesSource: files concatenated in order, each row keeps its file and line", async () => {
  await withFiles({
    "d1.csv": "a,b\n1,2\n3,4\n",
    "d2.csv.gz": await gzip("a,b\n5,6\n"),
  }, async (dir) => {
    const paths = [join(dir, "d1.csv"), join(dir, "d2.csv.gz")];
    const got = await readAll(csvFilesSource({ paths, header: true }));
    deepStrictEqual(got.rows, [["1", "2"], ["3", "4"], ["5", "6"]]);
    deepStrictEqual(got.where, [`${paths[0]}:2`, `${paths[0]}:3`, `${paths[1]}:2`]);
  });
});

Deno.test("csvFilesSource: a file whose header differs is a DataError naming it", async () => {
  await withFiles({ "d1.csv": "a,b\n1,2\n", "d2.csv": "a,c\n5,6\n" }, async (dir) => {
    const paths = [join(dir, "d1.csv"), join(dir, "d2.csv")];
    await rejects(() => readAll(csvFilesSource({ paths, header: true })), (err) => {
      ok(err instanceof DataError);
      ok(err.message.includes("header differs") && err.message.includes("'c' here, 'b' there"));
      strictEqual(err.where.file, paths[1]);
      strictEqual(err.where.line, 1);
      return true;
    });
  });
});
