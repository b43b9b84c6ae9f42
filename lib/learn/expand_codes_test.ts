import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { MIXED_SCHEMA, schemaFrom, tableFrom } from "./_testing.ts";
import {
  DEFAULT_TRANSFORM,
  encodeTable,
  fitPreprocess,
  loadPreprocess,
  preprocessToJson,
  transformRecords,
} from "./preprocess.ts";
import { decodeMatrix, encodeMatrix } from "./matrix.ts";
import {
  expandCodes,
  matrixFor,
  oneHotSpec,
  releasedPreprocess,
  usesCodes,
} from "./expand_codes.ts";

const schema = schemaFrom(MIXED_SCHEMA);
const TRAIN = "id,bytes,proto,svc,tri,flag,label\n" +
  "1,10.5,tcp,http,-1,true,normal\n2,,udp,dns,0,0,smurf\n3,7,tcp,ftp,1,1,neptune\n" +
  "4,3,,http,0,1,normal\n";
const ONE_HOT = { ...DEFAULT_TRANSFORM, categorical: "one_hot" as const };
const RECORDS = [
  { bytes: 3, proto: "udp", svc: "ftp", tri: 1, flag: false },
  { bytes: "", proto: "", svc: "smtp", tri: "-1", flag: "1" }, // missing proto, unseen svc
  { bytes: 1, proto: "icmp", svc: "http", tri: 0, flag: true }, // unseen proto
];

Deno.test("code: the category's index; missing -> the most frequent's code, unseen -> K", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  deepStrictEqual(pre.columns, ["bytes", "proto", "svc", "tri", "flag"]);
  deepStrictEqual(pre.spec.features[1], {
    kind: "code",
    column: "proto",
    impute: "tcp",
    categories: ["tcp", "udp"],
  });
  strictEqual(pre.spec.fit.options.categorical, "native");
  const x = transformRecords(pre, RECORDS);
  deepStrictEqual([x[1], x[2]], [1, 1]); // udp, ftp
  deepStrictEqual([x[6], x[7]], [0, 3]); // missing -> tcp; smtp unseen -> K = 3
  deepStrictEqual([x[11], x[12]], [2, 2]); // icmp unseen -> K = 2; http
});

Deno.test("code: preprocess.json round-trips; a code of more than 255 categories is refused", async () => {
  const pre = fitPreprocess(await tableFrom(TRAIN, schema), schema, DEFAULT_TRANSFORM);
  const json = preprocessToJson(pre);
  const again = loadPreprocess(json, "p.json");
  deepStrictEqual(again.spec, pre.spec);
  deepStrictEqual(transformRecords(again, RECORDS), transformRecords(pre, RECORDS));
  const spec = JSON.parse(json);
  spec.features[1].categories = Array.from({ length: 256 }, (_, i) => `c${i}`);
  throws(
    () => loadPreprocess(JSON.stringify(spec, null, 2), "p.json"),
    (e: unknown) =>
      e instanceof ConfigError && e.where.file === "p.json" && /at most 255/.test(e.message),
  );
});

Deno.test("code: a column of more than 255 categories is still codes, of its 255 most frequent", async () => {
  const rows = Array.from({ length: 300 }, (_, i) => `${i},1,tcp,s${i},0,1,normal`);
  const text = "id,bytes,proto,svc,tri,flag,label\n" + rows.join("\n") + "\n";
  const pre = fitPreprocess(await tableFrom(text, schema), schema, DEFAULT_TRANSFORM);
  deepStrictEqual(pre.spec.features.map((f) => f.kind), [
    "numeric",
    "code",
    "code",
    "numeric",
    "numeric",
  ]);
  const svc = pre.spec.features[2];
  deepStrictEqual(svc.kind === "code" && svc.categories.length, 255);
});

Deno.test("encodeTable: code columns in the matrix header, which round-trips", async () => {
  const table = await tableFrom(TRAIN, schema);
  const pre = fitPreprocess(table, schema, DEFAULT_TRANSFORM);
  const m = encodeTable(pre, table);
  deepStrictEqual(m.categorical, [0, 2, 3, 0, 0]);
  deepStrictEqual(m.categories, [[], ["tcp", "udp"], ["dns", "ftp", "http"], [], []]);
  const back = decodeMatrix(encodeMatrix(m));
  deepStrictEqual([back.categorical, back.categories], [m.categorical, m.categories]);
  const bad = { ...m, categories: [[], ["tcp"], ["dns", "ftp", "http"], [], []] };
  throws(() => encodeMatrix(bad), RangeError);
});

Deno.test("expandCodes gives exactly the one_hot matrix (names, order, imputation, unseen)", async () => {
  const table = await tableFrom(TRAIN, schema);
  const native = fitPreprocess(table, schema, DEFAULT_TRANSFORM);
  const oneHot = fitPreprocess(table, schema, ONE_HOT);
  const m = expandCodes(encodeTable(native, table));
  const want = encodeTable(oneHot, table);
  deepStrictEqual([m.columns, m.data, m.labels], [want.columns, want.data, want.labels]);
  strictEqual(m.categorical, undefined);
  const x = transformRecords(native, RECORDS);
  const rows = { rows: 3, cols: 5, columns: native.columns, data: x, labels: new Uint8Array(3) };
  const coded = { ...rows, ...encodeTable(native, table), data: x, rows: 3 };
  deepStrictEqual(expandCodes(coded).data, transformRecords(oneHot, RECORDS));
  strictEqual(expandCodes(coded), expandCodes(coded), "one expansion per matrix");
  strictEqual(expandCodes(rows), rows, "a matrix without codes is its own expansion");
  const wrong = { ...coded, data: x.map((v, i) => (i === 1 ? 7 : v)) };
  throws(() => expandCodes(wrong), /not a category code/);
  strictEqual(matrixFor(coded, oneHot.columns), expandCodes(coded));
  strictEqual(matrixFor(coded, native.columns), coded);
  strictEqual(matrixFor(coded, ["bytes"]), undefined);
});

Deno.test("releasedPreprocess: code features one_hot for the families that cannot use codes", async () => {
  const table = await tableFrom(TRAIN, schema);
  const native = fitPreprocess(table, schema, DEFAULT_TRANSFORM);
  const oneHot = fitPreprocess(table, schema, ONE_HOT);
  const bytes = new TextEncoder().encode(preprocessToJson(native));
  ok(usesCodes("gbdt") && !usesCodes("extra_trees") && !usesCodes("mlp"));
  strictEqual(releasedPreprocess(bytes, "gbdt").bytes, bytes);
  for (const family of ["logreg", "mlp", "extra_trees"]) {
    const r = releasedPreprocess(bytes, family);
    const pre = loadPreprocess(new TextDecoder().decode(r.bytes));
    deepStrictEqual(r.columns, oneHot.columns);
    deepStrictEqual(pre.spec.features, oneHot.spec.features);
    deepStrictEqual(transformRecords(pre, RECORDS), transformRecords(oneHot, RECORDS));
  }
  deepStrictEqual(oneHotSpec(oneHot.spec), oneHot.spec);
});
