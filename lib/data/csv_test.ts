import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { csvField, CsvParser, parseCsv, readCsvFile, readCsvStream, writeCsvFile } from "./csv.ts";

const TRICKY = 'id,text,n\r\n1,"a, ""quoted""\nvalue",3\n2,,\n\n3,"",x\r4,plain,"5"\n5,last,6';

Deno.test("parseCsv: RFC 4180 quoting, embedded newlines, CRLF/CR/LF, blank lines, no final newline", () => {
  const { rows, lines } = parseCsv(TRICKY);
  deepStrictEqual(rows, [
    ["id", "text", "n"],
    ["1", 'a, "quoted"\nvalue', "3"],
    ["2", "", ""],
    ["3", "", "x"],
    ["4", "plain", "5"],
    ["5", "last", "6"],
  ]);
  // The quoted newline pushes record 2 to line 4; the blank line 5 is skipped.
  deepStrictEqual(lines, [1, 2, 4, 6, 7, 8]);
});

Deno.test("CsvParser: any chunking gives the same records and lines", () => {
  const whole = parseCsv(TRICKY);
  for (let a = 0; a <= TRICKY.length; a++) {
    for (const b of [a, Math.min(TRICKY.length, a + 1), Math.min(TRICKY.length, a + 7)]) {
      const p = new CsvParser();
      const parts = [
        p.push(TRICKY.slice(0, a)),
        p.push(TRICKY.slice(a, b)),
        p.push(TRICKY.slice(b)),
        p.end(),
      ];
      deepStrictEqual(parts.flatMap((x) => x.rows), whole.rows, `split at ${a}/${b}`);
      deepStrictEqual(parts.flatMap((x) => x.lines), whole.lines, `split at ${a}/${b}`);
    }
  }
});

Deno.test("parseCsv: trailing delimiter means an empty last field; other delimiters work", () => {
  deepStrictEqual(parseCsv("a,\n").rows, [["a", ""]]);
  deepStrictEqual(parseCsv("a,").rows, [["a", ""]]);
  deepStrictEqual(parseCsv("a;b\t\n1;2\n", { delimiter: ";" }).rows, [["a", "b\t"], ["1", "2"]]);
  deepStrictEqual(parseCsv("").rows, []);
  deepStrictEqual(parseCsv("a\nb,c,d\ne,f\n\ng\n").rows, [["a"], ["b", "c", "d"], ["e", "f"], [
    "g",
  ]]);
  throws(() => new CsvParser({ delimiter: '"' }), RangeError);
});

Deno.test("parseCsv: malformed quoting is a DataError with file, line and column", () => {
  const err1 = (() => {
    try {
      parseCsv('a,b\n1,"open\n2,3\n', { file: "x.csv" });
    } catch (e) {
      return e;
    }
  })();
  ok(err1 instanceof DataError);
  strictEqual(err1.where.file, "x.csv");
  strictEqual(err1.where.line, 2);
  ok(err1.message.includes("unterminated"));
  throws(() => parseCsv('a,b\n1,"x"y\n', { file: "x.csv" }), (e: unknown) => {
    ok(e instanceof DataError);
    deepStrictEqual([e.where.line, e.where.column], [2, 6]);
    return /after a closing quote/.test(e.message);
  });
});

Deno.test("readCsvStream: batches over byte chunks split inside multi-byte characters", async () => {
  const bytes = new TextEncoder().encode('name,city\nJosé,Zürich\n"Ünï",Köln\n');
  const chunks = [bytes.subarray(0, 14), bytes.subarray(14, 27), bytes.subarray(27)];
  const rows: string[][] = [];
  for await (const b of readCsvStream(ReadableStream.from(chunks))) rows.push(...b.rows);
  deepStrictEqual(rows, [["name", "city"], ["José", "Zürich"], ["Ünï", "Köln"]]);
});

Deno.test("readCsvStream: invalid UTF-8 is a DataError", async () => {
  const stream = ReadableStream.from([new Uint8Array([0x61, 0x2c, 0xff, 0x0a])]);
  await rejects(
    async () => {
      for await (const _ of readCsvStream(stream, { file: "bad.csv" })) { /* drain */ }
    },
    (e: unknown) => e instanceof DataError && e.where.file === "bad.csv" && /UTF-8/.test(e.message),
  );
});

Deno.test("readCsvFile: plain and gzip files; missing file is a DataError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const text = "a,b\n" + Array.from({ length: 5000 }, (_, i) => `${i},"v ${i}"`).join("\n") +
      "\n";
    await Deno.writeTextFile(`${dir}/t.csv`, text);
    const gz = ReadableStream.from([new TextEncoder().encode(text)]).pipeThrough(
      new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
    await Deno.writeFile(`${dir}/t.csv.gz`, gz);
    for (const path of [`${dir}/t.csv`, `${dir}/t.csv.gz`]) {
      let n = 0, last: string[] = [], lastLine = 0;
      for await (const b of readCsvFile(path)) {
        n += b.rows.length;
        last = b.rows[b.rows.length - 1];
        lastLine = b.lines[b.lines.length - 1];
      }
      deepStrictEqual([n, last, lastLine], [5001, ["4999", "v 4999"], 5001]);
    }
    await rejects(async () => {
      for await (const _ of readCsvFile(`${dir}/nope.csv`)) { /* drain */ }
    }, (e: unknown) => e instanceof DataError && /not found/.test(e.message));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("csvField and writeCsvFile round-trip through the parser", async () => {
  strictEqual(csvField("plain"), "plain");
  strictEqual(csvField('a "b"'), '"a ""b"""');
  const dir = await Deno.makeTempDir();
  try {
    const rows = [["1", "x,y"], ["2", 'say "hi"\nbye'], ["3", ""]];
    await writeCsvFile(`${dir}/o.csv`, ["n", "s"], rows);
    deepStrictEqual(parseCsv(await Deno.readTextFile(`${dir}/o.csv`)).rows, [["n", "s"], ...rows]);
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["o.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
