import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { parseYaml } from "../yaml.ts";
import { MIXED_SCHEMA, schemaFrom } from "../learn/_testing.ts";
import {
  describeTarget,
  parseSchema,
  readSchema,
  schemaToData,
  targetClassifier,
} from "./schema.ts";

Deno.test("readSchema: the repository's phishing schema", async () => {
  const s = await readSchema(new URL("../../schema.yaml", import.meta.url).pathname);
  strictEqual(s.columns.length, 31);
  strictEqual(s.features.length, 30);
  deepStrictEqual(s.target, { column: "result", positive: [-1], negative: [1] });
  deepStrictEqual(s.columns.find((c) => c.name === "redirect")?.values, [0, 1]);
  deepStrictEqual(s.drop, []);
});

Deno.test("readSchema: the flows fixture (categoricals, booleans, a dropped column)", async () => {
  const s = await readSchema(
    new URL("../../tests/fixtures/flows/schema.yaml", import.meta.url).pathname,
  );
  strictEqual(s.sourceColumns.length, 43);
  strictEqual(s.columns.length, 42);
  strictEqual(s.features.length, 41);
  deepStrictEqual(s.drop, ["difficulty"]);
  strictEqual(s.columns.find((c) => c.name === "land")?.type, "boolean");
  strictEqual(s.columns.find((c) => c.name === "service")?.nullable, true);
});

Deno.test("parseSchema: mixed schema with id, string alias, drop and target by negatives", () => {
  const s = schemaFrom(MIXED_SCHEMA);
  deepStrictEqual(s.features, ["bytes", "proto", "svc", "tri", "flag"]);
  strictEqual(s.id, "id");
  strictEqual(s.columns.find((c) => c.name === "svc")?.type, "categorical");
  deepStrictEqual(s.sourceColumns.at(-1), "level");
  strictEqual(describeTarget(s.target), "benign: normal; every other label is a threat");
});

function configError(text: string, line: number, pattern: RegExp) {
  throws(() => schemaFrom(text), (e: unknown) => {
    ok(e instanceof ConfigError, String(e));
    strictEqual(e.where.file, "schema.yaml");
    strictEqual(e.where.line, line, `${e.message} (line ${e.where.line})`);
    ok(pattern.test(e.message), e.message);
    return true;
  });
}

Deno.test("parseSchema: bad schemas are ConfigErrors naming the line", () => {
  const t = "target: {column: y, positive: [1]}\n";
  configError(
    "columns:\n  - {name: x, type: float}\n  - {name: y, type: integer, values: [0, 1]}\n" + t,
    2,
    /must be one of/,
  );
  configError(
    "columns:\n  - {name: y, type: integer, values: [0, 1]}\n  - {name: y, type: number}\n" + t,
    3,
    /duplicate column 'y'/,
  );
  configError(
    "columns:\n  - {name: x, type: number}\n  - {name: y, type: integer}\ntarget: {column: y, positive: [1]}\n",
    4,
    /needs 'values'/,
  );
  configError(
    "columns:\n  - {name: x, type: number}\n  - {name: y, type: integer, values: [0, 1]}\ntarget: {column: z, positive: [1]}\n",
    4,
    /target column 'z'/,
  );
  configError(
    "columns:\n  - {name: x, type: integer, values: [1, a]}\n  - {name: y, type: integer, values: [0, 1]}\n" +
      t,
    2,
    /must be an integer/,
  );
  configError(
    "columns:\n  - {name: x, type: number, min: 3, max: 1}\n  - {name: y, type: integer, values: [0, 1]}\n" +
      t,
    2,
    /greater than max/,
  );
  configError(
    "columns:\n  - {name: x, type: number, nulable: true}\n  - {name: y, type: integer, values: [0, 1]}\n" +
      t,
    2,
    /unknown key 'columns.0.nulable'/,
  );
  configError(
    "columns:\n  - {name: x, type: number}\n  - {name: y, type: integer, values: [0, 1]}\ntarget: {column: y, positive: [1], negative: [1]}\n",
    4,
    /both positive and negative/,
  );
  configError(
    "columns:\n  - {name: x, type: number}\n  - {name: y, type: integer, values: [0, 1]}\ntarget: {column: y, positive: [2]}\n",
    4,
    /not among/,
  );
  configError(
    "columns:\n  - {name: x, type: boolean, values: [1]}\n  - {name: y, type: integer, values: [0, 1]}\n" +
      t,
    2,
    /does not apply/,
  );
  configError("columns: []\n" + t, 1, /non-empty list/);
  configError(
    "columns:\n  - {name: y, type: integer, values: [0, 1]}\n" + t,
    2,
    /no feature columns/,
  );
  configError(
    "columns:\n  - {name: x, type: number}\n  - {name: y, type: integer, values: [0, 1]}\n" + t +
      "id: z\n",
    5,
    /id column .z. is not a kept column/,
  );
});

Deno.test("targetClassifier: positive+negative, only negative, only positive", () => {
  const both = targetClassifier({ column: "r", positive: [-1], negative: [1] }, undefined);
  deepStrictEqual([both(-1), both(1), both(0), both(null)], [1, 0, -1, -1]);
  const neg = targetClassifier({ column: "l", negative: ["normal"] }, undefined);
  deepStrictEqual([neg("normal"), neg("smurf"), neg("")], [0, 1, 1]);
  const closed = targetClassifier({ column: "l", negative: ["normal"] }, {
    name: "l",
    type: "categorical",
    values: ["normal", "dos"],
    nullable: false,
  });
  deepStrictEqual([closed("dos"), closed("u2r")], [1, -1]);
  const pos = targetClassifier({ column: "y", positive: [1] }, {
    name: "y",
    type: "integer",
    values: [0, 1, 2],
    nullable: false,
  });
  deepStrictEqual([pos(1), pos(0), pos(2), pos(3)], [1, 0, 0, -1]);
});

Deno.test("schemaToData round-trips through parseSchema (kept columns only)", () => {
  const s = schemaFrom(MIXED_SCHEMA);
  const again = parseSchema(parseYaml(JSON.stringify(schemaToData(s)), "embedded.json"));
  deepStrictEqual(again.columns, s.columns);
  deepStrictEqual(again.target, s.target);
  deepStrictEqual([again.id, again.features, again.drop], [s.id, s.features, []]);
});
