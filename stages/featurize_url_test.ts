import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { nullLogger } from "../lib/log.ts";
import { schemaFrom } from "../lib/learn/_testing.ts";
import { readSchema } from "../lib/data/schema.ts";
import { parseYaml } from "../lib/yaml.ts";
import { parseStageArgs } from "./_common.ts";
import { runFeaturize } from "./featurize_url.ts";
import { checkUrl } from "../lib/url/check_input.ts";
import { NGRAM_LR_PART_COLUMNS, urlFeatureVector } from "../lib/url/features.ts";
import { parseNgramLrFile } from "../lib/url/ngram_model.ts";

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

Deno.test("featurize stage: ngram_lr fills out-of-fold logits and writes the fitted LR", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/ingest`);
    const rows = ["url,status"];
    for (let i = 0; i < 20; i++) {
      rows.push(`http://shop${i}.example.com/item/${i},legitimate`);
      rows.push(`http://paypal-verify${i}.tk/login/secure,phishing`);
    }
    await Deno.writeTextFile(`${root}/ingest/train.csv`, rows.join("\n") + "\n");
    await Deno.writeTextFile(
      `${root}/ingest/test.csv`,
      "url,status\nhttp://shop99.example.com/item/7,legitimate\nhttp://paypal-verify99.tk/login,phishing\n",
    );
    const params = parseYaml(
      "featurize:\n  groups: [structure, ngram_lr]\n  ngram_lr: {l2: 1.0e-3, folds: 4, seed: 1, idf: true}\n",
      "p.yaml",
    );
    await runFeaturize({ params, schema: schemaFrom(SCHEMA), root }, nullLogger);
    const col = (file: string) => {
      const lines = Deno.readTextFileSync(file).trim().split("\n");
      const k = lines[0].split(",").indexOf("ngram_lr_logit");
      return lines.slice(1).map((l) => [Number(l.split(",")[k]), l.endsWith("phishing")] as const);
    };
    const train = col(`${root}/featurize/train.csv`), test = col(`${root}/featurize/test.csv`);
    ok(train.every(([z]) => Number.isFinite(z)));
    // Out-of-fold logits still separate this easy toy problem, and so does the all-train LR.
    ok(train.every(([z, phishing]) => (z > 0) === phishing), JSON.stringify(train));
    ok(test[0][0] < 0 && test[1][0] > 0, JSON.stringify(test));
    const lr = JSON.parse(await Deno.readTextFile(`${root}/featurize/ngram_lr.json`));
    deepStrictEqual(lr.format, "threatline-ngram-lr/1");
    // Deterministic: a second run writes the same bytes.
    const before = await Deno.readTextFile(`${root}/featurize/train.csv`);
    await runFeaturize({ params, schema: schemaFrom(SCHEMA), root }, nullLogger);
    deepStrictEqual(await Deno.readTextFile(`${root}/featurize/train.csv`), before);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("featurize stage: ngram_lr per_part, four columns; the checker's logits equal the stage's", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/ingest`);
    const rows = ["url,status"];
    for (let i = 0; i < 20; i++) {
      rows.push(`http://www.shop${i}.example.com/item/${i},legitimate`);
      rows.push(`http://secure.paypal-verify${i}.tk/login/secure,phishing`);
    }
    await Deno.writeTextFile(`${root}/ingest/train.csv`, rows.join("\n") + "\n");
    const test = [
      "http://shop99.example.com/item/7?q=1",
      "http://login.paypal-verify99.tk/login",
      "https://1.2.3.4/",
    ];
    await Deno.writeTextFile(
      `${root}/ingest/test.csv`,
      `url,status\n${test[0]},legitimate\n${test[1]},phishing\n${test[2]},phishing\n`,
    );
    const params = parseYaml(
      "featurize:\n  groups: [structure, ngram_lr]\n" +
        "  ngram_lr: {l2: 1.0e-3, folds: 4, seed: 1, idf: true, per_part: true}\n",
      "p.yaml",
    );
    await runFeaturize({ params, schema: schemaFrom(SCHEMA), root }, nullLogger);
    const lines = (await Deno.readTextFile(`${root}/featurize/test.csv`)).trim().split("\n");
    const header = lines[0].split(",");
    const cols = NGRAM_LR_PART_COLUMNS.map((c) => header.indexOf(c));
    ok(cols.every((k) => k >= 0) && !header.includes("ngram_lr_logit"), lines[0]);
    const lrs = parseNgramLrFile(await Deno.readTextFile(`${root}/featurize/ngram_lr.json`));
    ok(!("weights" in lrs));
    const out = new Float64Array(4);
    test.forEach((u, i) => {
      urlFeatureVector(checkUrl(u), ["ngram_lr"], out, 0, lrs);
      const cells = lines[i + 1].split(",");
      cols.forEach((k, p) => ok(Math.abs(Number(cells[k]) - out[p]) < 1e-9, `${u} part ${p}`));
    });
    const train = (await Deno.readTextFile(`${root}/featurize/train.csv`)).trim().split("\n");
    ok(train.slice(1).every((l) => cols.every((k) => Number.isFinite(Number(l.split(",")[k])))));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("featurize stage: the n-gram LR learns from any target rule (a 0/1 label, only `negative`)", async () => {
  // PhiUSIIL-style data: label 1 = legitimate, so the schema names the benign value only.
  const schema = "columns:\n  - {name: URL, type: string}\n  - {name: label, type: boolean}\n" +
    "target: {column: label, negative: [true]}\n";
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/ingest`);
    const rows = ["URL,label"];
    for (let i = 0; i < 20; i++) {
      rows.push(`http://shop${i}.example.com/item/${i},true`);
      rows.push(`http://paypal-verify${i}.tk/login/secure,false`);
    }
    await Deno.writeTextFile(`${root}/ingest/train.csv`, rows.join("\n") + "\n");
    await Deno.writeTextFile(
      `${root}/ingest/test.csv`,
      "URL,label\nhttp://shop9.example.com/,true\n",
    );
    const params = parseYaml(
      "featurize:\n  url_column: URL\n  groups: [structure, ngram_lr]\n" +
        "  ngram_lr: {l2: 1.0e-3, folds: 4, seed: 1}\n",
      "p.yaml",
    );
    await runFeaturize({ params, schema: schemaFrom(schema), root }, nullLogger);
    const lines = (await Deno.readTextFile(`${root}/featurize/train.csv`)).trim().split("\n");
    const k = lines[0].split(",").indexOf("ngram_lr_logit");
    // Before the fix every row counted as benign here and the logits carried no signal.
    ok(
      lines.slice(1).every((l) => (Number(l.split(",")[k]) > 0) === l.endsWith(",false")),
      lines.join("\n"),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
