import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, DataError } from "../errors.ts";
import { parseYaml } from "../yaml.ts";
import { renderSchemaYaml } from "./_schema_yaml.ts";
import { parseSchema } from "./schema.ts";
import { detectDelimiter, guessTarget, inferSchema } from "./schema_infer.ts";
import { csvSource } from "./source.ts";
import { readTable } from "./table.ts";

// A flow export as CIC-style tools write it: BOM, CRLF, ids, IPs, timestamps,
// a constant column, missing values as '?', 'NaN' and 'Infinity'.
const FLOWS = "\uFEFF" + [
  "Flow ID,Src IP,Timestamp,Proto,Duration,Rate,Const,Flag,Service, Label",
  "f1,10.0.0.1,2017-07-03 09:01:02,6,10,0.5,7,1,http,BENIGN",
  "f2,10.0.0.2,2017-07-03 09:01:03,17,20,Infinity,7,0,dns,DoS",
  "f3,10.0.0.3,2017-07-03 09:01:04,6,30,NaN,7,1,?,BENIGN",
  "f4,10.0.0.4,2017-07-03 09:01:05,6,40,1.25,7,0,ssh,PortScan",
].join("\r\n") + "\r\n";

async function withFile(name: string, text: string, fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "infer_" });
  try {
    await Deno.writeTextFile(join(dir, name), text);
    await fn(join(dir, name));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("inferSchema: types, drops with reasons, missing tokens, target by name", async () => {
  await withFile("flows.csv", FLOWS, async (path) => {
    const s = await inferSchema({ paths: [path] });
    strictEqual(s.rows, 4);
    strictEqual(s.header, true);
    const by = Object.fromEntries(s.columns.map((c) => [c.name, c]));
    deepStrictEqual(
      s.columns.map((c) => [c.name, c.type, c.drop?.split(":")[0]]),
      [
        ["Flow ID", "categorical", "unique per row (an id)"],
        ["Src IP", "categorical", "IP addresses"],
        ["Timestamp", "categorical", "timestamps"],
        ["Proto", "integer", undefined],
        ["Duration", "integer", "unique per row (an id)"],
        ["Rate", "number", undefined],
        ["Const", "integer", "constant"],
        ["Flag", "boolean", undefined],
        ["Service", "categorical", undefined],
        ["Label", "categorical", undefined],
      ],
    );
    deepStrictEqual([by.Rate.min, by.Rate.max, by.Rate.missing], [0.5, 1.25, 2]);
    deepStrictEqual(by.Rate.missingTokens, { Infinity: 1, NaN: 1 });
    deepStrictEqual(by.Service.values, ["dns", "http", "ssh"]);
    deepStrictEqual(s.naValues, ["?", "Infinity", "NaN"]);
    strictEqual(s.target, "Label");
    deepStrictEqual(s.labels, [["BENIGN", 2], ["DoS", 1], ["PortScan", 1]]);
  });
});

Deno.test("schema infer output: without classes it says what to fill; with them the stages read the data", async () => {
  await withFile("flows.csv", FLOWS, async (path) => {
    const open = await inferSchema({ paths: [path] });
    const text = renderSchemaYaml(open, { command: "deno task schema infer flows.csv", name: "f" });
    ok(text.includes("FILL IN ONE (not guessed)"), text);
    ok(text.includes("BENIGN (2), DoS (1), PortScan (1)"), text);
    ok(text.includes("values: [dns, http, ssh], nullable: true }"), text); // spaced as deno fmt does
    try {
      parseSchema(parseYaml(text, "schema.yaml"));
      ok(false, "a schema without classes must not parse");
    } catch (err) {
      ok(err instanceof ConfigError && err.message.includes("'positive'"), String(err));
    }
    const s = await inferSchema({ paths: [path], negative: ["BENIGN"], drop: ["Duration"] });
    const schema = parseSchema(
      parseYaml(renderSchemaYaml(s, { command: "x", name: "f" }), "s.yaml"),
    );
    deepStrictEqual(schema.drop, ["Flow ID", "Src IP", "Timestamp", "Duration", "Const"]);
    deepStrictEqual(schema.target.negative, ["BENIGN"]);
    const table = await readTable(
      csvSource({ path, header: true, naValues: s.naValues }),
      { schema, checkDomains: true },
    );
    deepStrictEqual([...table.labels], [0, 1, 0, 1]);
  });
});

Deno.test("schema infer: only --positive lists the labels as values; a numeric target stays numeric", async () => {
  await withFile("p.csv", "a,result\n1,-1\n1,1\n2,1\n", async (path) => {
    const s = await inferSchema({ paths: [path], positive: ["-1"] });
    const text = renderSchemaYaml(s, { command: "x", name: "p" });
    const schema = parseSchema(parseYaml(text, "s.yaml"));
    deepStrictEqual(schema.target.positive, [-1]);
    deepStrictEqual(schema.columns[1].values, [1, -1]);
  });
});

Deno.test("schema infer: a 0/1 target is boolean, its schema parses and reads the labels", async () => {
  await withFile("b.csv", "a,is_attack\n1,0\n1,1\n2,0\n", async (path) => {
    for (const option of [{ positive: ["1"] }, { negative: ["0"] }]) {
      const s = await inferSchema({ paths: [path], ...option });
      const schema = parseSchema(
        parseYaml(renderSchemaYaml(s, { command: "x", name: "b" }), "s.yaml"),
      );
      strictEqual(schema.columns[1].type, "boolean");
      const table = await readTable(csvSource({ path, header: true }), {
        schema,
        checkDomains: true,
      });
      deepStrictEqual([...table.labels], [0, 1, 0], JSON.stringify(option));
    }
  });
});

Deno.test("schema infer: header-less files need names; a label not in the data is refused", async () => {
  await withFile("k.txt", "0,tcp,normal\n1,udp,smurf\n2,tcp,normal\n", async (path) => {
    await rejects(() => inferSchema({ paths: [path] }), (err) => {
      ok(err instanceof DataError && err.message.includes("looks like data"), String(err));
      ok(err.hint?.includes("--names"));
      return true;
    });
    const s = await inferSchema({ paths: [path], names: ["duration", "proto", "label"] });
    strictEqual(s.header, false);
    strictEqual(s.target, "label");
    await rejects(
      () =>
        inferSchema({ paths: [path], names: ["duration", "proto", "label"], negative: ["benign"] }),
      (err) => err instanceof ConfigError && err.message.includes("'benign' does not occur"),
    );
    await rejects(
      () => inferSchema({ paths: [path], names: ["a", "b"] }),
      (err) => err instanceof ConfigError && err.message.includes("gives 2 names"),
    );
  });
});

Deno.test("detectDelimiter and guessTarget", () => {
  deepStrictEqual(
    [detectDelimiter("a;b;c"), detectDelimiter("a\tb\tc"), detectDelimiter('"a;b",c,d')],
    [";", "\t", ","],
  );
  deepStrictEqual(
    [guessTarget(["x", "Class"]), guessTarget(["attack_cat", "label"]), guessTarget(["x"])],
    ["Class", "label", undefined],
  );
});

Deno.test("schema infer: mostly-unique text is dropped (URLs pointed to the URL checker); many repeated values stay", async () => {
  const rows = ["url,host,user,label"];
  for (let i = 0; i < 600; i++) {
    // url: 400 distinct of 600 (some repeat, so not an id); host: 300 distinct, each twice.
    rows.push(
      `http://site${i % 400}.example/p,h${i % 300}.example,u${i % 300},${i % 2 ? "bad" : "ok"}`,
    );
  }
  await withFile("urls.csv", rows.join("\n") + "\n", async (path) => {
    const s = await inferSchema({ paths: [path], target: "label", negative: ["ok"] });
    const by = Object.fromEntries(s.columns.map((c) => [c.name, c]));
    ok(by.url.drop?.startsWith("400 distinct values in 600 rows (mostly unique"), by.url.drop);
    ok(by.url.drop?.includes("URL checker"), by.url.drop);
    strictEqual(by.host.drop, undefined);
    const text = renderSchemaYaml(s, { command: "infer", name: "u" });
    ok(text.includes("transform keeps the 255 most frequent"), text);
  });
});
