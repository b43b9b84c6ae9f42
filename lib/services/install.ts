/**
 * Install the test servers where missing, into a tool cache outside the
 * repository (default `~/.cache/threatline`), so a second run and a fresh
 * clone on the same machine reuse them:
 *
 * - {@linkcode goBuild}: a Go program from a module of the Go module proxy,
 *   built from a writable copy of the module source (so generated files such
 *   as FerretDB's `build/version/version.txt` can be added) into
 *   `bin/<name>-<version>/<name>`.
 * - {@linkcode pipVenv}: a Python program from PyPI into its own venv
 *   `<name>-<version>/`, marked complete only once pip succeeded.
 *
 * Builds run under `nice -n 10` and hold a per-tool lock so two workspaces
 * never build the same tool at once.
 *
 * @module
 */
import { ConfigError, ServiceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { withFileLock } from "./_lock.ts";
import { runLogged } from "./process.ts";

/** Where and with what tools to install. */
export interface InstallContext {
  /** Tool cache directory (absolute). */
  toolCache: string;
  /** Directory for install logs (absolute). */
  logDir: string;
  /** `go` executable, or undefined when none was found. */
  go?: string;
  /** Python 3 executable used to create venvs. */
  python: string;
  /** Progress messages. */
  log: Logger;
  /** Aborts a running install (its child process is killed). */
  signal?: AbortSignal;
}

/** A Go program to build, see {@linkcode goBuild}. */
export interface GoProgram {
  /** Short name, also the binary's name (`minio`). */
  name: string;
  /** Module path (`github.com/minio/minio`). */
  module: string;
  /** Exact module version (a tag or pseudo-version). */
  version: string;
  /** Package of the program, relative to the module root (`.`, `./cmd/ferretdb`). */
  pkg: string;
  /** Files to add to the source copy before building, relative path → content. */
  files?: Record<string, string>;
}

/**
 * Path of the cached binary of `program` (which may not exist yet).
 *
 * @example
 * ```ts
 * import { goBinaryPath } from "./install.ts";
 * goBinaryPath("/home/me/.cache/threatline", { name: "minio", module: "github.com/minio/minio", version: "v1", pkg: "." });
 * // "/home/me/.cache/threatline/bin/minio-v1/minio"
 * ```
 */
export function goBinaryPath(toolCache: string, program: GoProgram): string {
  return `${toolCache}/bin/${program.name}-${program.version}/${program.name}`;
}

/**
 * Return the path of `program`'s binary, building it first when it is not in
 * the tool cache.
 *
 * @example
 * ```ts ignore
 * import { goBuild } from "./install.ts";
 * import { createLogger } from "../log.ts";
 * const exe = await goBuild(
 *   { name: "ferretdb", module: "github.com/FerretDB/FerretDB", version: "v1.24.2", pkg: "./cmd/ferretdb" },
 *   { toolCache: "/root/.cache/threatline", logDir: ".cache/services", go: "go", python: "python3", log: createLogger() },
 * );
 * ```
 */
export async function goBuild(program: GoProgram, ctx: InstallContext): Promise<string> {
  const exe = goBinaryPath(ctx.toolCache, program);
  if (await exists(exe)) return exe;
  const go = ctx.go;
  if (go === undefined) {
    throw new ConfigError(`cannot build ${program.name}: no 'go' on PATH or in /usr/local/go/bin`, {
      hint: "install Go >= 1.24 or set THREATLINE_GO to the go executable",
    });
  }
  await Deno.mkdir(`${ctx.toolCache}/bin`, { recursive: true });
  return await withFileLock(`${ctx.toolCache}/${program.name}.lock`, {
    log: ctx.log,
    what: `the build of ${program.name}`,
    signal: ctx.signal,
  }, async () => {
    if (await exists(exe)) return exe; // built by whoever held the lock
    const logFile = `${ctx.logDir}/install-${program.name}.log`;
    await Deno.writeTextFile(logFile, "");
    const started = Date.now();
    ctx.log.info(`building ${program.name} (first time on this machine; minutes)`, {
      module: `${program.module}@${program.version}`,
      log: logFile,
    });
    const env = { CGO_ENABLED: "0" };
    const run = (what: string, args: string[], cwd?: string) =>
      runLogged(`${what} of ${program.name}`, {
        ...niced(go, args),
        env,
        cwd,
        logFile,
        signal: ctx.signal,
      });
    const moduleDir = await goModuleDir(go, program, env, ctx.signal);
    const src = `${ctx.toolCache}/src/${program.name}-${program.version}`;
    await Deno.mkdir(`${ctx.toolCache}/src`, { recursive: true });
    await Deno.remove(src, { recursive: true }).catch(() => {});
    await runLogged(`copy of ${program.name}'s source`, {
      cmd: "sh",
      args: ["-c", 'cp -R "$1" "$2" && chmod -R u+w "$2"', "sh", moduleDir, src],
      logFile,
    });
    for (const [path, content] of Object.entries(program.files ?? {})) {
      await Deno.writeTextFile(`${src}/${path}`, content);
    }
    const tmp = `${exe}.tmp-${Deno.pid}`;
    await Deno.mkdir(exe.slice(0, exe.lastIndexOf("/")), { recursive: true });
    await run("build", ["build", "-trimpath", "-o", tmp, program.pkg], src);
    await Deno.rename(tmp, exe);
    await Deno.remove(src, { recursive: true });
    ctx.log.info(`built ${program.name}`, { seconds: (Date.now() - started) / 1000, exe });
    return exe;
  });
}

/** A Python program to install from PyPI, see {@linkcode pipVenv}. */
export interface PythonProgram {
  /** Short name, also the console script to run (`mlflow`). */
  name: string;
  /** Exact version. */
  version: string;
  /** pip requirement specifiers; default `[name==version]`. */
  requirements?: string[];
}

/**
 * Return the venv directory of `program`, creating it and installing the
 * pinned requirements when it is not in the tool cache (or is incomplete).
 *
 * @example
 * ```ts ignore
 * import { pipVenv } from "./install.ts";
 * import { createLogger } from "../log.ts";
 * const venv = await pipVenv(
 *   { name: "mlflow", version: "3.17.2" },
 *   { toolCache: "/root/.cache/threatline", logDir: ".cache/services", python: "python3", log: createLogger() },
 * );
 * // run `${venv}/bin/mlflow`
 * ```
 */
export async function pipVenv(program: PythonProgram, ctx: InstallContext): Promise<string> {
  const venv = `${ctx.toolCache}/${program.name}-${program.version}`;
  const marker = `${venv}/.threatline-complete`;
  if (await exists(marker)) return venv;
  await Deno.mkdir(ctx.toolCache, { recursive: true });
  return await withFileLock(`${ctx.toolCache}/${program.name}.lock`, {
    log: ctx.log,
    what: `the install of ${program.name}`,
    signal: ctx.signal,
  }, async () => {
    if (await exists(marker)) return venv;
    const logFile = `${ctx.logDir}/install-${program.name}.log`;
    await Deno.writeTextFile(logFile, "");
    const started = Date.now();
    const requirements = program.requirements ?? [`${program.name}==${program.version}`];
    ctx.log.info(`installing ${program.name} into a venv (first time on this machine; minutes)`, {
      requirements: requirements.join(" "),
      log: logFile,
    });
    await Deno.remove(venv, { recursive: true }).catch(() => {});
    await runLogged(`venv creation for ${program.name}`, {
      cmd: ctx.python,
      args: ["-m", "venv", venv],
      logFile,
      signal: ctx.signal,
    });
    await runLogged(`pip install of ${program.name}`, {
      ...niced(`${venv}/bin/python`, [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        ...requirements,
      ]),
      env: { PIP_NO_INPUT: "1" },
      logFile,
      signal: ctx.signal,
    });
    await Deno.writeTextFile(marker, requirements.join("\n") + "\n");
    ctx.log.info(`installed ${program.name}`, { seconds: (Date.now() - started) / 1000, venv });
    return venv;
  });
}

/** Download `program`'s module into the Go module cache; return its (read-only) directory. */
async function goModuleDir(
  go: string,
  program: GoProgram,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  const spec = `${program.module}@${program.version}`;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(go, {
      args: ["mod", "download", "-json", spec],
      env,
      stdin: "null",
      signal,
    }).output();
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ConfigError(`cannot build ${program.name}: cannot run go ('${go}')`, {
      field: "THREATLINE_GO",
      cause: err,
      hint: "install Go >= 1.24 or set THREATLINE_GO to the go executable",
    });
  }
  const text = new TextDecoder().decode(out.stdout);
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(text);
  } catch {
    // reported below with stderr
  }
  if (!out.success || !info.Dir) {
    const stderr = new TextDecoder().decode(out.stderr).trim();
    throw new ServiceError(
      `cannot download Go module ${spec} for ${program.name}: ${info.Error ?? stderr}`,
      { hint: "the Go module proxy must be reachable (GOPROXY)" },
    );
  }
  return info.Dir;
}

function niced(cmd: string, args: string[]): { cmd: string; args: string[] } {
  return { cmd: "nice", args: ["-n", "10", cmd, ...args] };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
