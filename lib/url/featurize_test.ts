import { deepStrictEqual, throws } from "node:assert/strict";
import { schemaFrom } from "../learn/_testing.ts";
import { parseYaml } from "../yaml.ts";
import { featureSchemaYaml, featurizeRows, readFeaturizeParams } from "./featurize.ts";

Deno.test("featurizeRows: one numeric row per URL, refused URLs as rejects with their line", () => {
  const t = featurizeRows({
    rows: [["http://a.com/x", "legitimate"], ["data:text/html,x", "phishing"], [
      "http://b.tk/",
      "phishing",
    ]],
    lines: [2, 3, 4],
    urlIndex: 0,
    targetIndex: 1,
    target: "status",
    groups: ["lengths"],
  });
  deepStrictEqual(t.header, [
    "url_length",
    "host_length",
    "path_length",
    "query_length",
    "fragment_length",
    "status",
  ]);
  deepStrictEqual(t.rows, [["14", "5", "2", "0", "0", "legitimate"], [
    "12",
    "4",
    "1",
    "0",
    "0",
    "phishing",
  ]]);
  deepStrictEqual(t.rejects.map((r) => [r.line, r.code]), [[3, "unsupported_scheme"]]);
});

Deno.test("the generated feature schema parses and keeps the target classes", () => {
  const source = schemaFrom(
    "columns:\n  - {name: url, type: string}\n  - {name: status, type: categorical, values: [legitimate, phishing]}\n" +
      "target: {column: status, positive: [phishing], negative: [legitimate]}\n",
  );
  const s = schemaFrom(featureSchemaYaml(["url_length", "dots_host"], source));
  deepStrictEqual(s.features, ["url_length", "dots_host"]);
  deepStrictEqual(s.target, { column: "status", positive: ["phishing"], negative: ["legitimate"] });
});

Deno.test("readFeaturizeParams rejects unknown groups", () => {
  throws(
    () => readFeaturizeParams(parseYaml("featurize:\n  groups: [lengths, nope]\n", "p.yaml")),
    /unknown feature group 'nope'/,
  );
  deepStrictEqual(readFeaturizeParams(parseYaml("featurize: {}\n", "p.yaml")).urlColumn, "url");
  const lr = (y: string) => readFeaturizeParams(parseYaml(y, "p.yaml")).ngramLr.idf;
  deepStrictEqual([lr("featurize: {}\n"), lr("featurize:\n  ngram_lr: {idf: true}\n")], [
    false,
    true,
  ]);
  const tol = (y: string) => readFeaturizeParams(parseYaml(y, "p.yaml")).ngramLr.tol;
  deepStrictEqual([tol("featurize: {}\n"), tol("featurize:\n  ngram_lr: {tol: 1.0e-6}\n")], [
    1e-7,
    1e-6,
  ]);
  throws(() => tol("featurize:\n  ngram_lr: {tol: -1}\n"), /tol/);
  const perPart = (y: string) => readFeaturizeParams(parseYaml(y, "p.yaml")).ngramLr.perPart;
  deepStrictEqual(
    [perPart("featurize: {}\n"), perPart("featurize:\n  ngram_lr: {per_part: true}\n")],
    [false, true],
  );
  throws(() => perPart("featurize:\n  ngram_lr: {per_part: 1}\n"), /per_part/);
});
