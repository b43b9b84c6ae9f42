/**
 * Workspace paths as the runner compares them: posix, relative to the
 * workspace root, without `.`/`..` segments or a trailing slash. Two paths
 * "overlap" when they are equal or one is a folder holding the other; the
 * pipeline's edges and its collision checks are all built on that one rule.
 *
 * @module
 */
import { ConfigError, type Where } from "../../errors.ts";

/**
 * Normalise a path written in pipeline.yaml to its posix relative form:
 * `./data//x.csv` becomes `data/x.csv`, `artifacts/` becomes `artifacts`,
 * `a/../b` becomes `b`. Empty paths, absolute paths, paths that climb out of
 * the workspace with `..` and the workspace root itself throw a
 * {@linkcode ConfigError} carrying `where`.
 *
 * @example
 * ```ts
 * import { normalizePath } from "./paths.ts";
 * normalizePath("./data//raw.csv"); // "data/raw.csv"
 * normalizePath("artifacts/"); // "artifacts"
 * ```
 */
export function normalizePath(raw: string, where: Where = {}): string {
  const fail = (why: string, hint?: string) =>
    new ConfigError(`path '${raw}' ${why}`, { ...where, hint });
  if (raw.trim() === "") throw fail("is empty");
  if (raw.startsWith("/") || /^[A-Za-z]:[\\/]/.test(raw) || raw.startsWith("\\\\")) {
    throw fail("is absolute", "write paths relative to the workspace root, e.g. 'data/raw.csv'");
  }
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) {
        throw fail("escapes the workspace with '..'", "keep every path inside the workspace");
      }
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  if (parts.length === 0) {
    throw fail("is the workspace root", "name a file or folder inside the workspace");
  }
  return parts.join("/");
}

/**
 * Whether normalised path `child` lies strictly inside folder `parent`.
 *
 * @example
 * ```ts
 * import { isInside } from "./paths.ts";
 * isInside("artifacts/model.json", "artifacts"); // true
 * isInside("artifacts2/x", "artifacts"); // false
 * ```
 */
export function isInside(child: string, parent: string): boolean {
  return child.length > parent.length + 1 && child.startsWith(parent + "/");
}

/**
 * Whether two normalised paths are equal or one is inside the other.
 *
 * @example
 * ```ts
 * import { overlaps } from "./paths.ts";
 * overlaps("data", "data/x.csv"); // true
 * overlaps("data/x.csv", "data/y.csv"); // false
 * ```
 */
export function overlaps(a: string, b: string): boolean {
  return a === b || isInside(a, b) || isInside(b, a);
}

/** A lookup of normalised paths answering "which entries overlap this path?". */
export interface PathIndex<T> {
  /** Add an entry under `path` (several entries may share a path). */
  add(path: string, value: T): void;
  /**
   * Entries whose path equals `path`, is a folder containing it, or lies
   * inside it; ancestors first, then the exact path, then descendants in path
   * order, each in insertion order.
   */
  overlapping(path: string): { path: string; value: T }[];
}

/**
 * An index of paths for overlap queries in O(depth + matches · log n) rather
 * than a scan of every entry.
 *
 * @example
 * ```ts
 * import { indexPaths } from "./paths.ts";
 * const outs = indexPaths<string>();
 * outs.add("artifacts", "train");
 * outs.overlapping("artifacts/model.json"); // [{ path: "artifacts", value: "train" }]
 * ```
 */
export function indexPaths<T>(): PathIndex<T> {
  const byPath = new Map<string, T[]>();
  let sorted: string[] | undefined = [];
  const entries = (path: string) => (byPath.get(path) ?? []).map((value) => ({ path, value }));
  return {
    add(path, value) {
      const list = byPath.get(path);
      if (list) {
        list.push(value);
      } else {
        byPath.set(path, [value]);
        sorted = undefined;
      }
    },
    overlapping(path) {
      const found: { path: string; value: T }[] = [];
      for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
        found.push(...entries(path.slice(0, i)));
      }
      found.push(...entries(path));
      sorted ??= [...byPath.keys()].sort();
      const prefix = path + "/";
      let lo = 0, hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < prefix) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < sorted.length && sorted[i].startsWith(prefix); i++) {
        found.push(...entries(sorted[i]));
      }
      return found;
    },
  };
}
