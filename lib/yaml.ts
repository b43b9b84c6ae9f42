/**
 * YAML files parsed once, with positions: every value can be traced back to
 * its file, line and column so errors can name them.
 *
 * @module
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { Document, Node } from "yaml";
import { ConfigError } from "./errors.ts";

let yamlModule: typeof Yaml | undefined;
/**
 * The `yaml` package, loaded on first use (synchronously, through Node's
 * `require`): a no-op `status` finds every YAML file in the parse cache
 * (runner/cache/parse_cache.ts) and should not pay the ~100 ms the package takes
 * to load.
 */
function yaml(): typeof Yaml {
  return yamlModule ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
}

/** A parsed YAML file that can say where each key sits. */
export interface YamlFile {
  /** Path as given (used in messages). */
  file: string;
  /** The plain JavaScript value of the document (`null` for an empty file). */
  value: unknown;
  /**
   * Line and column (1-based) of the node at `path` — of the key itself when
   * `key` is true (for "unknown key" messages), else of its value. Falls back
   * to the nearest existing ancestor.
   */
  locate(path: (string | number)[], key?: boolean): { line: number; column: number };
}

/**
 * Parse YAML text; syntax errors and duplicate keys throw a
 * {@linkcode ConfigError} naming the file, line and column.
 *
 * @example
 * ```ts
 * import { parseYaml } from "./yaml.ts";
 * const y = parseYaml("train:\n  lr: 0.1\n", "params.yaml");
 * y.locate(["train", "lr"]); // { line: 2, column: 7 }
 * ```
 */
export function parseYaml(text: string, file: string): YamlFile {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // linePos is only filled with prettyErrors; derive it from the offset.
    const pos = lineCounter.linePos(e.pos[0]);
    throw new ConfigError(`invalid YAML: ${e.message.split("\n")[0]}`, {
      file,
      line: pos.line,
      column: pos.col,
    });
  }
  return {
    file,
    value: doc.toJS() ?? null,
    locate: (path, key = false) => locateIn(doc, lineCounter, path, key),
  };
}

/**
 * A {@linkcode YamlFile} for text whose value is already known (from a parse
 * cache): `locate` parses the text only when an error needs a position.
 *
 * @example
 * ```ts
 * import { yamlFromValue } from "./yaml.ts";
 * const y = yamlFromValue("a: 1\n", "params.yaml", { a: 1 });
 * y.locate(["a"]); // { line: 1, column: 4 }
 * ```
 */
export function yamlFromValue(text: string, file: string, value: unknown): YamlFile {
  let parsed: YamlFile | undefined;
  return {
    file,
    value,
    locate: (path, key) => (parsed ??= parseYaml(text, file)).locate(path, key),
  };
}

function locateIn(
  doc: Document,
  lineCounter: Yaml.LineCounter,
  path: (string | number)[],
  key: boolean,
): { line: number; column: number } {
  const { isMap, isSeq } = yaml();
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let node: unknown = doc.contents;
  let best = { line: 1, column: 1 };
  if (node && (node as Node).range) best = pos((node as Node).range![0]);
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        String((p.key as { value?: unknown } | null)?.value) === String(step)
      );
      if (!pair) return best;
      const k = pair.key as Node | null;
      if (k?.range) best = pos(k.range[0]);
      if (key && step === path[path.length - 1]) return best;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      node = node.items[step];
    } else {
      return best;
    }
    const r = (node as Node | null)?.range;
    if (r) best = pos(r[0]);
  }
  return best;
}

/**
 * Read and parse a YAML file. A missing file throws a {@linkcode ConfigError}.
 *
 * @example
 * ```ts ignore
 * import { readYaml } from "./yaml.ts";
 * const params = await readYaml("params.yaml");
 * ```
 */
export async function readYaml(path: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ConfigError(`file not found`, { file: path, cause: err });
    }
    throw err;
  }
  return parseYaml(text, path);
}

/**
 * YAML text of a value (the `yaml` package's `stringify`, loaded on first use).
 *
 * @example
 * ```ts
 * import { stringifyYaml } from "./yaml.ts";
 * stringifyYaml({ a: [1, 2] }); // "a:\n  - 1\n  - 2\n"
 * ```
 */
export function stringifyYaml(value: unknown, options?: Yaml.ToStringOptions): string {
  return yaml().stringify(value, options);
}
