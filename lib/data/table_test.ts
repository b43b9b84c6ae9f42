import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { MIXED_SCHEMA, schemaFrom, tableFrom } from "../learn/_testing.ts";
import { violationCollector } from "./data_checks.ts";
import { csvSource } from "./source.ts";
import { readTable, tableRows, writeTableCsv } from "./table.ts";

const schema = schemaFrom(MIXED_SCHEMA);
const HEADER = "id,bytes,proto,svc,tri,flag,label,level";
const GOOD =
  `${HEADER}\n1,10.5,tcp,http,-1,true,normal,3\n2,,udp,dns,0,0,smurf,7\n3,7,,ftp,1,yes,neptune,1\n`;

async function dataError(csv: string, check: (e: DataError) => void, opts = {}) {
  await rejects(tableFrom(csv, schema, opts, "data.csv"), (e: unknown) => {
    ok(e instanceof DataError, String(e));
    check(e);
    return true;
  });
}

Deno.test("readTable: drops source-only columns, types cells, maps labels, keeps lines", async () => {
  const t = await tableFrom(GOOD, schema);
  deepStrictEqual(t.columns.map((c) => c.name), [
    "id",
    "bytes",
    "proto",
    "svc",
    "tri",
    "flag",
    "label",
  ]);
  deepStrictEqual(t.cells[1], [10.5, null, 7]);
  deepStrictEqual(t.cells[2], ["tcp", "udp", null]);
  deepStrictEqual(t.cells[5], [true, false, true]);
  deepStrictEqual([...t.labels], [0, 1, 1]);
  deepStrictEqual(t.lines, [2, 3, 4]);
  deepStrictEqual([...tableRows(t, [2])], [["3", "7", "", "ftp", "1", "true", "neptune"]]);
});

Deno.test("readTable: columns may come in any order when there is a header; drop columns optional", async () => {
  const t = await tableFrom("label,flag,tri,svc,proto,bytes,id\nnormal,1,0,x,icmp,1,9\n", schema);
  deepStrictEqual(t.cells.map((c) => c[0]), [9, 1, "icmp", "x", 0, true, "normal"]);
});

Deno.test("readTable: a non-numeric value names file, line, column and value", async () => {
  await dataError(GOOD + "4,lots,tcp,http,1,true,normal,1\n", (e) => {
    deepStrictEqual([e.where.file, e.where.line, e.where.field], ["data.csv", 5, "bytes"]);
    strictEqual(e.message, "column 'bytes': value 'lots' is not a number");
  });
});

Deno.test("readTable: missing and unexpected columns are one clear error", async () => {
  await dataError("id,bytes,proto,svc,flag,label,extra\n", (e) => {
    strictEqual(e.where.line, 1);
    ok(e.message.includes("missing column(s) 'tri'"), e.message);
    ok(e.message.includes("unexpected column(s) 'extra'"), e.message);
  });
});

Deno.test("readTable: an unknown target label fails; domains only with checkDomains", async () => {
  const closed = schemaFrom(
    MIXED_SCHEMA.replace(
      "{ name: label, type: categorical }",
      "{ name: label, type: categorical, values: [normal, smurf] }",
    ),
  );
  await rejects(
    tableFrom(GOOD, closed, {}, "d.csv"),
    (e: unknown) =>
      e instanceof DataError && e.where.line === 4 && e.where.field === "label" &&
      e.message.includes("'neptune' is not a known target label (benign: normal"),
  );
  const outside = GOOD + "4,1,tcp,http,5,true,normal,1\n";
  strictEqual((await tableFrom(outside, schema)).rows, 4);
  await dataError(outside, (e) => {
    deepStrictEqual([e.where.line, e.where.field], [5, "tri"]);
    strictEqual(e.message, "column 'tri': value '5' is outside {-1, 0, 1}");
  }, { checkDomains: true });
  await dataError(`${HEADER}\n1,-3,tcp,http,1,true,normal,1\n`, (e) => {
    ok(/'-3' is outside ≥ 0/.test(e.message), e.message);
  }, { checkDomains: true });
  await dataError(`${HEADER}\n1,3,tcp,,1,true,normal,1\n`, (e) => {
    ok(/'svc': value \(missing\) is missing/.test(e.message), e.message);
  }, { checkDomains: true });
});

Deno.test("readTable: onProblem collects everything instead of throwing", async () => {
  const c = violationCollector(2);
  const csv =
    "id,bytes,proto,svc,flag,label,extra\n1,x,tcp,a,maybe,normal,0\n2,y,ftp,b,1,,0\n3,-1,tcp,c,1,normal,0\n";
  const t = await tableFrom(csv, schema, { checkDomains: true, onProblem: c.add }, "v.csv");
  strictEqual(t.rows, 3);
  deepStrictEqual(c.list().map((v) => [v.column, v.rule, v.count, v.examples.map((x) => x.line)]), [
    ["tri", "missing_column", 1, [1]],
    ["extra", "unexpected_column", 1, [1]],
    ["bytes", "type", 2, [2, 3]],
    ["flag", "type", 1, [2]],
    ["proto", "domain", 1, [3]],
    ["label", "target", 1, [3]],
    ["bytes", "range", 1, [4]],
  ]);
  deepStrictEqual([...t.labels], [0, 255, 0]);
});

Deno.test("csvSource: empty files, wrong field counts, header-less files and na_values", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const read = (name: string, text: string, header = true, naValues: string[] = []) =>
      Deno.writeTextFile(`${dir}/${name}`, text).then(() =>
        readTable(
          csvSource({ path: `${dir}/${name}`, header, columns: schema.sourceColumns, naValues }),
          { schema },
        )
      );
    await rejects(
      read("empty.csv", ""),
      (e: unknown) => e instanceof DataError && /empty/.test(e.message),
    );
    await rejects(
      read("blank.csv", "\n\n"),
      (e: unknown) => e instanceof DataError && /empty/.test(e.message),
    );
    await rejects(
      read("head.csv", HEADER + "\n"),
      (e: unknown) => e instanceof DataError && e.message === "no data rows",
    );
    await rejects(
      read("short.csv", GOOD + "9,1,tcp\n"),
      (e: unknown) =>
        e instanceof DataError && e.where.line === 5 && /3 fields, expected 8/.test(e.message),
    );
    await rejects(
      read("dup.csv", "id,id\n1,2\n"),
      (e: unknown) =>
        e instanceof DataError && /'id' twice \(columns 1 and 2\)/.test(e.message) &&
        /rename one of them .* column 2 to 'id 2'/.test(e.hint ?? ""),
    );
    await rejects(
      read("hdr.csv", GOOD, false),
      (e: unknown) =>
        e instanceof DataError && /looks like a header/.test(e.message) && e.where.line === 1,
    );
    const t = await read("nohdr.csv", GOOD.slice(HEADER.length + 1).replace("udp", "?"), false, [
      "?",
    ]);
    deepStrictEqual([t.rows, t.cells[2][1], t.lines], [3, null, [1, 2, 3]]);
    const out = `${dir}/out.csv`;
    await writeTableCsv(out, t, [1]);
    strictEqual(
      await Deno.readTextFile(out),
      "id,bytes,proto,svc,tri,flag,label\n2,,,dns,0,false,smurf\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
