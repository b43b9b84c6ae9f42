/**
 * The isolated copy an experiment runs in: the workspace's files as they are
 * now (uncommitted edits included), without the cache, `.git` or any
 * stage out. In a git checkout the files are git's (`git ls-files`: tracked
 * plus untracked-but-not-ignored); elsewhere every file but those. Files are
 * copied (`Deno.copyFile`, a reflink where the file system has them), never
 * linked, so nothing the experiment does can reach the user's files.
 *
 * @module
 */
import { dirname, join, relative, sep } from "node:path";

/** Options of {@linkcode snapshotWorkspace}. */
export interface SnapshotOptions {
  /** The workspace root. */
  root: string;
  /** Where the copy goes (created; must not exist). */
  dest: string;
  /** Paths relative to root never copied (the cache, stage outs). */
  exclude: string[];
}

/**
 * Copy the workspace into `dest`; returns the number of files copied.
 *
 * @example
 * ```ts ignore
 * import { snapshotWorkspace } from "./snapshot.ts";
 * await snapshotWorkspace({ root: ws.root, dest: "/tmp/exp-1", exclude: [".cache", "artifacts/model"] });
 * ```
 */
export async function snapshotWorkspace(options: SnapshotOptions): Promise<number> {
  const { root, dest } = options;
  const excluded = [".git", ...options.exclude].map((p) => p.replace(/\/+$/, ""));
  const skip = (rel: string) => excluded.some((e) => rel === e || rel.startsWith(e + "/"));
  const files = (await gitFiles(root)) ?? await walk(root, "", skip);
  await Deno.mkdir(dest, { recursive: true });
  let copied = 0;
  for (const rel of files) {
    if (skip(rel)) continue;
    const from = join(root, rel);
    let info;
    try {
      info = await Deno.lstat(from);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // deleted but still tracked
      throw err;
    }
    const to = join(dest, rel);
    await Deno.mkdir(dirname(to), { recursive: true });
    if (info.isSymlink) {
      await Deno.symlink(await Deno.readLink(from), to);
    } else if (info.isFile) {
      await Deno.copyFile(from, to);
    } else {
      continue;
    }
    copied++;
  }
  return copied;
}

/** git's view of the workspace files, or undefined outside a git checkout (or without git). */
async function gitFiles(root: string): Promise<string[] | undefined> {
  let out;
  try {
    out = await new Deno.Command("git", {
      args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotCapable) {
      return undefined;
    }
    throw err;
  }
  if (!out.success) return undefined;
  // Paths come relative to cwd (the root), which is what we want.
  return [...new Set(new TextDecoder().decode(out.stdout).split("\0").filter(Boolean))];
}

async function walk(root: string, rel: string, skip: (rel: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(root, rel))) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (skip(path)) continue;
    if (entry.isDirectory) files.push(...await walk(root, path, skip));
    else files.push(path);
  }
  return files.map((p) => p.split(sep).join("/"));
}

/**
 * `path` relative to `root` with forward slashes, or undefined when outside it.
 *
 * @example
 * ```ts
 * import { insideRoot } from "./snapshot.ts";
 * [insideRoot("/ws", "/ws/.cache"), insideRoot("/ws", "/tmp/cache")]; // [".cache", undefined]
 * ```
 */
export function insideRoot(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  return rel.startsWith("..") || rel === "" ? undefined : rel.split(sep).join("/");
}
