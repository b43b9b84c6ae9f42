/**
 * A cache of parse results keyed by the content hash of the parsed text, so
 * a no-op `status` does not re-parse unchanged YAML (pipeline.yaml,
 * pipeline.lock, params files): the `yaml` parser runs at ~1 MB/s, JSON.parse
 * at hundreds. Only successful parses are stored, so a cached entry never
 * hides an error. Entries live in `<cache>/tmp/parsed/` and `gc` drops them.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../atomic.ts";
import { hashBytes } from "../../file_hash.ts";

/** Bump when a cached parse result's shape changes. */
const FORMAT = 1;

/** The folder of the parse cache inside a cache dir. */
export function parseCacheDir(cacheDir: string): string {
  return join(cacheDir, "tmp", "parsed");
}

/** Options of {@linkcode cachedParse}. */
export interface CachedParseOptions<T> {
  /** The runner's cache dir; without it nothing is cached. */
  cacheDir?: string;
  /** What is parsed (part of the key: `lock`, `pipeline`, `params` …). */
  kind: string;
  /** The file name (part of the key: results carry it in their positions). */
  file: string;
  /** The text to parse. */
  text: string;
  /** The real parser; throws on bad input. */
  parse: () => T;
  /** Turn a result into JSON data (default: as is). */
  toJson?: (value: T) => unknown;
  /** Rebuild a result from JSON data (default: as is). */
  fromJson?: (json: unknown) => T;
}

/**
 * Parse `text`, or return the result cached for the same kind, file and text.
 *
 * @example
 * ```ts ignore
 * import { cachedParse } from "./parse_cache.ts";
 * const lock = await cachedParse({ cacheDir: ".cache", kind: "lock", file, text, parse: () => parseLock(text, file) });
 * ```
 */
export async function cachedParse<T>(options: CachedParseOptions<T>): Promise<T> {
  const { cacheDir, kind, file, text, parse } = options;
  if (!cacheDir) return parse();
  const key = hashBytes(new TextEncoder().encode(`${FORMAT}\0${kind}\0${file}\0${text}`));
  const path = join(parseCacheDir(cacheDir), `${kind}-${key}.json`);
  try {
    const json = JSON.parse(await Deno.readTextFile(path));
    return options.fromJson ? options.fromJson(json) : json as T;
  } catch {
    // A miss (or an unreadable entry): parse for real below.
  }
  const value = parse();
  try {
    await Deno.mkdir(parseCacheDir(cacheDir), { recursive: true });
    await writeFileAtomic(path, JSON.stringify(options.toJson ? options.toJson(value) : value));
  } catch {
    // Caching is an optimisation: a read-only cache dir must not fail the command.
  }
  return value;
}
