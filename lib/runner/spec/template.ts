/**
 * DVC-style templating of `pipeline.yaml`: `vars`, `${key}` interpolation
 * from params files, and `foreach`/`matrix` stages, with DVC's rules:
 *
 * - The default params file (`params.yaml`) is always in the context; top-level
 *   and stage-level `vars` add params files (`file.yaml`, or `file.yaml:k1,k2`
 *   for some of its keys) and inline mappings. Redefining a key is an error.
 * - `${a.b}`, `${a.b[0]}` and `${a.b.0}` name dotted keys. A string that is
 *   exactly one `${…}` takes the value with its type (a number, a list, a
 *   mapping); `${…}` inside a longer string must name a string, number or
 *   boolean. `\${…}` is a literal `${…}`.
 * - `foreach: <list|mapping|${key}>` + `do: {stage}` makes one stage per item,
 *   named `stage@<item>` for a list of scalars, `stage@<index>` for a list of
 *   lists/mappings and `stage@<key>` for a mapping; `${item}` is the item and
 *   (mappings only) `${key}` its key.
 * - `matrix: {name: [values…], …}` makes one stage per combination, named
 *   `stage@<v1>-<v2>…` (a list or mapping value counts as `<name><index>`);
 *   `${item.name}` is the value.
 * - Keys read from params files by interpolation count as params of the
 *   stage (as DVC records them in its lock), so changing them re-runs it.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import type { YamlFile } from "../../yaml.ts";
import { DEFAULT_PARAMS_FILE, describe, isMapping, STAGE_NAME } from "./_stage.ts";
import { type Expander, resolveTree, toStr } from "./_interpolate.ts";
import {
  addVars,
  type Context,
  merge,
  type Path,
  splitVarsFile,
  withLocal,
  withStageVars,
} from "./_template_context.ts";

/** One stage after expansion, ready for `parseStage`. */
export interface ExpandedStage {
  /** Final name (`build`, or `build@item` for generated stages). */
  name: string;
  /** The stage mapping with `${…}` resolved and template keys removed. */
  raw: unknown;
  /** The pipeline file seen from this stage: locations map back to where the text is written. */
  yaml: YamlFile;
  /** Params keys read by interpolation: params file -> dotted keys (first use first). */
  used: Map<string, string[]>;
}

/** Options of {@linkcode expandStages}. */
export interface ExpandOptions {
  /** Params and vars files by path as written (`null` when the file does not exist). */
  files: Map<string, YamlFile | null>;
}

const TEMPLATE_TEXT = /\$\{|^\s*(vars|foreach|matrix)\s*:/m;

/**
 * Whether pipeline text uses templating at all (a cheap check before
 * reading params files).
 *
 * @example
 * ```ts
 * import { usesTemplating } from "./template.ts";
 * usesTemplating("stages:\n  a:\n    cmd: echo ${x}\n"); // true
 * ```
 */
export function usesTemplating(text: string): boolean {
  return TEMPLATE_TEXT.test(text);
}

/**
 * The params files the templating of a parsed pipeline reads: the default
 * params file and every file named in top-level or stage `vars`.
 *
 * @example
 * ```ts
 * import { varsFiles } from "./template.ts";
 * varsFiles({ vars: ["data.yaml:paths"], stages: {} }); // ["params.yaml", "data.yaml"]
 * ```
 */
export function varsFiles(top: unknown): string[] {
  const files = new Set([DEFAULT_PARAMS_FILE]);
  const add = (vars: unknown) => {
    if (!Array.isArray(vars)) return;
    for (const v of vars) if (typeof v === "string") files.add(splitVarsFile(v).file);
  };
  if (!isMapping(top)) return [...files];
  add(top.vars);
  if (isMapping(top.stages)) {
    for (const stage of Object.values(top.stages)) {
      if (!isMapping(stage)) continue;
      add(stage.vars);
      if (isMapping(stage.do)) add(stage.do.vars);
    }
  }
  return [...files];
}

/**
 * Expand the stages of a parsed pipeline file: build the context (params
 * file + `vars`), turn `foreach`/`matrix` groups into stages and resolve
 * every `${…}`. Errors are {@linkcode ConfigError}s naming the pipeline file,
 * line, column, stage and field.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../../yaml.ts";
 * import { expandStages } from "./template.ts";
 * const y = parseYaml(
 *   "stages:\n  fit:\n    foreach: [a, b]\n    do:\n      cmd: fit ${item} --lr ${lr}\n",
 *   "pipeline.yaml",
 * );
 * const params = parseYaml("lr: 0.1\n", "params.yaml");
 * const stages = expandStages(y, { files: new Map([["params.yaml", params]]) });
 * stages.map((s) => s.name); // ["fit@a", "fit@b"]
 * ```
 */
export function expandStages(y: YamlFile, options: ExpandOptions): ExpandedStage[] {
  const top = y.value as Record<string, unknown>;
  const global: Context = { data: {}, origin: new Map() };
  const defaults = options.files.get(DEFAULT_PARAMS_FILE);
  if (defaults && isMapping(defaults.value)) {
    merge(global, defaults.value, DEFAULT_PARAMS_FILE, { y, path: [] });
  }
  addVars(global, top.vars, ["vars"], { y, files: options.files });
  const stages = top.stages as Record<string, unknown>;
  const out: ExpandedStage[] = [];
  const names = new Set<string>();
  const push = (s: ExpandedStage, where: Path) => {
    if (names.has(s.name)) {
      throw new ConfigError(`stage '${s.name}' is defined twice (a foreach/matrix item repeats)`, {
        file: y.file,
        ...y.locate(where, true),
        stage: s.name,
      });
    }
    names.add(s.name);
    out.push(s);
  };
  for (const [name, raw] of Object.entries(stages)) {
    const base: Path = ["stages", name];
    if (name.includes("@")) {
      throw new ConfigError(`stage name '${name}' contains '@'`, {
        file: y.file,
        ...y.locate(base, true),
        stage: name,
        hint: "'@' joins a foreach/matrix stage and its item (build@a); pick another name",
      });
    }
    if (!isMapping(raw)) {
      push({ name, raw, yaml: y, used: new Map() }, base);
      continue;
    }
    const ctx = withStageVars(global, raw.vars, [...base, "vars"], { y, files: options.files });
    const expander = { y, ctx, stage: name };
    if ("foreach" in raw || "do" in raw) {
      for (const s of expandForeach(raw, base, expander, options.files)) push(s, base);
    } else if ("matrix" in raw) {
      for (const s of expandMatrix(raw, base, expander)) push(s, base);
    } else {
      const used = new Map<string, string[]>();
      const body = withoutKeys(raw, ["vars"]);
      const resolved = resolveTree(body, base, { ...expander, used });
      push({ name, raw: resolved, yaml: y, used }, base);
    }
  }
  return out;
}

function expandForeach(
  raw: Record<string, unknown>,
  base: Path,
  e: Expander,
  files: Map<string, YamlFile | null>,
): ExpandedStage[] {
  const { y } = e;
  const fail = (sub: Path, message: string, hint?: string, key = false) =>
    new ConfigError(message, {
      file: y.file,
      ...y.locate([...base, ...sub], key),
      stage: e.stage,
      field: String(sub[0] ?? ""),
      hint,
    });
  if (!("foreach" in raw)) throw fail([], `stage '${e.stage}' has 'do' but no 'foreach'`);
  const extra = Object.keys(raw).filter((k) => !["foreach", "do", "vars"].includes(k));
  if (extra.length > 0) {
    throw fail(
      [extra[0]],
      `'${extra[0]}' of foreach stage '${e.stage}' belongs inside 'do:'`,
      "a foreach stage holds only foreach, do (and vars)",
      true,
    );
  }
  if (!isMapping(raw.do)) {
    throw fail(["foreach"], `'foreach' needs a 'do:' mapping holding the stage`, undefined, true);
  }
  const used0 = new Map<string, string[]>();
  const iterable = resolveTree(raw.foreach, [...base, "foreach"], { ...e, used: used0 });
  const items: [string, unknown][] = [];
  let isDict = false;
  if (isMapping(iterable)) {
    isDict = true;
    for (const [k, v] of Object.entries(iterable)) items.push([k, v]);
  } else if (Array.isArray(iterable)) {
    const composite = iterable.some((v) => v !== null && typeof v === "object");
    iterable.forEach((v, i) => items.push([composite ? String(i) : toStr(v), v]));
  } else {
    throw fail(["foreach"], `'foreach' must be a list or a mapping, got ${describe(iterable)}`);
  }
  if (items.length === 0) throw fail(["foreach"], `'foreach' of stage '${e.stage}' is empty`);
  const doVars = raw.do.vars;
  const ctx = withStageVars(e.ctx, doVars, [...base, "do", "vars"], { y, files });
  return items.map(([key, item]) => {
    const name = `${e.stage}@${key}`;
    checkGeneratedName(name, [...base, "foreach"], e);
    const local: Record<string, unknown> = { item };
    if (isDict) local.key = key;
    const itemCtx = withLocal(ctx, local, [...base, "foreach"], y);
    const used = new Map([...used0].map(([f, k]) => [f, [...k]]));
    const body = withoutKeys(raw.do as Record<string, unknown>, ["vars"]);
    const resolved = resolveTree(body, [...base, "do"], { y, ctx: itemCtx, stage: name, used });
    return { name, raw: resolved, yaml: remapped(y, name, [...base, "do"]), used };
  });
}

function expandMatrix(raw: Record<string, unknown>, base: Path, e: Expander): ExpandedStage[] {
  const { y } = e;
  const where = (sub: Path, key = false) => y.locate([...base, ...sub], key);
  const used0 = new Map<string, string[]>();
  const matrix = resolveTree(raw.matrix, [...base, "matrix"], { ...e, used: used0 });
  if (!isMapping(matrix) || Object.keys(matrix).length === 0) {
    throw new ConfigError(
      `'matrix' must map names to lists of values, got ${
        isMapping(matrix) ? "an empty mapping" : describe(matrix)
      }`,
      { file: y.file, ...where(["matrix"]), stage: e.stage, field: "matrix" },
    );
  }
  const dims: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(matrix)) {
    if (!Array.isArray(v) || v.length === 0) {
      throw new ConfigError(`matrix '${k}' must be a non-empty list, got ${describe(v)}`, {
        file: y.file,
        ...where(["matrix", k]),
        stage: e.stage,
        field: "matrix",
      });
    }
    dims.push([k, v]);
  }
  let combos: { d: Record<string, unknown>; parts: string[] }[] = [{ d: {}, parts: [] }];
  for (const [k, values] of dims) {
    combos = combos.flatMap((c) =>
      values.map((v, i) => ({
        d: { ...c.d, [k]: v },
        parts: [...c.parts, v !== null && typeof v === "object" ? `${k}${i}` : toStr(v)],
      }))
    );
  }
  const body = withoutKeys(raw, ["vars", "matrix"]);
  return combos.map(({ d, parts }) => {
    const name = `${e.stage}@${parts.join("-")}`;
    checkGeneratedName(name, [...base, "matrix"], e);
    const ctx = withLocal(e.ctx, { item: d }, [...base, "matrix"], y);
    const used = new Map([...used0].map(([f, k]) => [f, [...k]]));
    const resolved = resolveTree(body, base, { y, ctx, stage: name, used });
    return { name, raw: resolved, yaml: remapped(y, name, base), used };
  });
}

const GENERATED_ITEM = /^[A-Za-z0-9_.+-]+$/;

function checkGeneratedName(name: string, where: Path, e: Expander): void {
  const [group, item] = [name.slice(0, name.indexOf("@")), name.slice(name.indexOf("@") + 1)];
  if (STAGE_NAME.test(group) && GENERATED_ITEM.test(item)) return;
  throw new ConfigError(`generated stage name '${name}' is not a valid stage name`, {
    file: e.y.file,
    ...e.y.locate(where),
    stage: e.stage,
    hint: "items become part of the name: use letters, digits, '_', '.', '+' and '-' " +
      "(or a mapping whose keys are such names)",
  });
}

/** The pipeline file as seen from a generated stage: `stages.<name>.x` is written at `<body>.x`. */
function remapped(y: YamlFile, name: string, body: Path): YamlFile {
  return {
    file: y.file,
    value: y.value,
    locate: (path, key) => {
      if (path[0] === "stages" && path[1] === name) {
        if (path.length === 2) return y.locate(body.slice(0, 2), key);
        return y.locate([...body, ...path.slice(2)], key);
      }
      return y.locate(path, key);
    },
  };
}

function withoutKeys(raw: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !keys.includes(k)));
}
