import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { parseYaml, type YamlFile } from "../../yaml.ts";
import { resolveParams } from "./params.ts";
import { parsePipeline, type StageSpec } from "./spec.ts";

const PARAMS = `
split:
  test_size: 0.2
  seed: 42
train:
  lr: 0.01
  layers: [64, 32]
  opt:
    name: adam
`;

async function withWorkspace(
  files: Record<string, string>,
  body: (root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "params_test_" });
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.writeTextFile(join(root, path), text);
    }
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** One stage `s` with the given params block (pipeline.yaml lines 1-4 + items). */
function stageWith(...items: string[]): StageSpec {
  const text = ["stages:", "  s:", "    cmd: echo", "    params:", ...items].join("\n") + "\n";
  return parsePipeline(text, { file: "pipeline.yaml" }).stages[0];
}

Deno.test("resolveParams: dotted keys, whole sections, list indexes, other files", async () => {
  await withWorkspace(
    { "params.yaml": PARAMS, "other.yaml": "a:\n  b: true\n  c: 1\n" },
    async (root) => {
      const stage = stageWith(
        "      - train.lr",
        "      - split",
        "      - train.opt.name",
        "      - train.layers.1",
        "      - other.yaml: [a.b]",
      );
      deepStrictEqual(await resolveParams(root, stage), {
        "params.yaml": {
          "train.lr": 0.01,
          "split": { test_size: 0.2, seed: 42 },
          "train.opt.name": "adam",
          "train.layers.1": 32,
        },
        "other.yaml": { "a.b": true },
      });
    },
  );
});

Deno.test("resolveParams: only declared keys, and none means an empty record", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    const values = await resolveParams(root, stageWith("      - split.seed"));
    deepStrictEqual(values, { "params.yaml": { "split.seed": 42 } });
    const none = parsePipeline("stages:\n  s:\n    cmd: echo\n", { file: "pipeline.yaml" });
    deepStrictEqual(await resolveParams(root, none.stages[0]), {});
  });
});

Deno.test("resolveParams: the files memo parses each file once and is reused", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    const files = new Map<string, YamlFile>();
    await resolveParams(root, stageWith("      - train.lr"), { files });
    deepStrictEqual([...files.keys()], ["params.yaml"]);
    // A memo entry wins over the disk: the file is not read again.
    files.set("params.yaml", parseYaml("train:\n  lr: 0.5\n", "params.yaml"));
    const values = await resolveParams(root, stageWith("      - train.lr"), { files });
    strictEqual(values["params.yaml"]["train.lr"], 0.5);
  });
});

Deno.test("resolveParams: values are copies, safe from callers mutating them", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    const files = new Map<string, YamlFile>();
    const first = await resolveParams(root, stageWith("      - split"), { files });
    (first["params.yaml"].split as Record<string, unknown>).seed = 0;
    const again = await resolveParams(root, stageWith("      - split"), { files });
    deepStrictEqual(again["params.yaml"].split, { test_size: 0.2, seed: 42 });
  });
});

Deno.test("resolveParams: a missing key names file, key, stage and declaring line", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    const stage = stageWith("      - split.seed", "      - train.lrr");
    await rejects(resolveParams(root, stage, { pipelineFile: "p.yaml" }), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes("params file 'params.yaml' has no key 'train.lrr'"), err.message);
      ok(err.message.includes("('train' has no 'lrr')"), err.message);
      ok(err.message.includes("stage 's' on line 6"), err.message);
      ok(err.message.includes("did you mean 'lr'?"), err.message);
      deepStrictEqual(
        [err.where.file, err.where.line, err.where.column, err.where.stage, err.where.field],
        ["p.yaml", 6, 9, "s", "params"],
      );
      ok(err.hint?.includes("'lr'"), err.hint);
      return true;
    });
  });
});

Deno.test("resolveParams: a missing top-level key, and an index past the list", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    await rejects(resolveParams(root, stageWith("      - evaluate")), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes("has no key 'evaluate'"), err.message);
      strictEqual(err.where.line, 5);
      return true;
    });
    await rejects(resolveParams(root, stageWith("      - train.layers.2")), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes("'train.layers' has no '2'"), err.message);
      return true;
    });
  });
});

Deno.test("resolveParams: a file name written as a key gets a hint", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    await rejects(resolveParams(root, stageWith("      - custom.yaml")), (err) => {
      ok(err instanceof ConfigError);
      ok(err.hint?.includes("- custom.yaml: [key, …]"), err.hint);
      return true;
    });
  });
});

Deno.test("resolveParams: a missing params file names file, keys, stage and line", async () => {
  await withWorkspace({ "params.yaml": PARAMS }, async (root) => {
    const stage = stageWith(
      "      - train.lr",
      "      - extra.yaml:",
      "          - a",
      "          - b",
    );
    await rejects(resolveParams(root, stage), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes("params file 'extra.yaml' not found"), err.message);
      ok(err.message.includes("stage 's' reads 'a', 'b'"), err.message);
      ok(err.message.includes("line 7"), err.message);
      deepStrictEqual([err.where.file, err.where.line, err.where.stage], ["pipeline.yaml", 7, "s"]);
      return true;
    });
  });
});

Deno.test("resolveParams: invalid YAML in a params file names its line", async () => {
  await withWorkspace({ "params.yaml": "train:\n  lr: [1\n  x: 2\n" }, async (root) => {
    await rejects(resolveParams(root, stageWith("      - train.lr")), (err) => {
      ok(err instanceof ConfigError);
      ok(err.message.includes("invalid YAML"), err.message);
      strictEqual(err.where.file, "params.yaml");
      ok(typeof err.where.line === "number" && err.where.line >= 2, String(err.where.line));
      return true;
    });
  });
});
