/**
 * Parsing and validating one stage of pipeline.yaml (everything that can be
 * checked looking at that stage alone). Cross-stage checks live in `spec.ts`.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import type { YamlFile } from "../../yaml.ts";
import { parseOut, parseParams } from "./_stage_items.ts";
import { describe, isMapping, unknownKeyMessage } from "./_yaml_values.ts";
import { indexPaths, normalizePath } from "./paths.ts";
import type { OutKind, OutSpec, SpecLocation, StageSpec } from "./spec_types.ts";

export { DEFAULT_PARAMS_FILE } from "./_stage_items.ts";
export { describe, isMapping, unknownKeyMessage } from "./_yaml_values.ts";

/** The keys a stage may have, in the order the docs list them. */
export const STAGE_KEYS = [
  "cmd",
  "deps",
  "params",
  "outs",
  "metrics",
  "plots",
  "desc",
  "always_changed",
  "frozen",
  "source_check",
] as const;

/** DVC stage keys this runner does not implement. */
const UNSUPPORTED = new Set(["wdir", "meta"]);

/** Where each list of a stage keeps its outs and their kind. */
const OUT_LISTS: [string, OutKind][] = [["outs", "out"], ["metrics", "metric"], ["plots", "plot"]];

/** The stage key that declares outputs of each kind. */
export const OUT_KEY: Record<OutKind, string> = { out: "outs", metric: "metrics", plot: "plots" };

/** Stage names: what `dvc` accepts, minus characters that need quoting in a shell. */
export const STAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Names of stages made by `foreach`/`matrix` (`template.ts` checks the parts). */
const GENERATED_STAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*@[A-Za-z0-9_.+-]+$/;

/** The default pipeline file name, relative to the workspace root. */
export const PIPELINE_FILE = "pipeline.yaml";

/** Parse and check stage `name` of the pipeline file `y`. */
export function parseStage(y: YamlFile, name: string, raw: unknown): StageSpec {
  const base = ["stages", name];
  const at = (sub: (string | number)[], key = false): SpecLocation =>
    y.locate([...base, ...sub], key);
  const fail = (
    sub: (string | number)[],
    message: string,
    options: { field?: string; key?: boolean; hint?: string } = {},
  ) =>
    new ConfigError(message, {
      file: y.file,
      ...at(sub, options.key),
      stage: name,
      field: options.field,
      hint: options.hint,
    });
  const where = at([], true);

  if (!STAGE_NAME.test(name) && !GENERATED_STAGE_NAME.test(name)) {
    throw fail([], `invalid stage name '${name}'`, {
      key: true,
      hint: "use letters, digits, '_', '.' and '-', not starting with '.' or '-'",
    });
  }
  if (!isMapping(raw)) {
    throw fail([], `stage '${name}' must be a mapping with at least 'cmd', got ${describe(raw)}`, {
      key: true,
    });
  }
  for (const key of Object.keys(raw)) {
    if ((STAGE_KEYS as readonly string[]).includes(key)) continue;
    throw fail([key], unknownKeyMessage(key, `in stage '${name}'`, STAGE_KEYS), {
      key: true,
      field: key,
      hint: UNSUPPORTED.has(key)
        ? `DVC's '${key}' is not supported by this runner`
        : `a stage takes ${STAGE_KEYS.join(", ")}`,
    });
  }

  /** A list-valued key, absent or null meaning empty. */
  const list = (key: string, what: string): unknown[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      throw fail([key], `'${key}' must be a list of ${what}, got ${describe(v)}`, {
        field: key,
        hint: typeof v === "string" ? `write it as a list: ${key}: [${v}]` : undefined,
      });
    }
    return v;
  };
  const optional = <T>(key: string, type: "string" | "boolean", fallback: T): T => {
    const v = raw[key];
    if (v === undefined || v === null) return fallback;
    if (
      (type === "boolean" && typeof v !== "boolean") || (type === "string" && typeof v !== "string")
    ) {
      const want = type === "boolean" ? "true or false" : "a string";
      throw fail([key], `'${key}' must be ${want}, got ${describe(v)}`, { field: key });
    }
    return v as T;
  };
  const path = (sub: (string | number)[], rawPath: unknown, field: string, key = false) => {
    if (typeof rawPath !== "string") {
      throw fail(sub, `each item of '${field}' must be a path, got ${describe(rawPath)}`, {
        field,
      });
    }
    return normalizePath(rawPath, { file: y.file, ...at(sub, key), stage: name, field });
  };

  // cmd
  const rawCmd = raw.cmd;
  let cmd: string[];
  if (rawCmd === undefined) {
    throw fail([], `stage '${name}' has no 'cmd'`, {
      key: true,
      field: "cmd",
      hint: "add the command that runs the stage, e.g. cmd: deno run -A stages/train.ts",
    });
  } else if (typeof rawCmd === "string" || rawCmd === null) {
    cmd = [rawCmd ?? ""];
  } else if (Array.isArray(rawCmd)) {
    if (rawCmd.length === 0) throw fail(["cmd"], `'cmd' is an empty list`, { field: "cmd" });
    cmd = rawCmd.map((c, i) => {
      if (typeof c !== "string") {
        throw fail(["cmd", i], `'cmd[${i}]' must be a string, got ${describe(c)}`, {
          field: "cmd",
        });
      }
      return c;
    });
  } else {
    throw fail(["cmd"], `'cmd' must be a string or a list of strings, got ${describe(rawCmd)}`, {
      field: "cmd",
    });
  }
  cmd.forEach((c, i) => {
    if (c.trim() === "") {
      const sub = Array.isArray(rawCmd) ? ["cmd", i] : ["cmd"];
      throw fail(sub, `'cmd' of stage '${name}' is empty`, { field: "cmd" });
    }
  });

  // deps
  const deps: string[] = [];
  const depWhere: SpecLocation[] = [];
  list("deps", "paths").forEach((d, i) => {
    const p = path(["deps", i], d, "deps");
    const seen = deps.indexOf(p);
    if (seen !== -1) {
      throw fail(
        ["deps", i],
        `dep '${p}' is listed twice in stage '${name}' (lines ${depWhere[seen].line} and ${
          at(["deps", i]).line
        })`,
        { field: "deps" },
      );
    }
    deps.push(p);
    depWhere.push(at(["deps", i]));
  });

  // outs, metrics, plots
  const outs: OutSpec[] = [];
  for (const [key, kind] of OUT_LISTS) {
    list(key, "paths").forEach((item, i) => {
      outs.push(parseOut([key, i], item, kind, { at, fail, path }));
    });
  }
  const ownOuts = indexPaths<OutSpec>();
  const depIndex = indexPaths<number>();
  deps.forEach((dep, d) => depIndex.add(dep, d));
  for (const out of outs) {
    const line = out.where!.line;
    for (const other of ownOuts.overlapping(out.path)) {
      const o = other.value;
      const message = o.path === out.path
        ? `'${out.path}' is listed twice as an output of stage '${name}' (lines ${
          o.where!.line
        } and ${line})`
        : `outputs '${o.path}' (line ${
          o.where!.line
        }) and '${out.path}' (line ${line}) of stage '${name}' are nested in each other`;
      throw new ConfigError(message, {
        file: y.file,
        ...out.where,
        stage: name,
        field: OUT_KEY[out.kind],
      });
    }
    ownOuts.add(out.path, out);
    for (const { path: dep, value: d } of depIndex.overlapping(out.path)) {
      const how = dep === out.path
        ? `'${dep}' is both a dep (line ${depWhere[d].line}) and an output (line ${line})`
        : `output '${out.path}' (line ${line}) and dep '${dep}' (line ${
          depWhere[d].line
        }) are nested in each other`;
      throw new ConfigError(`${how} of stage '${name}': a stage cannot read what it writes`, {
        file: y.file,
        ...out.where,
        stage: name,
        field: OUT_KEY[out.kind],
      });
    }
  }

  return {
    name,
    cmd,
    deps,
    params: parseParams(list("params", "param keys"), { at, fail, path }),
    outs,
    desc: optional<string | undefined>("desc", "string", undefined),
    alwaysChanged: optional("always_changed", "boolean", false),
    frozen: optional("frozen", "boolean", false),
    ...sourceCheck(optional<string | undefined>("source_check", "string", undefined)),
    where,
    depWhere,
  };
}

/** `source_check`: a non-empty command, kept only when given. */
function sourceCheck(cmd: string | undefined): { sourceCheck?: string } {
  return cmd === undefined || cmd.trim() === "" ? {} : { sourceCheck: cmd };
}
