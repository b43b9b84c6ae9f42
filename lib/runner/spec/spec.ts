/**
 * The pipeline spec: `pipeline.yaml` parsed and validated into typed stages.
 * Key names follow DVC's `dvc.yaml` (`cmd`, `deps`, `params`, `outs`,
 * `metrics`, `plots`, `desc`, `always_changed`, `frozen`) so a DVC user feels
 * at home; everything else is an error that names the file, line and key.
 *
 * {@linkcode parsePipeline} checks what the text alone can tell;
 * {@linkcode loadPipeline} adds the checks that need the workspace (cycles,
 * missing deps, missing params).
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { expandGlob, isGlob } from "../../glob.ts";
import { parseYaml, type YamlFile, yamlFromValue } from "../../yaml.ts";
import {
  describe,
  isMapping,
  OUT_KEY,
  parseStage,
  PIPELINE_FILE,
  unknownKeyMessage,
} from "./_stage.ts";
import { buildGraph } from "./graph.ts";
import type { HashMemo } from "../cache/hash_memo.ts";
import { expandModuleDeps } from "./module_deps.ts";
import { resolveParams } from "./params.ts";
import { cachedParse } from "../cache/parse_cache.ts";
import { indexPaths } from "./paths.ts";
import { type ExpandedStage, expandStages, usesTemplating, varsFiles } from "./template.ts";

import type { OutSpec, PipelineSpec, SpecLocation, StageSpec } from "./spec_types.ts";

export type {
  OutKind,
  OutSpec,
  ParamRef,
  PipelineSpec,
  SpecLocation,
  StageSpec,
} from "./spec_types.ts";

export { DEFAULT_PARAMS_FILE, PIPELINE_FILE } from "./_stage.ts";

const TOP_KEYS = ["stages", "vars"] as const;
const SHAPE_HINT =
  "a pipeline file looks like:\nstages:\n  train:\n    cmd: deno run -A stages/train.ts";

/**
 * Parse and validate pipeline text: YAML syntax, known keys, types, stage
 * names, path form, duplicate paths in a stage, a stage reading its own
 * output, and two stages claiming the same output. Throws a
 * {@linkcode ConfigError} with file, line, column, stage and field.
 *
 * @example
 * ```ts
 * import { parsePipeline } from "./spec.ts";
 * const spec = parsePipeline(
 *   "stages:\n  prepare:\n    cmd: deno run -A stages/prepare.ts\n    outs: [artifacts/data.json]\n",
 *   { file: "pipeline.yaml" },
 * );
 * spec.byName.get("prepare")?.outs[0].path; // "artifacts/data.json"
 * ```
 */
export function parsePipeline(text: string, options: ParsePipelineOptions): PipelineSpec {
  const { file } = options;
  const y = parseYaml(text, file);
  const top = y.value;
  if (!isMapping(top)) {
    const what = top === null ? "is empty" : `must be a mapping, got ${describe(top)}`;
    throw new ConfigError(`${file} ${what}: it needs a top-level 'stages:' mapping`, {
      file,
      ...y.locate([]),
      hint: SHAPE_HINT,
    });
  }
  for (const key of Object.keys(top)) {
    if ((TOP_KEYS as readonly string[]).includes(key)) continue;
    throw new ConfigError(unknownKeyMessage(key, "at the top level", TOP_KEYS), {
      file,
      ...y.locate([key], true),
      field: key,
      hint: "the top level holds 'stages:' (and 'vars:'); every other key belongs inside a stage",
    });
  }
  const rawStages = top.stages;
  if (rawStages === undefined) {
    throw new ConfigError(`${file} has no 'stages:' mapping`, {
      file,
      ...y.locate([]),
      field: "stages",
      hint: SHAPE_HINT,
    });
  }
  if (!isMapping(rawStages) || Object.keys(rawStages).length === 0) {
    const got = isMapping(rawStages) ? "an empty mapping" : describe(rawStages);
    throw new ConfigError(`'stages' must map stage names to stages, got ${got}`, {
      file,
      ...y.locate(["stages"], true),
      field: "stages",
      hint: SHAPE_HINT,
    });
  }
  const expanded = expandStages(y, { files: options.files ?? new Map() });
  const stages = expanded.map((e) => {
    const { name } = e;
    if (/^[0-9]+$/.test(name)) {
      // YAML reads `12:` as a number and JS objects reorder integer keys, so
      // neither the name nor the file order would survive.
      throw new ConfigError(`stage name '${name}' is all digits`, {
        file,
        ...y.locate(["stages"], true),
        stage: name,
        hint: "start the name with a letter or '_', e.g. 'step_" + name + "'",
      });
    }
    return withInterpolatedParams(parseStage(e.yaml, name, e.raw), e);
  });
  checkSingleProducer(stages, file);
  return { file, stages, byName: new Map(stages.map((s) => [s.name, s])) };
}

/** Options of {@linkcode parsePipeline}. */
export interface ParsePipelineOptions {
  /** The pipeline file, as named in messages. */
  file: string;
  /**
   * Params and vars files for `${…}` interpolation, by path (`null`: the file
   * does not exist); {@linkcode loadPipeline} reads them. Default none.
   */
  files?: Map<string, YamlFile | null>;
}

/** Params keys a stage reads by interpolation are params of the stage (as DVC records them). */
function withInterpolatedParams(stage: StageSpec, e: ExpandedStage): StageSpec {
  for (const [file, keys] of e.used) {
    let ref = stage.params.find((p) => p.file === file);
    if (!ref) stage.params.push(ref = { file, keys: [], keyWhere: [] });
    for (const key of keys) {
      if (ref.keys.some((k) => k === key || key.startsWith(`${k}.`))) continue;
      ref.keys.push(key);
      ref.keyWhere?.push(stage.where);
    }
  }
  return stage;
}

/** Each output path (or folder around it) belongs to exactly one stage. */
function checkSingleProducer(stages: StageSpec[], file: string): void {
  const index = indexPaths<{ stage: StageSpec; out: OutSpec }>();
  for (const stage of stages) {
    for (const out of stage.outs) {
      for (const { value: other } of index.overlapping(out.path)) {
        if (other.stage === stage) continue;
        const mine = `stage '${stage.name}' (line ${out.where?.line ?? stage.where.line})`;
        const theirs = `stage '${other.stage.name}' (line ${
          other.out.where?.line ?? other.stage.where.line
        })`;
        const message = other.out.path === out.path
          ? `'${out.path}' is an output of both ${theirs} and ${mine}`
          : `output '${out.path}' of ${mine} and output '${other.out.path}' of ${theirs} are nested in each other`;
        throw new ConfigError(message, {
          file,
          ...(out.where ?? stage.where),
          stage: stage.name,
          field: OUT_KEY[out.kind],
          hint: "every file must have one producing stage; give one of them another path",
        });
      }
      index.add(out.path, { stage, out });
    }
  }
}

/** Options of {@linkcode loadPipeline}. */
export interface LoadPipelineOptions {
  /** Pipeline file relative to root (default `pipeline.yaml`). */
  file?: string;
  /** The runner's cache dir: parse results are cached there by content hash. */
  cacheDir?: string;
  /** Params files parsed so far, shared with later params lookups. */
  paramFiles?: Map<string, YamlFile>;
  /** Stat memo, to validate cached module-graph deps by stat alone (module_deps.ts). */
  memo?: HashMemo;
}

/**
 * Read `<root>/pipeline.yaml` (or `options.file`), parse it, and run the
 * checks that need the workspace: no cycles, every dep either produced by a
 * stage or present on disk, and every declared params key present. Deps on
 * module entry points are expanded to their local import closures
 * (module_deps.ts).
 *
 * @example
 * ```ts ignore
 * import { loadPipeline } from "./spec.ts";
 * const spec = await loadPipeline(".");
 * for (const stage of spec.stages) console.log(stage.name, stage.cmd);
 * ```
 */
export async function loadPipeline(
  root: string,
  options: LoadPipelineOptions = {},
): Promise<PipelineSpec> {
  const file = options.file ?? PIPELINE_FILE;
  let text: string;
  try {
    text = await Deno.readTextFile(isAbsolute(file) ? file : join(root, file));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new ConfigError(`no ${file} in ${root}`, {
      file,
      cause: err,
      hint: `run from the workspace root, or create ${file} with a 'stages:' mapping`,
    });
  }
  const files = options.paramFiles ?? new Map<string, YamlFile>();
  const templateFiles = usesTemplating(text)
    ? await readTemplateFiles(root, { file, text, cacheDir: options.cacheDir, files })
    : undefined;
  // The expanded spec depends on the params files too: key the cache on all of them.
  const keyText = templateFiles ? `${text}\0${templateFiles.key}` : text;
  const spec = await cachedParse({
    cacheDir: options.cacheDir,
    kind: "pipeline",
    file,
    text: keyText,
    parse: () => parsePipeline(text, { file, files: templateFiles?.files }),
    toJson: (s) => ({ file: s.file, stages: s.stages }),
    fromJson: (json) => {
      const { stages } = json as { stages: StageSpec[] };
      return { file, stages, byName: new Map(stages.map((s) => [s.name, s])) };
    },
  });
  await expandDepGlobs(root, spec);
  buildGraph(spec);
  await checkDepsExist(root, spec);
  for (const stage of spec.stages) {
    await resolveParams(root, stage, { files, pipelineFile: file, cacheDir: options.cacheDir });
  }
  // A dep on a `.ts` entry point stands for its local import closure.
  return await expandModuleDeps(root, spec, { cacheDir: options.cacheDir, memo: options.memo });
}

/**
 * A dep with glob characters (from `${ingest.path}: data/day-*.csv`) stands
 * for the files it matches now, in sorted order: adding or removing a file
 * changes the stage's deps, so the stage is stale.
 */
async function expandDepGlobs(root: string, spec: PipelineSpec): Promise<void> {
  for (const stage of spec.stages) {
    if (!stage.deps.some(isGlob)) continue;
    const deps: string[] = [];
    const where: SpecLocation[] = [];
    for (const [i, dep] of stage.deps.entries()) {
      const at = stage.depWhere?.[i] ?? stage.where;
      const matches = isGlob(dep) ? await expandGlob(root, dep) : [dep];
      if (matches.length === 0) {
        throw new ConfigError(`dep '${dep}' of stage '${stage.name}' matches no file`, {
          file: spec.file,
          ...at,
          stage: stage.name,
          field: "deps",
          hint: "check the pattern (it is relative to the workspace root)",
        });
      }
      for (const m of matches) {
        if (deps.includes(m)) continue;
        deps.push(m);
        where.push(at);
      }
    }
    stage.deps = deps;
    stage.depWhere = where;
  }
}

/** Read the params/vars files a templated pipeline needs (parsed through the parse cache). */
async function readTemplateFiles(
  root: string,
  options: { file: string; text: string; cacheDir?: string; files: Map<string, YamlFile> },
): Promise<{ files: Map<string, YamlFile | null>; key: string }> {
  const { file, text, cacheDir } = options;
  const names = await cachedParse({
    cacheDir,
    kind: "pipeline-vars",
    file,
    text,
    parse: () => varsFiles(parseYaml(text, file).value),
  });
  const files = new Map<string, YamlFile | null>();
  const key: string[] = [];
  for (const name of names) {
    let body: string;
    try {
      body = await Deno.readTextFile(isAbsolute(name) ? name : join(root, name));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      files.set(name, null);
      key.push(`${name}\0<missing>`);
      continue;
    }
    const known = options.files.get(name);
    const value = known?.value ?? await cachedParse({
      cacheDir,
      kind: "params",
      file: name,
      text: body,
      parse: () => parseYaml(body, name).value,
    });
    const y = known ?? yamlFromValue(body, name, value);
    options.files.set(name, y);
    files.set(name, y);
    key.push(`${name}\0${body}`);
  }
  return { files, key: key.join("\0") };
}

/** A dep must be produced by some stage or exist on disk. */
async function checkDepsExist(root: string, spec: PipelineSpec): Promise<void> {
  const produced = indexPaths<true>();
  for (const stage of spec.stages) {
    for (const out of stage.outs) produced.add(out.path, true);
  }
  const missing = await Promise.all(
    spec.stages.flatMap((stage) =>
      stage.deps.map(async (dep, i) => {
        if (produced.overlapping(dep).length > 0 || await exists(join(root, dep))) return undefined;
        return { stage, dep, where: stage.depWhere?.[i] ?? stage.where };
      })
    ),
  );
  const first = missing.find((m) => m !== undefined);
  if (first) {
    throw new ConfigError(
      `dep '${first.dep}' of stage '${first.stage.name}' (line ${first.where.line}) does not exist and no stage produces it`,
      {
        file: spec.file,
        ...first.where,
        stage: first.stage.name,
        field: "deps",
        hint: "check the path, or add it to the outs of the stage that creates it",
      },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return false;
    }
    throw err;
  }
}
