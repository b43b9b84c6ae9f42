/**
 * Reading files as they were at a git revision (for `metrics diff` and
 * `params diff`).
 *
 * @module
 */
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
