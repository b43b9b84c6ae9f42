// End-to-end tests of ingest → validate → transform, as subprocesses (exit
// codes, messages) on a phishing sample and the header-less flows fixture.
import { deepStrictEqual, notStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../lib/errors.ts";
import { parseYaml } from "../lib/yaml.ts";
import { readTransformParams } from "./transform.ts";
import { parseCsv } from "../lib/data/csv.ts";
import { readMatrix } from "../lib/learn/matrix.ts";
import { readPreprocess, transformRows } from "../lib/learn/preprocess.ts";
import { phishingWorkspace, repoPath, runStage, setField } from "./_stage_testing.ts";

function noStack(stderr: string) {
  ok(!/^\s+at /m.test(stderr), `stack trace printed:\n${stderr}`);
}

Deno.test("phishing sample: ingest, validate, transform succeed and are deterministic", async () => {
  const dir = await phishingWorkspace(600);
  try {
    for (const stage of ["ingest", "validate", "transform"]) {
      const r = await runStage(stage, dir);
      strictEqual(r.code, 0, r.stderr);
    }
    const train = await Deno.readTextFile(`${dir}/artifacts/ingest/train.csv`);
    const test = await Deno.readTextFile(`${dir}/artifacts/ingest/test.csv`);
    strictEqual(parseCsv(train).rows.length - 1 + parseCsv(test).rows.length - 1, 600);
    strictEqual(parseCsv(test).rows.length - 1, 120);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/artifacts/validate/report.json`));
    strictEqual(report.passed, true);
    strictEqual(report.drift.length, 30);
    ok(
      (await Deno.readTextFile(`${dir}/artifacts/validate/report.md`)).startsWith(
        "# Data validation: PASSED",
      ),
    );
    const m = await readMatrix(`${dir}/artifacts/transform/train.mat`);
    deepStrictEqual([m.rows, m.cols], [480, 30]);
    const trainMat = await Deno.readFile(`${dir}/artifacts/transform/train.mat`);
    strictEqual((await runStage("ingest", dir)).code, 0);
    strictEqual((await runStage("transform", dir)).code, 0);
    strictEqual(await Deno.readTextFile(`${dir}/artifacts/ingest/train.csv`), train);
    deepStrictEqual(await Deno.readFile(`${dir}/artifacts/transform/train.mat`), trainMat);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flows fixture: header-less categoricals; scorer API reproduces test.mat", async () => {
  const dir = await Deno.makeTempDir({ prefix: "stages_" });
  try {
    await Deno.mkdir(`${dir}/tests/fixtures/flows`, { recursive: true });
    for (const f of ["flows.csv", "schema.yaml", "params.yaml"]) {
      await Deno.copyFile(
        repoPath(`tests/fixtures/flows/${f}`),
        `${dir}/tests/fixtures/flows/${f}`,
      );
    }
    const args = [
      "--params",
      "tests/fixtures/flows/params.yaml",
      "--schema=tests/fixtures/flows/schema.yaml",
    ];
    for (const stage of ["ingest", "validate", "transform"]) {
      const r = await runStage(stage, dir, args);
      strictEqual(r.code, 0, r.stderr);
    }
    const raw = parseCsv(await Deno.readTextFile(`${dir}/artifacts/ingest/raw.csv`)).rows;
    strictEqual(raw.length, 401);
    ok(!raw[0].includes("difficulty") && raw[0].at(-1) === "label");
    strictEqual(raw.filter((r) => r[2] === "").length, 6); // the "?" services
    const pre = await readPreprocess(`${dir}/artifacts/transform/preprocess.json`);
    const service = pre.spec.features.find((f) => f.column === "service");
    ok(pre.columns.includes("protocol_type") && service?.kind === "code", "categoricals as codes");
    ok(service.categories.includes("http") && !service.categories.includes("?"));
    const test = parseCsv(await Deno.readTextFile(`${dir}/artifacts/ingest/test.csv`)).rows;
    const mat = await readMatrix(`${dir}/artifacts/transform/test.mat`);
    deepStrictEqual(transformRows(pre, test[0], test.slice(1), { allowUnknown: true }), mat.data);
    strictEqual(mat.rows, 100);
    strictEqual(mat.categorical?.[pre.columns.indexOf("service")], service.categories.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const failures: [string, (l: string[]) => string[], string, RegExp][] = [
  [
    "a non-numeric value",
    (l) => setField(l, 5, 1, "abc"),
    "ingest",
    /^error\[DATA\] data\/phishing_websites\.csv:5, field 'url_length': column 'url_length': value 'abc' is not an integer$/m,
  ],
  [
    "an empty file",
    () => [],
    "ingest",
    /^error\[DATA\] data\/phishing_websites\.csv: file is empty/m,
  ],
  [
    "a missing column",
    (l) => l.map((x) => x.split(",").filter((_, i) => i !== 15).join(",")),
    "ingest",
    /^error\[DATA\] data\/phishing_websites\.csv:1, field 'sfh': columns do not match schema\.yaml: missing column\(s\) 'sfh'/m,
  ],
  [
    "a wrong header",
    (l) => [l[0].replace("result", "Result"), ...l.slice(1)],
    "ingest",
    /missing column\(s\) 'result'; unexpected column\(s\) 'Result'/,
  ],
  [
    "a wrong target label",
    (l) => setField(l, 9, 30, "0"),
    "ingest",
    /:9, field 'result': column 'result': value '0' is not a known target label \(threat: -1; benign: 1\)/,
  ],
  [
    "a row with too few fields",
    (l) => [...l.slice(0, 7), "1,1,1", ...l.slice(7)],
    "ingest",
    /:8: line has 3 fields, expected 31/,
  ],
];

for (const [what, edit, stage, pattern] of failures) {
  Deno.test(`ingest fails with exit 3 on ${what}`, async () => {
    const dir = await phishingWorkspace(40, edit);
    try {
      const r = await runStage(stage, dir);
      strictEqual(r.code, 3, r.stderr);
      ok(pattern.test(r.stderr), r.stderr);
      noStack(r.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("validate fails with exit 3 on out-of-domain values, naming column, rule and lines", async () => {
  const dir = await phishingWorkspace(200, (l) => setField(setField(l, 3, 1, "7"), 4, 18, "-1"));
  try {
    strictEqual((await runStage("ingest", dir)).code, 0);
    const r = await runStage("validate", dir);
    strictEqual(r.code, 3, r.stderr);
    ok(
      /column 'url_length' rule 'domain': '7' is outside \{-1, 0, 1\} — 1 row\(s\), e\.g\. line\(s\) \d+/
        .test(r.stderr),
      r.stderr,
    );
    ok(/column 'redirect' rule 'domain': '-1' is outside \{0, 1\}/.test(r.stderr), r.stderr);
    ok(/hint: see artifacts\/validate\/report\.md/.test(r.stderr), r.stderr);
    noStack(r.stderr);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/artifacts/validate/report.json`));
    strictEqual(report.passed, false);
    deepStrictEqual(
      report.violations.map((v: { column: string; rule: string }) => [v.column, v.rule]).sort(),
      [
        ["redirect", "domain"],
        ["url_length", "domain"],
      ],
    );
    ok(
      (await Deno.readTextFile(`${dir}/artifacts/validate/report.md`)).startsWith(
        "# Data validation: FAILED",
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validate: a wrong target label in train.csv and drift with fail_on_drift fail the stage", async () => {
  const dir = await phishingWorkspace(300);
  try {
    strictEqual((await runStage("ingest", dir)).code, 0);
    const trainPath = `${dir}/artifacts/ingest/train.csv`;
    const good = await Deno.readTextFile(trainPath);
    await Deno.writeTextFile(trainPath, setField(good.split("\n"), 2, 30, "2").join("\n"));
    let r = await runStage("validate", dir);
    strictEqual(r.code, 3, r.stderr);
    ok(
      /train\.csv:2, field 'result'.*rule 'target': '2' is not a known target label/.test(r.stderr),
      r.stderr,
    );
    // Test rows with every sslfinal_state flipped to -1 drift; fail_on_drift makes it fatal.
    await Deno.writeTextFile(trainPath, good);
    const testPath = `${dir}/artifacts/ingest/test.csv`;
    const lines = (await Deno.readTextFile(testPath)).trimEnd().split("\n");
    await Deno.writeTextFile(
      testPath,
      lines.map((l, i) => (i ? setField([l], 1, 7, "-1")[0] : l)).join("\n") + "\n",
    );
    r = await runStage("validate", dir);
    strictEqual(r.code, 0, r.stderr);
    ok(/warn .*drift in 1 column\(s\): sslfinal_state/.test(r.stderr), r.stderr);
    const params = await Deno.readTextFile(`${dir}/params.yaml`);
    await Deno.writeTextFile(
      `${dir}/params.yaml`,
      params.replace("fail_on_drift: false", "fail_on_drift: true"),
    );
    r = await runStage("validate", dir);
    strictEqual(r.code, 3, r.stderr);
    ok(
      /validation failure\(s\): drift in 1 column\(s\): sslfinal_state \(chi2 p=/.test(r.stderr),
      r.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad params and arguments are config errors (exit 2) naming the file and line", async () => {
  const dir = await phishingWorkspace(20);
  try {
    const params = await Deno.readTextFile(`${dir}/params.yaml`);
    await Deno.writeTextFile(
      `${dir}/params.yaml`,
      params.replace("  seed: 42", "  seed: 42\n  sede: 1"),
    );
    let r = await runStage("ingest", dir);
    strictEqual(r.code, 2, r.stderr);
    ok(
      /^error\[CONFIG\] params\.yaml:\d+:\d+, field 'split\.sede': unknown key 'split\.sede'/m.test(
        r.stderr,
      ),
      r.stderr,
    );
    r = await runStage("transform", dir, ["--param", "x"]);
    strictEqual(r.code, 2);
    ok(/unknown argument '--param'/.test(r.stderr) && /usage:/.test(r.stderr), r.stderr);
    await Deno.writeTextFile(`${dir}/params.yaml`, params);
    await Deno.writeTextFile(`${dir}/schema.yaml`, "columns: []\n");
    r = await runStage("ingest", dir);
    strictEqual(r.code, 2);
    notStrictEqual(r.stderr.indexOf("schema.yaml:1"), -1, r.stderr);
    noStack(r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("transform.categorical: native (default) or one_hot; anything else a ConfigError", () => {
  const read = (text: string) => readTransformParams(parseYaml(text, "params.yaml"));
  strictEqual(read("transform: {}\n").categorical, "native");
  strictEqual(read("transform:\n  categorical: one_hot\n").categorical, "one_hot");
  throws(
    () => read("transform:\n  scale: none\n  categorical: codes\n"),
    (e: unknown) =>
      e instanceof ConfigError && e.where.file === "params.yaml" && e.where.line === 3 &&
      e.where.field === "transform.categorical",
  );
});
