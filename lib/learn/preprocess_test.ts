import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, DataError } from "../errors.ts";
import { MIXED_SCHEMA, schemaFrom, tableFrom } from "./_testing.ts";
import { fitReference } from "./_preprocess_reference.ts";
import {
  cappedColumns,
  DEFAULT_TRANSFORM,
  encodeTable,
  fitPreprocess,
  loadPreprocess,
  MAX_CODE_CATEGORIES,
  preprocessToJson,
  referenceCells,
  rowEncoder,
  targetClass,
  transformRecord,
  transformRecords,
  transformRows,
} from "./preprocess.ts";

const schema = schemaFrom(MIXED_SCHEMA);
const TRAIN = "id,bytes,proto,svc,tri,flag,label\n" +
  "1,10.5,tcp,http,-1,true,normal\n2,,udp,dns,0,0,smurf\n3,7,tcp,ftp,1,1,neptune\n";
const STD = Math.sqrt((1.75 ** 2 * 2) / 3);
/** Categorical columns one-hot encoded (`transform.categorical: one_hot`); codes: expand_codes_test.ts. */
const ONE_HOT = { ...DEFAULT_TRANSFORM, categorical: "one_hot" as const };

function closeArrays(actual: Float32Array, expected: number[]) {
  strictEqual(actual.length, expected.length);
  expected.forEach((e, i) => ok(Math.abs(actual[i] - e) < 1e-5, `[${i}] ${actual[i]} vs ${e}`));
}

function dataError(fn: () => unknown, field: string, pattern: RegExp) {
  throws(fn, (e: unknown) => {
    ok(e instanceof DataError, String(e));
    strictEqual(e.where.field, field);
    ok(pattern.test(e.message), e.message);
    return true;
  });
}

Deno.test("fitPreprocess: median imputation, standard scaling, one-hot with unseen bucket", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, ONE_HOT);
  deepStrictEqual(pre.columns, [
    "bytes",
    "proto=tcp",
    "proto=udp",
    "proto=__unseen__",
    "svc=dns",
    "svc=ftp",
    "svc=http",
    "svc=__unseen__",
    "tri",
    "flag",
  ]);
  deepStrictEqual(pre.spec.features[0], {
    kind: "numeric",
    column: "bytes",
    impute: 8.75,
    center: 8.75,
    scale: STD,
  });
  deepStrictEqual(pre.spec.features[1], {
    kind: "one_hot",
    column: "proto",
    impute: "tcp",
    categories: ["tcp", "udp"],
  });
  strictEqual(pre.spec.features[4].kind === "numeric" && pre.spec.features[4].impute, 1);
  deepStrictEqual(pre.inputs, schema.features);
});

Deno.test("encodeTable: train matrix rows and labels (1 = threat)", async () => {
  const train = await tableFrom(TRAIN, schema);
  const pre = fitPreprocess(train, schema, ONE_HOT);
  const m = encodeTable(pre, train);
  deepStrictEqual([m.rows, m.cols, [...m.labels]], [3, 10, [0, 1, 1]]);
  const flagStd = Math.sqrt(2 / 9);
  closeArrays(m.data.subarray(10, 20), [0, 0, 1, 0, 1, 0, 0, 0, 0, (0 - 2 / 3) / flagStd]);
});

Deno.test("one_hot_integers one-hots integer columns with few values", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, {
    ...DEFAULT_TRANSFORM,
    oneHotIntegers: true,
    oneHotMaxValues: 3,
  });
  ok(pre.columns.includes("tri=-1") && pre.columns.includes("tri=__unseen__"));
  const none = fitPreprocess(await tableFrom(TRAIN, schema), schema, {
    ...DEFAULT_TRANSFORM,
    oneHotIntegers: true,
    oneHotMaxValues: 2,
  });
  ok(none.columns.includes("tri"));
});

Deno.test("transformRecord: text or native values, imputation, unseen categories", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, ONE_HOT);
  const x = transformRecord(pre, {
    id: 9,
    bytes: null,
    proto: "icmp",
    svc: "smtp",
    tri: "1",
    flag: "false",
    label: "x",
  });
  closeArrays(x, [0, 0, 0, 1, 0, 0, 0, 1, 1.224745, -Math.SQRT2]);
  const y = transformRecord(pre, { bytes: 10.5, svc: "dns", tri: -1, flag: true });
  closeArrays(y.subarray(0, 8), [1.75 / STD, 1, 0, 0, 1, 0, 0, 0]);
});

Deno.test("transformRecord: bad records name the field", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  const ok1 = { bytes: 1, proto: "tcp", svc: "dns", tri: 0, flag: true };
  dataError(
    () => transformRecord(pre, { ...ok1, tri: "x" }),
    "tri",
    /^field 'tri' 'x' is not an integer$/,
  );
  dataError(() => transformRecord(pre, { ...ok1, tri: 4 }), "tri", /4 is outside \{-1, 0, 1\}/);
  dataError(
    () => transformRecord(pre, { ...ok1, proto: "gre" }),
    "proto",
    /'gre' is outside \{tcp, udp, icmp\}/,
  );
  dataError(() => transformRecord(pre, { ...ok1, bytes: -1 }), "bytes", /outside ≥ 0/);
  dataError(
    () => transformRecord(pre, { ...ok1, svc: undefined }),
    "svc",
    /missing and the column is not nullable/,
  );
  dataError(() => transformRecord(pre, { ...ok1, flag: "maybe" }), "flag", /not a boolean/);
  dataError(
    () => transformRecord(pre, { ...ok1, colour: "red" }),
    "colour",
    /unknown field 'colour'/,
  );
  strictEqual(
    transformRecord(pre, { ...ok1, colour: "red" }, { allowUnknown: true }).length,
    pre.width,
  );
  dataError(
    () => transformRecords(pre, [ok1, { ...ok1, tri: 9 }]),
    "tri",
    /^record 1: field 'tri'/,
  );
});

Deno.test("preprocess JSON round-trips (text or object) to identical outputs", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  const json = preprocessToJson(pre);
  const records = [
    { bytes: 3, proto: "udp", svc: "ftp", tri: 1, flag: false },
    { bytes: "", proto: "", svc: "new", tri: "-1", flag: "1" },
  ];
  for (const again of [loadPreprocess(json, "p.json"), loadPreprocess(JSON.parse(json))]) {
    deepStrictEqual(again.spec, pre.spec);
    deepStrictEqual(transformRecords(again, records), transformRecords(pre, records));
  }
});

Deno.test("loadPreprocess: a damaged document is a ConfigError naming file and line", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, ONE_HOT);
  const json = preprocessToJson(pre);
  const damaged = json.replace(/"scale": [0-9.e-]+/, '"scale": 0');
  throws(
    () => loadPreprocess(damaged, "p.json"),
    (e: unknown) =>
      e instanceof ConfigError && e.where.file === "p.json" && (e.where.line ?? 0) > 1 &&
      /scale/.test(e.message),
  );
  throws(
    () => loadPreprocess(json.replace('"svc=dns"', '"svc=DNS"'), "p.json"),
    (e: unknown) => e instanceof ConfigError && /does not match/.test(e.message),
  );
  throws(() => loadPreprocess(json.replace('"preprocess/1"', '"preprocess/9"')), ConfigError);
});

Deno.test("rowEncoder/transformRows: any header order; nullable columns may be absent", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  const header = ["flag", "tri", "svc", "proto"];
  const rows = [["1", "0", "dns", "tcp"], ["0", "1", "x", ""]];
  const viaRows = transformRows(pre, header, rows, { lines: [2, 3] });
  const viaRecords = transformRecords(
    pre,
    rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))),
  );
  deepStrictEqual(viaRows, viaRecords);
  throws(
    () => rowEncoder(pre, ["bytes", "proto"], { file: "in.csv" }),
    (e: unknown) =>
      e instanceof DataError && e.where.field === "svc" && /missing column/.test(e.message),
  );
  throws(
    () => rowEncoder(pre, [...header, "zzz"]),
    (e: unknown) => e instanceof DataError && /unknown column 'zzz'/.test(e.message),
  );
  throws(
    () => transformRows(pre, header, [["1", "7", "dns", "tcp"]], { file: "in.csv", lines: [12] }),
    (e: unknown) =>
      e instanceof DataError && e.where.file === "in.csv" && e.where.line === 12 &&
      e.where.field === "tri",
  );
});

Deno.test("targetClass maps labels through the embedded target", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  deepStrictEqual([targetClass(pre, "normal"), targetClass(pre, "smurf")], [0, 1]);
  dataError(() => targetClass(pre, ""), "label", /unknown target label/);
});

Deno.test("the reference profile: counts for discrete columns, order statistics for numeric", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  const ref = pre.spec.reference!;
  deepStrictEqual(ref.drift, { p_value: 0.01, psi: 0.2 });
  deepStrictEqual(ref.columns.map((c) => c.column), schema.features);
  deepStrictEqual(ref.columns[0], { column: "bytes", rows: 3, missing: 1, sample: [7, 10.5] });
  deepStrictEqual(ref.columns[1], {
    column: "proto",
    rows: 3,
    missing: 0,
    counts: { tcp: 2, udp: 1 },
  });
  deepStrictEqual(ref.columns[3].counts, { "-1": 1, "0": 1, "1": 1 });
  deepStrictEqual(ref.columns[4].counts, { false: 1, true: 2 });
  deepStrictEqual(referenceCells(ref.columns[0]), [7, 10.5, null]);
  // Older files without a profile still load.
  const { reference: _, ...old } = pre.spec;
  strictEqual(loadPreprocess(old).spec.reference, undefined);
  const bad = JSON.parse(preprocessToJson(pre));
  bad.reference.columns[1].column = "svc";
  throws(
    () => loadPreprocess(JSON.stringify(bad, null, 2), "p.json"),
    (e: unknown) => e instanceof ConfigError && /expected feature 'proto'/.test(e.message),
  );
});

Deno.test("the reference profile reuses the fit's sorted columns: the same as profiled alone", async () => {
  const rows = Array.from(
    { length: 40 },
    (_, i) => `${i},${i % 7 ? (i * 7919) % 101 : ""},tcp,http,0,1,normal`,
  );
  const table = await tableFrom(TRAIN + rows.join("\n") + "\n", schema);
  for (const numericImpute of ["median", "mean"] as const) {
    const pre = fitPreprocess(table, schema, { ...DEFAULT_TRANSFORM, numericImpute });
    deepStrictEqual(pre.spec.reference, fitReference(table, schema));
  }
});

Deno.test("a number column's impute, center and scale: the sums as reduce adds them (bit for bit)", async () => {
  const values = Array.from({ length: 60 }, (_, i) => i % 9 ? ((i * 7919) % 101) / 7 + 0.1 : null);
  const text = values.map((v, i) => `${i},${v ?? ""},tcp,http,0,1,normal`).join("\n");
  const table = await tableFrom(TRAIN + text + "\n", schema);
  const xs = table.cells[table.columns.findIndex((c) => c.name === "bytes")]
    .filter((v): v is number => v !== null);
  for (const numericImpute of ["median", "mean"] as const) {
    const pre = fitPreprocess(table, schema, { ...DEFAULT_TRANSFORM, numericImpute });
    const f = pre.spec.features.find((f) => f.column === "bytes")!;
    const sorted = xs.toSorted((a, b) => a - b), m = sorted.length >> 1;
    const impute = numericImpute === "mean"
      ? xs.reduce((a, b) => a + b, 0) / xs.length
      : sorted.length % 2
      ? sorted[m]
      : (sorted[m - 1] + sorted[m]) / 2;
    const n = table.rows, missing = n - xs.length;
    const center = (xs.reduce((a, b) => a + b, 0) + missing * impute) / n;
    let ss = missing * (impute - center) ** 2;
    for (const x of xs) ss += (x - center) ** 2;
    deepStrictEqual(f, {
      kind: "numeric",
      column: "bytes",
      impute,
      center,
      scale: Math.sqrt(ss / n),
    });
  }
});

Deno.test("a categorical of thousands of values keeps the 255 most frequent; the rest encode as unseen", async () => {
  const HOSTS =
    "columns:\n  - {name: host, type: categorical}\n  - {name: label, type: categorical}\n" +
    "target: {column: label, negative: [normal]}\n";
  const s = schemaFrom(HOSTS);
  // h000 … h299 once each, and h250 … h299 a second time: those 50 are the most frequent.
  const rows = ["host,label"];
  for (let i = 0; i < 300; i++) rows.push(`h${String(i).padStart(3, "0")},normal`);
  for (let i = 250; i < 300; i++) rows.push(`h${i},attack`);
  const train = await tableFrom(rows.join("\n") + "\n", s);
  const native = fitPreprocess(train, s, DEFAULT_TRANSFORM);
  const f = native.spec.features[0];
  ok(f.kind === "code", f.kind);
  strictEqual(f.categories.length, MAX_CODE_CATEGORIES);
  // The 50 repeated hosts, then the first 205 of the rest in text order (ties).
  ok(
    f.categories.includes("h299") && f.categories.includes("h204") &&
      !f.categories.includes("h205"),
  );
  const codes = encodeTable(native, train);
  strictEqual(codes.data[205], MAX_CODE_CATEGORIES); // row of h205: the unseen code
  strictEqual(codes.data[0], 0); // h000
  const oneHot = fitPreprocess(train, s, ONE_HOT);
  strictEqual(oneHot.columns.length, MAX_CODE_CATEGORIES + 1); // kept ones + __unseen__
  deepStrictEqual(cappedColumns(native, train), [{
    column: "host",
    categories: 300,
    rowsUnseen: 45,
  }]);
  const small = await tableFrom(TRAIN, schema);
  deepStrictEqual(cappedColumns(fitPreprocess(small, schema, DEFAULT_TRANSFORM), small), []);
});
