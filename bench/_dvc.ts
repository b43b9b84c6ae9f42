/**
 * DVC for the side-by-side runner benchmark: a pinned `dvc` from PyPI in a
 * virtualenv outside the repository, created on first use, and the setup of
 * a DVC repository around a synthetic workspace.
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "../lib/log.ts";

/** The DVC release the benchmark installs and compares against. */
export const DVC_VERSION = "3.67.1";

/** Environment for every DVC command: no usage analytics (no network calls). */
export const DVC_ENV: Record<string, string> = { DVC_NO_ANALYTICS: "1", NO_COLOR: "1" };

/** A usable DVC install. */
export interface DvcTool {
  /** Absolute path of the `dvc` executable. */
  dvc: string;
  /** `dvc --version`. */
  version: string;
  /** Python version of the venv. */
  python: string;
}

/** Options of {@linkcode ensureDvc}. */
export interface EnsureDvcOptions {
  /** The virtualenv folder (created if missing). */
  venvDir: string;
  /** The DVC version to pin (default {@linkcode DVC_VERSION}). */
  version?: string;
  /** Progress messages. */
  log: Logger;
}

/**
 * The default venv folder: `$XDG_CACHE_HOME/threatline/dvc-venv`, else
 * `~/.cache/threatline/dvc-venv` (outside the repository).
 *
 * @example
 * ```ts ignore
 * import { defaultVenvDir } from "./_dvc.ts";
 * defaultVenvDir(); // "/root/.cache/threatline/dvc-venv"
 * ```
 */
export function defaultVenvDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const base = xdg || join(Deno.env.get("HOME") ?? "/tmp", ".cache");
  return join(base, "threatline", "dvc-venv");
}

async function run(
  program: string,
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(program, {
      args,
      cwd,
      env: DVC_ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { ok: r.success, out: (text.decode(r.stdout) + text.decode(r.stderr)).trim() };
  } catch (err) {
    return { ok: false, out: err instanceof Error ? err.message : String(err) };
  }
}

const tail = (s: string) => s.split("\n").slice(-5).join("\n");

/**
 * A DVC of the pinned version, installing it into `venvDir` with pip when
 * missing or of another version. Returns the reason instead when Python,
 * venv or the install is not available, so the caller can go on without it.
 *
 * @example
 * ```ts ignore
 * import { defaultVenvDir, ensureDvc } from "./_dvc.ts";
 * const dvc = await ensureDvc({ venvDir: defaultVenvDir(), log });
 * if ("error" in dvc) console.log("DVC unavailable:", dvc.error);
 * ```
 */
export async function ensureDvc(
  options: EnsureDvcOptions,
): Promise<DvcTool | { error: string }> {
  const { venvDir, log } = options;
  const version = options.version ?? DVC_VERSION;
  const bin = join(venvDir, "bin");
  const dvc = join(bin, "dvc");
  const current = await run(dvc, ["--version"]);
  if (!current.ok || current.out !== version) {
    const python = join(bin, "python");
    if (!(await run(python, ["--version"])).ok) {
      log.info("creating the DVC virtualenv", { dir: venvDir });
      const venv = await run("python3", ["-m", "venv", venvDir]);
      if (!venv.ok) return { error: `python3 -m venv failed: ${tail(venv.out)}` };
    }
    log.info("installing DVC from PyPI (first use; about a minute)", { version });
    const pip = await run(python, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      `dvc==${version}`,
    ]);
    if (!pip.ok) return { error: `pip install dvc==${version} failed: ${tail(pip.out)}` };
  }
  const check = await run(dvc, ["--version"]);
  if (!check.ok) return { error: `dvc --version failed: ${tail(check.out)}` };
  const py = await run(join(bin, "python"), ["--version"]);
  return { dvc, version: check.out, python: py.out.replace(/^Python /, "") };
}

/** Options of {@linkcode initDvcRepo}. */
export interface InitDvcOptions {
  /** `git init` first (DVC's usual mode) instead of `dvc init --no-scm`. */
  git: boolean;
  /** DVC's site cache (its stat/hash state), kept inside the temp folder. */
  siteCacheDir: string;
}

/**
 * Make `dir` a DVC repository: `git init` + `dvc init` (or `dvc init
 * --no-scm`), analytics off, the site cache inside the temp folder so the
 * benchmark leaves nothing behind.
 *
 * @example
 * ```ts ignore
 * import { initDvcRepo } from "./_dvc.ts";
 * await initDvcRepo(tool, "/tmp/ws-dvc", { git: true, siteCacheDir: "/tmp/ws-site" });
 * ```
 */
export async function initDvcRepo(
  tool: DvcTool,
  dir: string,
  options: InitDvcOptions,
): Promise<void> {
  const steps: [string, string[]][] = [];
  if (options.git) steps.push(["git", ["init", "-q"]]);
  steps.push(
    [tool.dvc, ["init", "-q", ...(options.git ? [] : ["--no-scm"])]],
    [tool.dvc, ["config", "core.analytics", "false"]],
    [tool.dvc, ["config", "core.site_cache_dir", options.siteCacheDir]],
  );
  for (const [program, args] of steps) {
    const r = await run(program, args, dir);
    if (!r.ok) throw new Error(`${program} ${args.join(" ")} failed in ${dir}: ${tail(r.out)}`);
  }
}
