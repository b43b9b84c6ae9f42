import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { loadPipeline, parsePipeline } from "./spec.ts";

const FILE = "pipeline.yaml";
const parse = (text: string) => parsePipeline(text, { file: FILE });

interface Expected {
  /** Substrings the message must contain. */
  says: string[];
  line: number;
  column?: number;
  stage?: string;
  field?: string;
}

function check(err: unknown, want: Expected): true {
  ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
  for (const s of want.says) ok(err.message.includes(s), `'${s}' not in: ${err.message}`);
  strictEqual(err.where.file, FILE, err.message);
  strictEqual(err.where.line, want.line, err.message);
  if (want.column !== undefined) strictEqual(err.where.column, want.column, err.message);
  if (want.stage !== undefined) strictEqual(err.where.stage, want.stage, err.message);
  if (want.field !== undefined) strictEqual(err.where.field, want.field, err.message);
  return true;
}

function fails(text: string, want: Expected): void {
  throws(() => parse(text), (err) => check(err, want));
}

const lines = (...l: string[]) => l.join("\n") + "\n";

Deno.test("parsePipeline: a full stage with DVC keys", () => {
  const spec = parse(lines(
    "stages:",
    "  prepare:",
    "    cmd: deno run -A stages/prepare.ts",
    "    deps: [./data//raw.csv, stages/prepare.ts]",
    "    outs: [artifacts/prepared/]",
    "  train:",
    "    desc: Train the model",
    "    cmd:",
    "      - deno run -A stages/train.ts",
    "      - echo done",
    "    deps: [artifacts/prepared]",
    "    params:",
    "      - train.lr",
    "      - split",
    "      - other.yaml: [a.b]",
    "    outs:",
    "      - artifacts/model.json",
    "      - artifacts/log.txt:",
    "          cache: false",
    "          persist: true",
    "    metrics:",
    "      - artifacts/metrics.json",
    "    plots:",
    "      - artifacts/roc.json:",
    "          x: fpr",
    "          y: tpr",
    "          template: linear",
    "    always_changed: true",
    "    frozen: false",
  ));
  strictEqual(spec.file, FILE);
  deepStrictEqual(spec.stages.map((s) => s.name), ["prepare", "train"]);
  strictEqual(spec.byName.get("train"), spec.stages[1]);
  const [prepare, train] = spec.stages;
  deepStrictEqual(prepare.cmd, ["deno run -A stages/prepare.ts"]);
  deepStrictEqual(prepare.deps, ["data/raw.csv", "stages/prepare.ts"]);
  deepStrictEqual(prepare.where, { line: 2, column: 3 });
  deepStrictEqual(prepare.outs.map((o) => o.path), ["artifacts/prepared"]);
  strictEqual(prepare.alwaysChanged, false);
  strictEqual(prepare.desc, undefined);
  deepStrictEqual(train.cmd, ["deno run -A stages/train.ts", "echo done"]);
  strictEqual(train.desc, "Train the model");
  strictEqual(train.alwaysChanged, true);
  strictEqual(train.frozen, false);
  deepStrictEqual(train.params.map(({ file, keys }) => ({ file, keys })), [
    { file: "params.yaml", keys: ["train.lr", "split"] },
    { file: "other.yaml", keys: ["a.b"] },
  ]);
  deepStrictEqual(train.params[0].keyWhere?.map((w) => w.line), [13, 14]);
  deepStrictEqual(
    train.outs.map(({ path, kind, cache, persist, options }) => ({
      path,
      kind,
      cache,
      persist,
      options,
    })),
    [
      {
        path: "artifacts/model.json",
        kind: "out",
        cache: true,
        persist: false,
        options: undefined,
      },
      { path: "artifacts/log.txt", kind: "out", cache: false, persist: true, options: undefined },
      {
        path: "artifacts/metrics.json",
        kind: "metric",
        cache: false,
        persist: false,
        options: undefined,
      },
      {
        path: "artifacts/roc.json",
        kind: "plot",
        cache: true,
        persist: false,
        options: { x: "fpr", y: "tpr", template: "linear" },
      },
    ],
  );
  deepStrictEqual(train.outs.map((o) => o.where?.line), [17, 18, 22, 24]);
});

Deno.test("parsePipeline: metrics may opt into the cache, null lists are empty", () => {
  const spec = parse(lines(
    "stages:",
    "  s:",
    "    cmd: echo",
    "    deps:",
    "    metrics:",
    "      - m.json: {cache: true}",
    "      - n.json:",
  ));
  deepStrictEqual(spec.stages[0].deps, []);
  deepStrictEqual(spec.stages[0].outs.map((o) => [o.path, o.cache]), [["m.json", true], [
    "n.json",
    false,
  ]]);
});

Deno.test("parsePipeline: invalid YAML names the line", () => {
  fails(lines("stages:", "  a:", "    cmd: [echo", "    deps: x"), {
    says: ["invalid YAML"],
    line: 4,
  });
});

Deno.test("parsePipeline: a stage name used twice is a YAML error with its line", () => {
  fails(lines("stages:", "  a:", "    cmd: echo", "  a:", "    cmd: echo"), {
    says: ["invalid YAML", "unique"],
    line: 4,
  });
});

Deno.test("parsePipeline: empty file, wrong top level and missing stages", () => {
  fails("", { says: ["is empty", "'stages:'"], line: 1 });
  fails("- a\n- b\n", { says: ["must be a mapping", "'stages:'"], line: 1 });
  fails("stages:\n", { says: ["'stages' must map stage names"], line: 1, field: "stages" });
  fails("stages: {}\n", { says: ["an empty mapping"], line: 1 });
});

Deno.test("parsePipeline: unknown top-level key suggests the closest", () => {
  fails(lines("stage:", "  a:", "    cmd: echo"), {
    says: ["unknown key 'stage'", "did you mean 'stages'?"],
    line: 1,
    column: 1,
    field: "stage",
  });
  fails(lines("stages:", "  a:", "    cmd: echo", "varz:", "  - x: 1"), {
    says: ["unknown key 'varz' at the top level", "did you mean 'vars'?"],
    line: 4,
  });
});

Deno.test("parsePipeline: unknown stage key suggests the closest", () => {
  fails(lines("stages:", "  train:", "    cmdd: echo", "    outs: [a]"), {
    says: ["unknown key 'cmdd'", "stage 'train'", "did you mean 'cmd'?"],
    line: 3,
    column: 5,
    stage: "train",
    field: "cmdd",
  });
  fails(lines("stages:", "  train:", "    cmd: echo", "    outputs: [a]"), {
    says: ["unknown key 'outputs'", "did you mean 'outs'?"],
    line: 4,
  });
  fails(lines("stages:", "  train:", "    cmd: echo", "    wdir: sub"), {
    says: ["unknown key 'wdir'"],
    line: 4,
  });
});

Deno.test("parsePipeline: unknown out option suggests the closest", () => {
  fails(
    lines(
      "stages:",
      "  s:",
      "    cmd: echo",
      "    outs:",
      "      - m.bin:",
      "          cahce: false",
    ),
    {
      says: ["unknown key 'cahce'", "did you mean 'cache'?"],
      line: 6,
      field: "outs.cahce",
    },
  );
  fails(
    lines("stages:", "  s:", "    cmd: echo", "    outs:", "      - m.bin:", "          x: fpr"),
    {
      says: ["unknown key 'x'"],
      line: 6,
    },
  );
});

Deno.test("parsePipeline: missing or empty cmd", () => {
  fails(lines("stages:", "  a:", "    deps: [x]"), {
    says: ["stage 'a' has no 'cmd'"],
    line: 2,
    stage: "a",
    field: "cmd",
  });
  fails(lines("stages:", "  a:", "    cmd: '  '"), {
    says: ["'cmd' of stage 'a' is empty"],
    line: 3,
  });
  fails(lines("stages:", "  a:", "    cmd:"), { says: ["is empty"], line: 3 });
  fails(lines("stages:", "  a:", "    cmd: []"), { says: ["'cmd' is an empty list"], line: 3 });
  fails(lines("stages:", "  a:", "    cmd:", "      - echo", "      - ''"), {
    says: ["is empty"],
    line: 5,
  });
  fails(lines("stages:", "  a:"), { says: ["stage 'a' must be a mapping"], line: 2 });
});

Deno.test("parsePipeline: wrong types name the key and its line", () => {
  const stage = (...body: string[]) => lines("stages:", "  a:", "    cmd: echo", ...body);
  fails(lines("stages:", "  a:", "    cmd: 3"), {
    says: ["'cmd' must be a string or a list of strings, got 3"],
    line: 3,
  });
  fails(lines("stages:", "  a:", "    cmd: [echo, 3]"), {
    says: ["'cmd[1]' must be a string"],
    line: 3,
  });
  fails(stage("    deps: data.csv"), {
    says: ["'deps' must be a list of paths", 'got "data.csv"'],
    line: 4,
    field: "deps",
  });
  fails(stage("    deps: [[a]]"), {
    says: ["each item of 'deps' must be a path, got a list"],
    line: 4,
  });
  fails(stage("    outs: {a: 1}"), { says: ["'outs' must be a list"], line: 4 });
  fails(stage("    desc: 12"), {
    says: ["'desc' must be a string, got 12"],
    line: 4,
    field: "desc",
  });
  fails(stage("    frozen: yes"), {
    says: ["'frozen' must be true or false, got \"yes\""],
    line: 4,
  });
  fails(stage("    always_changed: 1"), {
    says: ["'always_changed' must be true or false"],
    line: 4,
  });
  fails(stage("    outs:", "      - m.bin:", "          cache: 'no'"), {
    says: ["'cache' of 'm.bin' must be true or false"],
    line: 6,
  });
  fails(stage("    outs:", "      - m.bin: true"), {
    says: ["options of 'm.bin' in 'outs' must be a mapping"],
    line: 5,
  });
  fails(stage("    outs:", "      - m.bin:", "        cache: false"), {
    says: ["must be a path or 'path: {cache: …}'", "2 keys"],
    line: 5,
  });
  fails(stage("    params: [train..lr]"), { says: ["must be a dotted key"], line: 4 });
  fails(stage("    params: [7]"), { says: ["param key 7"], line: 4 });
  fails(stage("    params:", "      - other.yaml:"), {
    says: ["'other.yaml' in 'params' must list the keys"],
    line: 5,
  });
  fails(stage("    params:", "      - other.yaml: [a]", "        extra.yaml: [b]"), {
    says: ["mapping with 2 keys"],
    line: 5,
  });
});

Deno.test("parsePipeline: stage names must match the allowed pattern", () => {
  fails(lines("stages:", "  ok:", "    cmd: echo", "  bad name:", "    cmd: echo"), {
    says: ["invalid stage name 'bad name'"],
    line: 4,
    column: 3,
  });
  fails(lines("stages:", "  -lead:", "    cmd: echo"), {
    says: ["invalid stage name '-lead'"],
    line: 2,
  });
  fails(lines("stages:", "  a/b:", "    cmd: echo"), {
    says: ["invalid stage name 'a/b'"],
    line: 2,
  });
  fails(lines("stages:", "  12:", "    cmd: echo"), { says: ["'12' is all digits"], line: 1 });
  const ok = parse(lines("stages:", "  _x.y-1:", "    cmd: echo", "  3d:", "    cmd: echo"));
  deepStrictEqual(ok.stages.map((s) => s.name), ["_x.y-1", "3d"]);
});

Deno.test("parsePipeline: absolute and escaping paths", () => {
  const stage = (...body: string[]) => lines("stages:", "  a:", "    cmd: echo", ...body);
  fails(stage("    deps:", "      - ok.csv", "      - /etc/hosts"), {
    says: ["path '/etc/hosts' is absolute"],
    line: 6,
    column: 9,
    stage: "a",
    field: "deps",
  });
  fails(stage("    outs: [../up.bin]"), {
    says: ["path '../up.bin' escapes the workspace"],
    line: 4,
    field: "outs",
  });
  fails(stage("    metrics:", "      - ../../m.json:", "          cache: true"), {
    says: ["escapes the workspace"],
    line: 5,
  });
  fails(stage("    params:", "      - /abs/p.yaml:", "          - a"), {
    says: ["is absolute"],
    line: 5,
    field: "params",
  });
});

Deno.test("parsePipeline: a path listed twice in one stage", () => {
  const stage = (...body: string[]) => lines("stages:", "  a:", "    cmd: echo", ...body);
  fails(stage("    deps:", "      - data/x.csv", "      - ./data/x.csv"), {
    says: ["dep 'data/x.csv' is listed twice", "lines 5 and 6"],
    line: 6,
    stage: "a",
  });
  fails(stage("    outs: [m.json]", "    metrics: [m.json]"), {
    says: ["'m.json' is listed twice as an output", "lines 4 and 5"],
    line: 5,
    field: "metrics",
  });
  fails(stage("    outs:", "      - artifacts", "      - artifacts/model.json"), {
    says: ["'artifacts' (line 5) and 'artifacts/model.json' (line 6)", "nested"],
    line: 6,
  });
  fails(stage("    params: [train.lr, train.lr]"), {
    says: ["param 'train.lr' of 'params.yaml' is listed twice"],
    line: 4,
  });
});

Deno.test("parsePipeline: a stage cannot read its own output", () => {
  const stage = (...body: string[]) => lines("stages:", "  a:", "    cmd: echo", ...body);
  fails(stage("    deps: [x.csv]", "    outs: [./x.csv]"), {
    says: ["'x.csv' is both a dep (line 4) and an output (line 5)", "stage 'a'"],
    line: 5,
    field: "outs",
  });
  fails(stage("    deps: [artifacts/in.json]", "    outs: [artifacts]"), {
    says: ["output 'artifacts' (line 5) and dep 'artifacts/in.json' (line 4)"],
    line: 5,
  });
  fails(stage("    deps: [data]", "    plots:", "      - data/roc.json"), {
    says: ["output 'data/roc.json' (line 6) and dep 'data' (line 4)"],
    line: 6,
    field: "plots",
  });
});

Deno.test("parsePipeline: two stages claiming the same output name both", () => {
  fails(
    lines(
      "stages:",
      "  one:",
      "    cmd: echo",
      "    outs: [model.bin]",
      "  two:",
      "    cmd: echo",
      "    outs:",
      "      - model.bin",
    ),
    {
      says: ["'model.bin' is an output of both", "stage 'one' (line 4)", "stage 'two' (line 8)"],
      line: 8,
      stage: "two",
    },
  );
  fails(
    lines(
      "stages:",
      "  one:",
      "    cmd: echo",
      "    outs: [artifacts/model.bin]",
      "  two:",
      "    cmd: echo",
      "    metrics: [artifacts]",
    ),
    {
      says: [
        "output 'artifacts' of stage 'two' (line 7)",
        "output 'artifacts/model.bin' of stage 'one' (line 4)",
        "nested",
      ],
      line: 7,
      stage: "two",
      field: "metrics",
    },
  );
});

async function workspace(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "spec_test_" });
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    await Deno.mkdir(join(full, ".."), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
  return root;
}

async function loadFails(files: Record<string, string>, want: Expected): Promise<void> {
  const root = await workspace(files);
  try {
    await rejects(loadPipeline(root), (err) => check(err, want));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("loadPipeline: reads, parses and checks a valid workspace", async () => {
  const root = await workspace({
    "pipeline.yaml": lines(
      "stages:",
      "  prepare:",
      "    cmd: echo",
      "    deps: [data/raw.csv]",
      "    params: [split.seed]",
      "    outs: [artifacts/prepared]",
      "  train:",
      "    cmd: echo",
      "    deps: [artifacts/prepared/train.csv, artifacts]",
      "    outs: [models/model.json]",
    ),
    "data/raw.csv": "a,b\n",
    "params.yaml": "split:\n  seed: 1\n",
  });
  try {
    const spec = await loadPipeline(root);
    deepStrictEqual(spec.stages.map((s) => s.name), ["prepare", "train"]);
    const other = await loadPipeline(root, { file: "pipeline.yaml" });
    strictEqual(other.file, "pipeline.yaml");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadPipeline: a missing pipeline file has a hint", async () => {
  const root = await workspace({});
  try {
    await rejects(loadPipeline(root, { file: "other.yaml" }), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes("no other.yaml in"), err.message);
      strictEqual(err.where.file, "other.yaml");
      ok(err.hint?.includes("stages:"));
      return true;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadPipeline: a dep nobody produces and that does not exist", async () => {
  await loadFails({
    "pipeline.yaml": lines(
      "stages:",
      "  a:",
      "    cmd: echo",
      "    deps:",
      "      - data/here.csv",
      "      - data/missing.csv",
    ),
    "data/here.csv": "",
  }, {
    says: ["dep 'data/missing.csv' of stage 'a' (line 6) does not exist and no stage produces it"],
    line: 6,
    column: 9,
    stage: "a",
    field: "deps",
  });
});

Deno.test("loadPipeline: a dep under a file is missing, not an I/O error", async () => {
  await loadFails({
    "pipeline.yaml": lines("stages:", "  a:", "    cmd: echo", "    deps: [f.txt/inner]"),
    "f.txt": "",
  }, { says: ["dep 'f.txt/inner'"], line: 4 });
});

Deno.test("loadPipeline: a cycle prints its stages", async () => {
  await loadFails({
    "pipeline.yaml": lines(
      "stages:",
      "  a:",
      "    cmd: echo",
      "    deps: [y]",
      "    outs: [x]",
      "  b:",
      "    cmd: echo",
      "    deps: [x]",
      "    outs: [y]",
    ),
  }, { says: ["cycle in pipeline.yaml: a -> b -> a"], line: 2, stage: "a" });
});

Deno.test("loadPipeline: a missing params key fails at load time", async () => {
  await loadFails({
    "pipeline.yaml": lines("stages:", "  a:", "    cmd: echo", "    params:", "      - train.lr"),
    "params.yaml": "train:\n  epochs: 3\n",
  }, {
    says: ["params file 'params.yaml' has no key 'train.lr'", "stage 'a'", "line 5"],
    line: 5,
    stage: "a",
  });
});
