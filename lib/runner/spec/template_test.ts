import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { parseYaml, type YamlFile } from "../../yaml.ts";
import { loadPipeline, parsePipeline } from "./spec.ts";

const FILE = "pipeline.yaml";
const lines = (...l: string[]) => l.join("\n") + "\n";

function parse(text: string, params: Record<string, string> = {}) {
  const files = new Map<string, YamlFile | null>(
    Object.entries(params).map(([name, body]) => [name, parseYaml(body, name)]),
  );
  return parsePipeline(text, { file: FILE, files });
}

function fails(
  run: () => unknown,
  want: { says: string[]; line: number; column?: number; stage?: string },
): void {
  throws(run, (err) => {
    ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    for (const s of want.says) ok(err.message.includes(s), `'${s}' not in: ${err.message}`);
    strictEqual(err.where.file, FILE, err.message);
    strictEqual(err.where.line, want.line, err.message);
    if (want.column !== undefined) strictEqual(err.where.column, want.column, err.message);
    if (want.stage !== undefined) strictEqual(err.where.stage, want.stage, err.message);
    return true;
  });
}

const PARAMS = lines(
  "ingest:",
  "  path: data/flows.csv",
  "  files: [a.csv, b.csv]",
  "train:",
  "  lr: 0.1",
  "  layers: [64, 32]",
  "  on: true",
);

Deno.test("template: whole-string keeps the type, embedded becomes text", () => {
  const spec = parse(
    lines(
      "stages:",
      "  ingest:",
      "    cmd: ingest --lr ${train.lr} --on=${train.on} --first ${train.layers[0]} \\${literal}",
      "    deps:",
      "      - ${ingest.path}",
      "      - ${ingest.files}",
      "    outs:",
      "      - out/${train.layers.1}.csv",
    ),
    { "params.yaml": PARAMS },
  );
  const s = spec.byName.get("ingest")!;
  deepStrictEqual(s.cmd, ["ingest --lr 0.1 --on=true --first 64 ${literal}"]);
  deepStrictEqual(s.deps, ["data/flows.csv", "a.csv", "b.csv"]);
  deepStrictEqual(s.outs.map((o) => o.path), ["out/32.csv"]);
});

Deno.test("template: keys read by interpolation become params of the stage", () => {
  const spec = parse(
    lines(
      "stages:",
      "  a:",
      "    cmd: run ${train.lr} ${train.lr} ${local}",
      "    deps:",
      "      - ${ingest.path}",
      "    params: [train]",
      "    vars: [{local: x}]",
    ),
    { "params.yaml": PARAMS },
  );
  deepStrictEqual(spec.byName.get("a")!.params.map((p) => [p.file, p.keys]), [
    ["params.yaml", ["train", "ingest.path"]],
  ]);
});

Deno.test("template: unknown key names file, line, column and suggests", () => {
  fails(
    () =>
      parse(lines("stages:", "  a:", "    cmd: echo", "    deps:", "      - ${ingest.pth}"), {
        "params.yaml": PARAMS,
      }),
    {
      says: ["could not find 'ingest.pth'", "did you mean 'path'?"],
      line: 5,
      column: 9,
      stage: "a",
    },
  );
  fails(() => parse(lines("stages:", "  a:", "    cmd: echo ${nope}")), {
    says: ["could not find 'nope'"],
    line: 3,
  });
});

Deno.test("template: a list or mapping cannot be embedded in a string", () => {
  fails(
    () =>
      parse(lines("stages:", "  a:", "    cmd: echo ${train.layers}"), { "params.yaml": PARAMS }),
    { says: ["cannot put a list inside a string"], line: 3 },
  );
});

Deno.test("template: vars files, key selection, inline maps and redefinition", () => {
  const spec = parse(
    lines(
      "vars:",
      "  - data.yaml:paths",
      "  - {model_dir: models}",
      "stages:",
      "  a:",
      "    cmd: fit ${paths.train} ${model_dir}",
    ),
    { "params.yaml": PARAMS, "data.yaml": "paths: {train: t.csv}\nother: 1\n" },
  );
  const a = spec.byName.get("a")!;
  deepStrictEqual(a.cmd, ["fit t.csv models"]);
  deepStrictEqual(a.params.map((p) => [p.file, p.keys]), [["data.yaml", ["paths.train"]]]);
  fails(
    () =>
      parse(lines("vars:", "  - {train: {lr: 1}}", "stages:", "  a:", "    cmd: echo"), {
        "params.yaml": PARAMS,
      }),
    { says: ["cannot redefine 'train.lr'", "params.yaml"], line: 2 },
  );
  fails(() => parse(lines("vars:", "  - missing.yaml", "stages:", "  a:", "    cmd: echo")), {
    says: ["vars file 'missing.yaml' not found"],
    line: 2,
  });
});

Deno.test("template: foreach over a list, a list of mappings and a mapping (DVC naming)", () => {
  const spec = parse(
    lines(
      "stages:",
      "  fit:",
      "    foreach: [gbdt, mlp]",
      "    do:",
      "      cmd: fit ${item} ${train.lr}",
      "      outs:",
      "        - models/${item}",
      "  cfg:",
      "    foreach:",
      "      - {name: a, n: 1}",
      "      - {name: b, n: 2}",
      "    do:",
      "      cmd: run ${item.name} ${item.n}",
      "  region:",
      "    foreach:",
      "      us: {size: 1}",
      "      eu: {size: 2}",
      "    do:",
      "      cmd: go ${key} ${item.size}",
    ),
    { "params.yaml": PARAMS },
  );
  deepStrictEqual(spec.stages.map((s) => [s.name, s.cmd[0]]), [
    ["fit@gbdt", "fit gbdt 0.1"],
    ["fit@mlp", "fit mlp 0.1"],
    ["cfg@0", "run a 1"],
    ["cfg@1", "run b 2"],
    ["region@us", "go us 1"],
    ["region@eu", "go eu 2"],
  ]);
  deepStrictEqual(spec.byName.get("fit@mlp")!.outs[0].path, "models/mlp");
  deepStrictEqual(spec.byName.get("fit@mlp")!.params[0].keys, ["train.lr"]);
});

Deno.test("template: foreach over a params list; errors point into 'do'", () => {
  const spec = parse(
    lines("stages:", "  cp:", "    foreach: ${ingest.files}", "    do:", "      cmd: cp ${item}"),
    { "params.yaml": PARAMS },
  );
  deepStrictEqual(spec.stages.map((s) => s.name), ["cp@a.csv", "cp@b.csv"]);
  deepStrictEqual(spec.stages[0].params[0].keys, ["ingest.files"]);
  fails(
    () =>
      parse(
        lines("stages:", "  f:", "    foreach: [a]", "    do:", "      cmd: x", "      dep: [y]"),
      ),
    { says: ["unknown key 'dep'", "did you mean 'deps'?"], line: 6, stage: "f@a" },
  );
  fails(() => parse(lines("stages:", "  f:", "    foreach: [a]", "    cmd: x")), {
    says: ["belongs inside 'do:'"],
    line: 4,
  });
  fails(() => parse(lines("stages:", "  f:", "    foreach: [a b]", "    do:", "      cmd: x")), {
    says: ["'f@a b' is not a valid stage name"],
    line: 3,
  });
});

Deno.test("template: matrix stages are named by DVC's rule", () => {
  const spec = parse(
    lines(
      "stages:",
      "  train:",
      "    matrix:",
      "      model: [gbdt, mlp]",
      "      seed: [1, 2]",
      "      cfg: [{a: 1}]",
      "    cmd: fit ${item.model} ${item.seed} ${item.cfg.a}",
    ),
  );
  deepStrictEqual(spec.stages.map((s) => [s.name, s.cmd[0]]), [
    ["train@gbdt-1-cfg0", "fit gbdt 1 1"],
    ["train@gbdt-2-cfg0", "fit gbdt 2 1"],
    ["train@mlp-1-cfg0", "fit mlp 1 1"],
    ["train@mlp-2-cfg0", "fit mlp 2 1"],
  ]);
});

Deno.test("template: '@' in a written stage name is rejected", () => {
  fails(() => parse(lines("stages:", "  a@b:", "    cmd: x")), { says: ["contains '@'"], line: 2 });
});

Deno.test("loadPipeline: interpolated deps follow params.yaml and its keys become params", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(root, "a.csv"), "x\n");
    await Deno.writeTextFile(join(root, "b.csv"), "x\n");
    await Deno.writeTextFile(
      join(root, FILE),
      lines("stages:", "  ingest:", "    cmd: echo", "    deps:", "      - ${ingest.path}"),
    );
    const cacheDir = join(root, ".cache");
    for (const [path, want] of [["a.csv", "a.csv"], ["b.csv", "b.csv"], ["a.csv", "a.csv"]]) {
      await Deno.writeTextFile(join(root, "params.yaml"), `ingest:\n  path: ${path}\n`);
      const spec = await loadPipeline(root, { cacheDir });
      deepStrictEqual(spec.byName.get("ingest")!.deps, [want]);
      deepStrictEqual(spec.byName.get("ingest")!.params[0].keys, ["ingest.path"]);
    }
    await Deno.writeTextFile(join(root, "params.yaml"), `ingest:\n  path: none.csv\n`);
    await loadPipeline(root, { cacheDir }).then(
      () => ok(false, "a missing interpolated dep must fail"),
      (err) => ok(err instanceof ConfigError && err.message.includes("'none.csv'"), String(err)),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("selectStages: 'stage@item' and a group name as repro targets", async () => {
  const { buildGraph, selectStages } = await import("./graph.ts");
  const spec = parse(
    lines(
      "stages:",
      "  fit:",
      "    foreach: [a, b]",
      "    do:",
      "      cmd: fit ${item}",
      "      outs:",
      "        - m/${item}",
      "  report:",
      "    cmd: report",
      "    deps: [m/a, m/b]",
    ),
  );
  const graph = buildGraph(spec);
  deepStrictEqual(selectStages(graph, ["fit@b"]), ["fit@b"]);
  deepStrictEqual(selectStages(graph, ["fit"]), ["fit@a", "fit@b"]);
  deepStrictEqual(selectStages(graph, ["report"]), ["fit@a", "fit@b", "report"]);
});

Deno.test("loadPipeline: a glob dep stands for the files it matches, sorted", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "data/sub"), { recursive: true });
    for (const f of ["data/day-2.csv", "data/day-1.csv", "data/sub/day-3.csv", "data/x.txt"]) {
      await Deno.writeTextFile(join(root, f), "x\n");
    }
    await Deno.writeTextFile(join(root, "params.yaml"), "ingest:\n  path: data/**/day-*.csv\n");
    await Deno.writeTextFile(
      join(root, FILE),
      lines("stages:", "  ingest:", "    cmd: echo", "    deps:", "      - ${ingest.path}"),
    );
    const spec = await loadPipeline(root);
    deepStrictEqual(spec.byName.get("ingest")!.deps, [
      "data/day-1.csv",
      "data/day-2.csv",
      "data/sub/day-3.csv",
    ]);
    await Deno.writeTextFile(join(root, "params.yaml"), "ingest:\n  path: data/*.parquet\n");
    await loadPipeline(root).then(
      () => ok(false, "a glob matching nothing must fail"),
      (err) =>
        ok(err instanceof ConfigError && err.message.includes("matches no file"), String(err)),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
