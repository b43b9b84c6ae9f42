/**
 * `${…}` interpolation of `pipeline.yaml`: resolve every string of a YAML
 * subtree against the templating context, recording which params-file keys
 * each stage read. Private to lib/runner/spec (used by `template.ts`).
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import type { YamlFile } from "../../yaml.ts";
import { DEFAULT_PARAMS_FILE, describe, isMapping } from "./_stage.ts";
import { didYouMean } from "./_suggest.ts";
import { type Context, lookupKey, type Path } from "./_template_context.ts";

/** What expansion works in: the pipeline file, the context and the stage (group) name. */
export interface Expander {
  y: YamlFile;
  ctx: Context;
  stage: string;
}

/** An expander that records the params-file keys it reads (file -> keys). */
export interface Resolver extends Expander {
  used: Map<string, string[]>;
}

const TOKEN = /\\\$\{|\$\{([^{}]*)\}/g;

/** Resolve every string of a YAML subtree (keys are left alone). */
export function resolveTree(value: unknown, path: Path, r: Resolver): unknown {
  if (typeof value === "string") return interpolate(value, path, r);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => resolveTree(v, [...path, i], r));
    // A dep written as '${key}' naming a list stands for its items (data paths given as lists).
    if (path[path.length - 1] !== "deps") return items;
    return items.flatMap((v, i) => Array.isArray(v) && isWholeKey(value[i]) ? v : [v]);
  }
  if (isMapping(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveTree(v, [...path, k], r)]),
    );
  }
  return value;
}

function isWholeKey(v: unknown): boolean {
  return typeof v === "string" && /^\$\{([^{}]*)\}$/.test(v);
}

function interpolate(text: string, path: Path, r: Resolver): unknown {
  if (!text.includes("${")) return text;
  const whole = /^\$\{([^{}]*)\}$/.exec(text);
  if (whole) return structuredClone(resolveKey(whole[1], path, r));
  return text.replace(TOKEN, (match, inner: string | undefined) => {
    if (inner === undefined) return match.slice(1); // \${ -> ${
    const v = resolveKey(inner, path, r);
    if (v === null || typeof v === "object") {
      throw new ConfigError(
        `cannot put ${describe(v)} inside a string: '\${${inner.trim()}}' in '${text}'`,
        {
          file: r.y.file,
          ...r.y.locate(path),
          stage: r.stage,
          field: String(path[2] ?? ""),
          hint: "only strings, numbers and booleans can be embedded; " +
            "write the whole value as '${key}' to use a list or mapping",
        },
      );
    }
    return toStr(v);
  });
}

function resolveKey(inner: string, path: Path, r: Resolver): unknown {
  const key = inner.trim().replace(/\[(\d+)\]/g, ".$1");
  const fail = (message: string, hint?: string) =>
    new ConfigError(message, {
      file: r.y.file,
      ...r.y.locate(path),
      stage: r.stage,
      field: String(path[2] ?? ""),
      hint,
    });
  if (!/^[^.\s]+(\.[^.\s]+)*$/.test(key)) {
    throw fail(`'\${${inner}}' does not name a key`, "write a dotted key such as ${train.lr}");
  }
  const found = lookupKey(r.ctx.data, key);
  if (!found.ok) {
    const siblings = isMapping(found.parent) ? Object.keys(found.parent) : [];
    const sources = [...new Set([...r.ctx.origin.values()].map((o) => o ?? "vars"))];
    throw fail(
      `could not find '${key}'${found.at ? ` ('${found.at}' has no '${found.missing}')` : ""} in ${
        sources.length ? sources.join(", ") : "an empty context (no params.yaml, no vars)"
      }${didYouMean(found.missing, siblings)}`,
      `interpolation reads keys of ${DEFAULT_PARAMS_FILE} and the files and mappings under 'vars'`,
    );
  }
  const topKey = key.split(".")[0];
  const origin = r.ctx.origin.get(topKey);
  if (origin) {
    const keys = r.used.get(origin) ?? [];
    if (!keys.includes(key)) keys.push(key);
    r.used.set(origin, keys);
  }
  return found.value;
}

/** DVC's `to_str`: booleans lower-case, everything else as written. */
export function toStr(v: unknown): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}
