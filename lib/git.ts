/**
 * Reading files as they were at a git revision (for `metrics diff` and
 * `params diff`), and the checkout's state (commit, dirty flag, diff hash)
 * for run records.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ConfigError } from "./errors.ts";

/**
 * The content of `path` at `rev` (`git show REV:PATH`), or `undefined` when
 * the file did not exist there. An unknown revision or a folder that is not a
 * git checkout throws a {@linkcode ConfigError}.
 *
 * @example
 * ```ts ignore
 * import { gitShow } from "./git.ts";
 * const oldLock = await gitShow({ cwd: ".", rev: "HEAD~1", path: "pipeline.lock" });
 * ```
 */
export async function gitShow(
  options: { cwd: string; rev: string; path: string },
): Promise<string | undefined> {
  const { cwd, rev, path } = options;
  const verify = await new Deno.Command("git", {
    args: ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!verify.success) {
    throw new ConfigError(`'${rev}' is not a git revision of this repository`, { field: "REV" });
  }
  const out = await new Deno.Command("git", {
    args: ["show", `${rev}:./${path}`],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) return undefined;
  return new TextDecoder().decode(out.stdout);
}

/** The git state of a workspace: what a run record and an MLflow run carry. */
export interface GitState {
  /** `HEAD`'s commit. */
  commit: string;
  /** Whether tracked files differ from `HEAD` or untracked (not ignored) files exist. */
  dirty: boolean;
  /**
   * When dirty: sha256 (hex) of `git diff HEAD --binary` followed by the
   * untracked (not ignored) files' names, sizes and mtimes — not their
   * content, which may be large data — so two runs with the same hash ran the
   * same uncommitted changes.
   */
  diffHash?: string;
}

async function git(cwd: string, args: string[]): Promise<Uint8Array | undefined> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null" })
    .output();
  return out.success ? out.stdout : undefined;
}

/**
 * The commit, dirty flag and diff hash of the checkout at `cwd`; undefined
 * when git is missing, not allowed (`--allow-run=git`), or `cwd` is not a
 * checkout with a commit.
 *
 * @example
 * ```ts ignore
 * import { gitState } from "./git.ts";
 * const state = await gitState("."); // { commit: "1b03b8b…", dirty: true, diffHash: "9f2c…" }
 * ```
 */
export async function gitState(cwd: string): Promise<GitState | undefined> {
  try {
    const head = await git(cwd, ["rev-parse", "--verify", "--quiet", "HEAD"]);
    const commit = head && new TextDecoder().decode(head).trim();
    if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    const diff = await git(cwd, ["diff", "HEAD", "--binary", "--no-color", "--no-ext-diff"]);
    const untracked = await git(cwd, ["ls-files", "--others", "--exclude-standard", "-z"]);
    if (!diff || !untracked) return undefined;
    const names = new TextDecoder().decode(untracked).split("\0").filter(Boolean).sort();
    if (diff.length === 0 && names.length === 0) return { commit, dirty: false };
    const hash = createHash("sha256").update(diff);
    for (const name of names) {
      // By size and mtime, not content: untracked files may be large data files.
      const info = await Deno.stat(join(cwd, name)).catch(() => undefined);
      hash.update(`\0untracked ${name} ${info?.size ?? -1} ${info?.mtime?.getTime() ?? -1}\0`);
    }
    return { commit, dirty: true, diffHash: hash.digest("hex") };
  } catch {
    return undefined;
  }
}
