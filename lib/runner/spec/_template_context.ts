/**
 * The templating context of `pipeline.yaml`: the params file and `vars`
 * (files, some keys of files, inline mappings) merged with DVC's rule that a
 * key is never redefined, the foreach/matrix locals on top, and dotted-key
 * lookup in it. Private to lib/runner/spec (used by `template.ts`).
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import type { YamlFile } from "../../yaml.ts";
import { DEFAULT_PARAMS_FILE, describe, isMapping } from "./_stage.ts";

/** A path into the pipeline file's YAML. */
export type Path = (string | number)[];

/** A `vars` file item: `file.yaml` or `file.yaml:k1,k2` (some of its keys). */
export function splitVarsFile(item: string): { file: string; keys?: string[] } {
  const m = /^(.*\.(?:ya?ml|json|toml|py))(?::(.+))?$/.exec(item.trim());
  if (!m) return { file: item.trim() };
  return { file: m[1], keys: m[2]?.split(",").map((k) => k.trim()).filter((k) => k !== "") };
}

/** Where each top-level context key came from: a params file, or inline vars (`null`). */
export interface Context {
  data: Record<string, unknown>;
  origin: Map<string, string | null>;
}

/** The context with foreach/matrix locals (`item`, `key`) added; a local may not shadow a context key. */
export function withLocal(ctx: Context, local: Record<string, unknown>, where: Path, y: YamlFile) {
  for (const k of Object.keys(local)) {
    if (ctx.origin.has(k)) {
      throw new ConfigError(
        `'${k}' is defined in ${ctx.origin.get(k) ?? "vars"} and is also the foreach/matrix '${k}'`,
        { file: y.file, ...y.locate(where, true), hint: `rename the '${k}' key of the params` },
      );
    }
  }
  const origin = new Map(ctx.origin);
  for (const k of Object.keys(local)) origin.set(k, null);
  return { data: { ...ctx.data, ...local }, origin };
}

/** The context with a stage's own `vars` added (a copy; the global one is unchanged). */
export function withStageVars(
  ctx: Context,
  vars: unknown,
  where: Path,
  env: { y: YamlFile; files: Map<string, YamlFile | null> },
): Context {
  if (vars === undefined) return ctx;
  const copy: Context = { data: structuredClone(ctx.data), origin: new Map(ctx.origin) };
  addVars(copy, vars, where, env);
  return copy;
}

/** Add the items of a `vars` list (files, file keys, mappings) to the context. */
export function addVars(
  ctx: Context,
  vars: unknown,
  where: Path,
  env: { y: YamlFile; files: Map<string, YamlFile | null> },
): void {
  const { y } = env;
  if (vars === undefined || vars === null) return;
  if (!Array.isArray(vars)) {
    throw new ConfigError(`'vars' must be a list of params files and mappings`, {
      file: y.file,
      ...y.locate(where),
      field: "vars",
      hint: "e.g. vars:\n  - params.yaml\n  - data.yaml:paths\n  - {model_dir: models}",
    });
  }
  vars.forEach((item, i) => {
    const at = { y, path: [...where, i] };
    if (isMapping(item)) return merge(ctx, item, null, at);
    if (typeof item !== "string") {
      throw new ConfigError(
        `each item of 'vars' must be a file name or a mapping, got ${describe(item)}`,
        { file: y.file, ...y.locate(at.path), field: "vars" },
      );
    }
    const { file, keys } = splitVarsFile(item);
    const pf = env.files.get(file);
    if (!pf) {
      throw new ConfigError(`vars file '${file}' not found`, {
        file: y.file,
        ...y.locate(at.path),
        field: "vars",
        hint: "paths in 'vars' are relative to the workspace root",
      });
    }
    const value = isMapping(pf.value) ? pf.value : {};
    if (file === DEFAULT_PARAMS_FILE && !keys) return; // already in the context
    let picked: Record<string, unknown> = value;
    if (keys) {
      picked = {};
      for (const k of keys) {
        const found = lookupKey(value, k);
        if (!found.ok) {
          throw new ConfigError(`vars file '${file}' has no key '${k}'`, {
            file: y.file,
            ...y.locate(at.path),
            field: "vars",
          });
        }
        setKey(picked, k, found.value);
      }
    }
    if (file === DEFAULT_PARAMS_FILE) return;
    merge(ctx, picked, file, at);
  });
}

function setKey(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const segs = dotted.split(".");
  let node = target;
  for (const s of segs.slice(0, -1)) node = (node[s] ??= {}) as Record<string, unknown>;
  node[segs[segs.length - 1]] = value;
}

/** Add `value`'s keys to the context; an existing leaf is never redefined (as DVC). */
export function merge(
  ctx: Context,
  value: Record<string, unknown>,
  source: string | null,
  at: { y: YamlFile; path: Path },
): void {
  const walk = (into: Record<string, unknown>, from: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(from)) {
      const full = prefix ? `${prefix}.${k}` : k;
      if (!Object.hasOwn(into, k)) {
        into[k] = structuredClone(v);
        if (!prefix) ctx.origin.set(k, source);
        continue;
      }
      if (isMapping(into[k]) && isMapping(v)) {
        walk(into[k] as Record<string, unknown>, v, full);
        continue;
      }
      const before = ctx.origin.get(full.split(".")[0]) ?? "inline vars";
      throw new ConfigError(
        `cannot redefine '${full}' from '${
          source ?? "inline vars"
        }': it is already defined in '${before}'`,
        { file: at.y.file, ...at.y.locate(at.path), field: "vars" },
      );
    }
  };
  walk(ctx.data, value, "");
}

/** A dotted key's value, or where the lookup stopped. */
export type Lookup =
  | { ok: true; value: unknown }
  | { ok: false; at: string; missing: string; parent: unknown };

/** Look up a dotted key (`a.b.0`) in mappings and lists. */
export function lookupKey(data: unknown, key: string): Lookup {
  let value = data;
  const segs = key.split(".");
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (isMapping(value) && Object.hasOwn(value, s)) value = value[s];
    else if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(s) && +s < value.length) {
      value = value[+s];
    } else return { ok: false, at: segs.slice(0, i).join("."), missing: s, parent: value };
  }
  return { ok: true, value };
}
