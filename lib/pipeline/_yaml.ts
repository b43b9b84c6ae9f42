/**
 * {@linkcode parseYaml} with the position of syntax errors filled in.
 *
 * `lib/yaml.ts` reads `linePos` of the first YAML error, which the `yaml`
 * package only computes with `prettyErrors: true`; it parses with
 * `prettyErrors: false`, so "invalid YAML" errors come out without a line.
 * Until that is fixed there, this recovers the position from the error's
 * offset. Remove it once `parseYaml` reports lines itself.
 *
 * @module
 */
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";
import { parseYaml, type YamlFile } from "../yaml.ts";

/**
 * Parse YAML like {@linkcode parseYaml}; a syntax error always has a line.
 *
 * @example
 * ```ts
 * import { parseYamlAt } from "./_yaml.ts";
 * parseYamlAt("a: 1\n", "params.yaml").value; // { a: 1 }
 * ```
 */
export function parseYamlAt(text: string, file: string): YamlFile {
  try {
    return parseYaml(text, file);
  } catch (err) {
    if (!(err instanceof ConfigError) || err.where.line !== undefined) throw err;
    const lineCounter = new LineCounter();
    const first = parseDocument(text, { lineCounter, prettyErrors: false }).errors[0];
    if (!first) throw err;
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(err.message, { file, line, column: col, hint: err.hint });
  }
}
