/**
 * Parsing the list items of one stage: an out of `outs`/`metrics`/`plots`
 * with its options, and the `params` keys grouped by file. Private to
 * lib/runner/spec (used by `_stage.ts`).
 *
 * @module
 */
import type { ConfigError } from "../../errors.ts";
import { describe, isMapping, unknownKeyMessage } from "./_yaml_values.ts";
import type { OutKind, OutSpec, ParamRef, SpecLocation } from "./spec_types.ts";

/** Options every out accepts, and the extra ones plots keep as `options`. */
const OUT_OPTIONS = ["cache", "persist"];
const PLOT_OPTIONS = ["x", "y", "template", "title", "x_label", "y_label", "header"];

/** The file every bare param key refers to. */
export const DEFAULT_PARAMS_FILE = "params.yaml";

/** How the stage parser locates, fails and normalizes paths (closures over its stage). */
export interface Helpers {
  at(sub: (string | number)[], key?: boolean): SpecLocation;
  fail(
    sub: (string | number)[],
    message: string,
    options?: { field?: string; key?: boolean; hint?: string },
  ): ConfigError;
  path(sub: (string | number)[], raw: unknown, field: string, key?: boolean): string;
}

/** One item of `outs`/`metrics`/`plots`: `path` or `path: {cache, persist, …}`. */
export function parseOut(
  sub: [string, number],
  item: unknown,
  kind: OutKind,
  { at, fail, path }: Helpers,
): OutSpec {
  const [field] = sub;
  const out: OutSpec = { path: "", kind, cache: kind !== "metric", persist: false };
  if (!isMapping(item)) {
    out.path = path(sub, item, field);
    out.where = at(sub);
    return out;
  }
  const keys = Object.keys(item);
  if (keys.length !== 1) {
    throw fail(
      sub,
      `each item of '${field}' must be a path or 'path: {cache: …}', got a mapping with ${keys.length} keys (${
        keys.join(", ")
      })`,
      {
        field,
        hint: "indent the options one level deeper than the path",
      },
    );
  }
  const [rawPath] = keys;
  out.path = path([...sub, rawPath], rawPath, field, true);
  out.where = at([...sub, rawPath], true);
  const opts = item[rawPath];
  if (opts === null) return out;
  if (!isMapping(opts)) {
    throw fail(
      [...sub, rawPath],
      `options of '${rawPath}' in '${field}' must be a mapping, got ${describe(opts)}`,
      {
        field,
      },
    );
  }
  const valid = kind === "plot" ? [...OUT_OPTIONS, ...PLOT_OPTIONS] : OUT_OPTIONS;
  for (const [key, value] of Object.entries(opts)) {
    if (!valid.includes(key)) {
      throw fail(
        [...sub, rawPath, key],
        unknownKeyMessage(key, `for '${rawPath}' in '${field}'`, valid),
        {
          field: `${field}.${key}`,
          key: true,
          hint: `an item of '${field}' takes ${valid.join(", ")}`,
        },
      );
    }
    if (OUT_OPTIONS.includes(key)) {
      if (typeof value !== "boolean") {
        throw fail(
          [...sub, rawPath, key],
          `'${key}' of '${rawPath}' must be true or false, got ${describe(value)}`,
          {
            field: `${field}.${key}`,
          },
        );
      }
      out[key as "cache" | "persist"] = value;
    } else {
      (out.options ??= {})[key] = value;
    }
  }
  return out;
}

/** `params`: bare keys of params.yaml, or `file.yaml: [keys]`; grouped by file. */
export function parseParams(items: unknown[], { at, fail, path }: Helpers): ParamRef[] {
  const byFile = new Map<string, ParamRef & { keyWhere: SpecLocation[] }>();
  const addKey = (file: string, key: unknown, sub: (string | number)[]) => {
    if (typeof key !== "string" || key.trim() !== key || !/^[^.]+(\.[^.]+)*$/.test(key)) {
      throw fail(sub, `param key ${describe(key)} must be a dotted key such as 'train.lr'`, {
        field: "params",
      });
    }
    let ref = byFile.get(file);
    if (!ref) byFile.set(file, ref = { file, keys: [], keyWhere: [] });
    const seen = ref.keys.indexOf(key);
    if (seen !== -1) {
      throw fail(
        sub,
        `param '${key}' of '${file}' is listed twice (lines ${ref.keyWhere[seen].line} and ${
          at(sub).line
        })`,
        {
          field: "params",
        },
      );
    }
    ref.keys.push(key);
    ref.keyWhere.push(at(sub));
  };
  items.forEach((item, i) => {
    if (!isMapping(item)) return addKey(DEFAULT_PARAMS_FILE, item, ["params", i]);
    const entries = Object.entries(item);
    if (entries.length !== 1) {
      throw fail(
        ["params", i],
        `each item of 'params' must be a key or 'file.yaml: [keys]', got a mapping with ${entries.length} keys`,
        {
          field: "params",
        },
      );
    }
    const [[rawFile, keys]] = entries;
    const file = path(["params", i, rawFile], rawFile, "params", true);
    if (!Array.isArray(keys) || keys.length === 0) {
      throw fail(
        ["params", i, rawFile],
        `'${rawFile}' in 'params' must list the keys to track, got ${describe(keys)}`,
        {
          field: "params",
          hint: `e.g. - ${rawFile}: [train.lr, split]`,
        },
      );
    }
    keys.forEach((key, k) => addKey(file, key, ["params", i, rawFile, k]));
  });
  return [...byFile.values()];
}
