/**
 * File globs for data paths (`data/day-*.csv`, `captures/**\/*.csv.gz`):
 * `*` and `?` match within one path segment, `[abc]`/`[a-z]` a character
 * class, `**` any number of folders. Matches come back sorted so every
 * reader sees the files in the same order on every machine.
 *
 * @module
 */
import { join } from "node:path";

/**
 * Whether a path holds glob characters.
 *
 * @example
 * ```ts
 * import { isGlob } from "./glob.ts";
 * [isGlob("data/*.csv"), isGlob("data/a.csv")]; // [true, false]
 * ```
 */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** A glob segment as a regular expression (whole segment). */
function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end === -1) re += "\\[";
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body.replaceAll("\\", "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files under `root` matching a workspace-relative glob, as
 * workspace-relative posix paths in sorted (code point) order. Hidden
 * entries match only a segment that starts with `.`. Folders are not
 * returned, only files.
 *
 * @example
 * ```ts ignore
 * import { expandGlob } from "./glob.ts";
 * await expandGlob(".", "data/day-*.csv"); // ["data/day-1.csv", "data/day-2.csv"]
 * ```
 */
export async function expandGlob(root: string, pattern: string): Promise<string[]> {
  const segments = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const found: string[] = [];
  const walk = async (dir: string[], i: number): Promise<void> => {
    if (i === segments.length) {
      const info = await statOrNull(join(root, ...dir));
      if (info?.isFile) found.push(dir.join("/"));
      return;
    }
    const seg = segments[i];
    if (seg === "**") {
      await walk(dir, i + 1);
      for (const entry of await listDir(join(root, ...dir))) {
        if (entry.isDirectory && !entry.name.startsWith(".")) await walk([...dir, entry.name], i);
      }
      return;
    }
    if (!isGlob(seg)) return walk([...dir, seg], i + 1);
    const re = segmentRegExp(seg);
    for (const entry of await listDir(join(root, ...dir))) {
      if (entry.name.startsWith(".") && !seg.startsWith(".")) continue;
      if (re.test(entry.name)) await walk([...dir, entry.name], i + 1);
    }
  };
  await walk([], 0);
  return [...new Set(found)].sort();
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(path || "."));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) return [];
    throw err;
  }
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return null;
    }
    throw err;
  }
}
