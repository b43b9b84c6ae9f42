import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { nullLogger } from "../lib/log.ts";
import { schemaFrom } from "../lib/learn/_testing.ts";
import { readSchema } from "../lib/data/schema.ts";
import { parseYaml } from "../lib/yaml.ts";
import { parseStageArgs } from "./_common.ts";
import { runFeaturize } from "./featurize_url.ts";

const SCHEMA = "columns:\n  - {name: url, type: string}\n" +
  "  - {name: status, type: categorical, values: [legitimate, phishing]}\n" +
  "target: {column: status, positive: [phishing], negative: [legitimate]}\n";

Deno.test("parseStageArgs: --out moves the artifacts root, --in the input folder", () => {
  deepStrictEqual(parseStageArgs(["--out", "artifacts/url/", "--in=x/featurize"], "transform"), {
    params: "params.yaml",
    schema: "schema.yaml",
    root: "artifacts/url",
    input: "x/featurize",
  });
  deepStrictEqual(parseStageArgs([], "ingest").root, "artifacts");
});

Deno.test("featurize stage: feature tables, generated schema and rejects under <root>/featurize", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/ingest`);
    await Deno.writeTextFile(
      `${root}/ingest/train.csv`,
      'url,status\nhttp://a.com/x,legitimate\n"http://1.2.3.4/paypal,login",phishing\njavascript:x,phishing\n',
    );
    await Deno.writeTextFile(`${root}/ingest/test.csv`, "url,status\nhttps://b.org/,legitimate\n");
    const params = parseYaml("featurize:\n  groups: [structure, brand]\n", "p.yaml");
    const r = await runFeaturize({ params, schema: schemaFrom(SCHEMA), root }, nullLogger);
    deepStrictEqual(r.rejects, 1);
    const train = (await Deno.readTextFile(`${root}/featurize/train.csv`)).trim().split("\n");
    deepStrictEqual(train.length, 3);
    ok(train[0].startsWith("https,host_is_ip,") && train[0].endsWith(",brand_mismatch,status"));
    const rej = await Deno.readTextFile(`${root}/featurize/rejects.csv`);
    ok(rej.includes("train,4,javascript:x,unsupported_scheme,"), rej);
    const schema = await readSchema(`${root}/featurize/schema.yaml`);
    deepStrictEqual(schema.features.length, 17);
    deepStrictEqual(schema.target.positive, ["phishing"]);
    await Deno.writeTextFile(`${root}/ingest/test.csv`, "url,status\ndata:x,phishing\n");
    await rejects(
      runFeaturize({ params, schema: schemaFrom(SCHEMA), root }, nullLogger),
      /no URL left to featurize/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
