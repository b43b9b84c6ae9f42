/**
 * Data paths as params give them (`ingest.path`, `ingest.test_path`): one
 * file, a list of files, or globs. Globs expand to their matches in sorted
 * order (the same order `pipeline.yaml`'s deps list them); a list keeps the
 * order written.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { expandGlob, isGlob } from "../glob.ts";
import type { Section } from "../section.ts";

/**
 * Read a params key holding a path, a list of paths, or nothing (`[]` or
 * absent: an empty list). Bad shapes are a {@linkcode ConfigError} at the key.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { openSection } from "../section.ts";
 * import { readPathList } from "./data_paths.ts";
 * const s = openSection(parseYaml("ingest:\n  path: [a.csv, 'b/*.csv']\n", "p.yaml"), ["ingest"]);
 * readPathList(s, "path"); // ["a.csv", "b/*.csv"]
 * ```
 */
export function readPathList(s: Section, key: string): string[] {
  if (!s.has(key)) return [];
  const raw = s.raw(key);
  if (raw === null) return [];
  if (typeof raw === "string") {
    if (raw.trim() === "") throw s.error(key, `'${key}' must not be empty`);
    return [raw];
  }
  const list = s.strings(key);
  const blank = list.findIndex((p) => p.trim() === "");
  if (blank !== -1) throw s.error(key, `'${key}' item ${blank + 1} is empty`);
  return list;
}

/**
 * The files `patterns` name, relative to `root`: globs expanded (sorted,
 * each must match something), plain paths kept as written, duplicates
 * dropped. `field` names the params key in errors.
 *
 * @example
 * ```ts ignore
 * import { resolveDataPaths } from "./data_paths.ts";
 * await resolveDataPaths(["data/day-*.csv"], { field: "ingest.path" }); // ["data/day-1.csv", …]
 * ```
 */
export async function resolveDataPaths(
  patterns: string[],
  options: { field: string; root?: string; file?: string },
): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    const matches = isGlob(pattern) ? await expandGlob(options.root ?? ".", pattern) : [pattern];
    if (matches.length === 0) {
      throw new ConfigError(`'${options.field}' pattern '${pattern}' matches no file`, {
        file: options.file,
        field: options.field,
        hint: "globs are relative to the workspace root; check the folder and the extension",
      });
    }
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}
