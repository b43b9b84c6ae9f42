/**
 * Param overrides for a Train run, written into params.yaml in the
 * workspace the way DVC's `exp run -S key=value` does: through the yaml
 * Document API, so comments and layout stay; only existing keys may be set.
 *
 * @module
 */
import { isCollection, isMap, isScalar, parseDocument } from "yaml";
import { DashError } from "./errors.ts";

/**
 * Parse `key=value` lines (value as YAML: `5` is a number, `[1, 2]` a list).
 *
 * @example
 * ```ts
 * import { parseOverrides } from "./params_edit.ts";
 * parseOverrides("train.epochs=5\n"); // { "train.epochs": 5 }
 * ```
 */
export function parseOverrides(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      throw new DashError("BAD_REQUEST", `override line ${i + 1}: expected key=value`);
    }
    const key = line.slice(0, eq).trim();
    const doc = parseDocument(line.slice(eq + 1).trim());
    if (doc.errors.length) {
      throw new DashError("BAD_REQUEST", `override line ${i + 1}: ${doc.errors[0].message}`);
    }
    out[key] = doc.toJS();
  }
  return out;
}

/**
 * Set dotted keys in YAML text, keeping comments; every key must exist.
 *
 * @example
 * ```ts
 * import { setParams } from "./params_edit.ts";
 * setParams("train:\n  epochs: 60 # max\n", { "train.epochs": 5 }); // "train:\n  epochs: 5 # max\n"
 * ```
 */
export function setParams(text: string, overrides: Record<string, unknown>): string {
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) throw new DashError("BAD_REQUEST", "params file is not a mapping");
  for (const [key, value] of Object.entries(overrides)) {
    const path = key.split(".");
    if (path.some((p) => p === "") || !doc.hasIn(path)) {
      throw new DashError("BAD_REQUEST", `no param '${key}' in params.yaml`);
    }
    const node = doc.getIn(path, true);
    if (isScalar(node) && (value === null || typeof value !== "object")) {
      node.value = value;
    } else {
      const created = doc.createNode(value);
      if (isCollection(node) && isCollection(created)) created.flow = node.flow;
      doc.setIn(path, created);
    }
  }
  return doc.toString();
}
