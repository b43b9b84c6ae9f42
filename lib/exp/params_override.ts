/**
 * `exp run -S [FILE:]KEY=VALUE`: parsing the overrides and applying them to
 * a params file's YAML text (comments and layout kept; values parsed as YAML
 * scalars, so `-S train.lr=0.1` sets a number and `-S ingest.source=mongodb`
 * a string).
 *
 * @module
 */
import { isMap, parse, parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";

/** One `-S` override. */
export interface ParamOverride {
  /** Params file, relative to the workspace root (default `params.yaml`). */
  file: string;
  /** Dotted key. */
  key: string;
  /** The new value. */
  value: unknown;
}

/** An applied override with the value it replaced. */
export interface ChangedParam extends ParamOverride {
  /** The value before (undefined: the key was new). */
  was?: unknown;
}

/**
 * Parse `-S` arguments: `KEY=VALUE` or `FILE:KEY=VALUE`.
 *
 * @example
 * ```ts
 * import { parseOverrides } from "./params_override.ts";
 * parseOverrides(["train.lr=0.1", "p2.yaml:a.b=x"]);
 * // [{ file: "params.yaml", key: "train.lr", value: 0.1 }, { file: "p2.yaml", key: "a.b", value: "x" }]
 * ```
 */
export function parseOverrides(args: readonly string[]): ParamOverride[] {
  return args.map((arg) => {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      throw new ConfigError(`-S expects [FILE:]KEY=VALUE, got '${arg}'`, {
        field: "-S",
        hint: "e.g. -S train.lr=0.01 or -S params.yaml:train.lr=0.01",
      });
    }
    const target = arg.slice(0, eq);
    const colon = target.lastIndexOf(":");
    const file = colon > 0 ? target.slice(0, colon) : "params.yaml";
    const key = colon > 0 ? target.slice(colon + 1) : target;
    if (!/^[^.\s]+(\.[^.\s]+)*$/.test(key)) {
      throw new ConfigError(`-S: '${key}' is not a dotted key`, { field: "-S" });
    }
    let value: unknown;
    try {
      value = parse(arg.slice(eq + 1));
    } catch {
      value = arg.slice(eq + 1);
    }
    return { file, key, value: value ?? null };
  });
}

/**
 * Apply the overrides of one file to its YAML text. Every key must already
 * exist (a typo would otherwise add a param no stage reads); the error names
 * the file and the key.
 *
 * @example
 * ```ts
 * import { applyOverrides } from "./params_override.ts";
 * const { text, changed } = applyOverrides("train:\n  lr: 0.01 # step\n", [
 *   { file: "params.yaml", key: "train.lr", value: 0.1 },
 * ]);
 * text; // "train:\n  lr: 0.1 # step\n"
 * changed[0].was; // 0.01
 * ```
 */
export function applyOverrides(
  text: string,
  overrides: readonly ParamOverride[],
): { text: string; changed: ChangedParam[] } {
  const doc = parseDocument(text);
  const changed: ChangedParam[] = [];
  for (const o of overrides) {
    const path = o.key.split(".");
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1)) : doc.contents;
    if (!isMap(parent) || !parent.has(path.at(-1))) {
      throw new ConfigError(`-S ${o.key}: no such key in ${o.file}`, {
        file: o.file,
        field: o.key,
        hint: "experiments change existing params only; check the key's spelling",
      });
    }
    const was = doc.getIn(path);
    changed.push({ ...o, was: toPlain(was) });
    doc.setIn(path, o.value);
  }
  return { text: doc.toString(), changed };
}

function toPlain(v: unknown): unknown {
  return v !== null && typeof v === "object" && "toJSON" in v
    ? (v as { toJSON(): unknown }).toJSON()
    : v;
}
