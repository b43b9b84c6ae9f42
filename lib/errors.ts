/**
 * The project's one error hierarchy. Every error a user can cause carries a
 * stable `code`, the process `exitCode` it maps to, and where it happened
 * (file, line, column, stage, field) so the message can name the problem.
 *
 * Built-in `TypeError`/`RangeError`/`SyntaxError` stay for programming errors;
 * {@linkcode errorToExit} in `cli.ts` is the one place that turns any error
 * into a message and an exit code.
 *
 * @module
 */

/** Where an error happened; every field is optional. */
export interface Where {
  /** File path, relative to the workspace where possible. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `file`. */
  column?: number;
  /** Pipeline stage name. */
  stage?: string;
  /** Key, column or field name (dotted for nested keys). */
  field?: string;
}

/** Exit statuses, documented in the README ("Exit codes"). */
export const EXIT = {
  ok: 0,
  /** `status`: something is stale; generic failure of an unexpected error. */
  stale: 1,
  /** Bad command line, pipeline.yaml, params.yaml, schema.yaml or config. */
  config: 2,
  /** Input data violates its schema or cannot be parsed. */
  data: 3,
  /** A stage's command failed. */
  stage: 4,
  /** Another process holds the workspace lock. */
  locked: 5,
  /** A cache object is corrupt or missing where it must exist. */
  cache: 6,
  /** An external service (MongoDB, S3, MLflow) failed or is unreachable. */
  service: 7,
  /** A file could not be written: no permission (EACCES, EPERM, EROFS) or no space (ENOSPC, EDQUOT). */
  storage: 8,
  /** `monitor`: drift or live quality crossed a threshold of params.yaml's `monitor.thresholds`. */
  alert: 9,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;

/** Options shared by every {@linkcode PipelineError}. */
export interface PipelineErrorOptions extends Where {
  /** The underlying error, if any. */
  cause?: unknown;
  /** A short suggestion printed after the message. */
  hint?: string;
}

/**
 * Base class of every expected, user-facing error.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * throw new ConfigError("unknown key 'cmdd'", { file: "pipeline.yaml", line: 3, column: 5 });
 * ```
 */
export class PipelineError extends Error {
  /** Stable, machine-readable code such as `CONFIG` or `STAGE_FAILED`. */
  readonly code: string;
  /** Process exit status this error maps to. */
  readonly exitCode: number;
  /** Where it happened. */
  readonly where: Where;
  /** A short suggestion for the user, if any. */
  readonly hint?: string;

  /** Create an error; prefer a subclass. */
  constructor(
    message: string,
    init: { code: string; exitCode: number } & PipelineErrorOptions,
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.exitCode = init.exitCode;
    const { file, line, column, stage, field } = init;
    this.where = { file, line, column, stage, field };
    this.hint = init.hint;
  }
}

/**
 * A problem in what the user wrote: pipeline.yaml, params, schema.yaml, the
 * command line or environment configuration. Exit status 2.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * const err = new ConfigError("missing 'cmd'", { file: "pipeline.yaml", stage: "train" });
 * console.log(err.code); // "CONFIG"
 * ```
 */
export class ConfigError extends PipelineError {
  /** Create a config error. */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, { code: "CONFIG", exitCode: EXIT.config, ...options });
  }
}

/**
 * Input data that violates its schema or cannot be parsed. Exit status 3.
 *
 * @example
 * ```ts
 * import { DataError } from "./errors.ts";
 * throw new DataError("value 7 outside {-1, 0, 1}", { file: "data.csv", line: 12, field: "url_length" });
 * ```
 */
export class DataError extends PipelineError {
  /** Create a data error; `code` refines the kind (default `DATA`). */
  constructor(
    message: string,
    options: PipelineErrorOptions & { code?: string } = {},
  ) {
    super(message, { exitCode: EXIT.data, ...options, code: options.code ?? "DATA" });
  }
}

/**
 * A stage's command exited non-zero or was killed. Exit status 4, except
 * when the stage itself reported a service failure: a command that exits 7
 * after printing `runMain`'s `error[SERVICE] …` line (MongoDB down, S3
 * unreachable) keeps exit status 7, so a repro that failed because a service
 * is down says so to scripts and CI. Any other command exiting 7 is a plain
 * stage failure.
 *
 * @example
 * ```ts
 * import { StageFailedError } from "./errors.ts";
 * new StageFailedError("train", { status: 1, stderrTail: "boom" }).exitCode; // 4
 * new StageFailedError("ingest", { status: 7, stderrTail: "error[SERVICE] down" }).exitCode; // 7
 * ```
 */
export class StageFailedError extends PipelineError {
  /** The command's exit status, or null when it was killed by a signal. */
  readonly status: number | null;
  /** The last lines of the command's stderr. */
  readonly stderrTail: string;

  /** Create a stage failure for `stage`. */
  constructor(
    stage: string,
    init: { status: number | null; signal?: string | null; stderrTail: string },
  ) {
    const how = init.status === null
      ? `was killed by ${init.signal ?? "a signal"}`
      : `exited with status ${init.status}`;
    const service = init.status === EXIT.service && /^error\[SERVICE\] /m.test(init.stderrTail);
    super(`stage '${stage}' failed: its command ${how}${service ? " (a service failed)" : ""}`, {
      code: "STAGE_FAILED",
      exitCode: service ? EXIT.service : EXIT.stage,
      stage,
    });
    this.status = init.status;
    this.stderrTail = init.stderrTail;
  }
}

/**
 * Another process holds the workspace lock. Exit status 5.
 *
 * @example
 * ```ts
 * import { LockedError } from "./errors.ts";
 * throw new LockedError("workspace is locked by pid 42 (deno task repro)");
 * ```
 */
export class LockedError extends PipelineError {
  /** Create a lock error. */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, { code: "LOCKED", exitCode: EXIT.locked, ...options });
  }
}

/**
 * A cache object whose content no longer matches its hash, or one that must
 * exist but does not. Exit status 6.
 *
 * @example
 * ```ts
 * import { CacheError } from "./errors.ts";
 * throw new CacheError("object 3fa1… is corrupt", { file: ".cache/files/3f/a1…" });
 * ```
 */
export class CacheError extends PipelineError {
  /** Create a cache error. */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, { code: "CACHE", exitCode: EXIT.cache, ...options });
  }
}

/**
 * An external service (MongoDB, S3, MLflow) failed, timed out or refused.
 * Exit status 7.
 *
 * @example
 * ```ts
 * import { ServiceError } from "./errors.ts";
 * throw new ServiceError("MLflow at http://127.0.0.1:5000 did not answer in 10 s");
 * ```
 */
export class ServiceError extends PipelineError {
  /** Create a service error. */
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, { code: "SERVICE", exitCode: EXIT.service, ...options });
  }
}

/**
 * The run was interrupted by SIGINT or SIGTERM. Exit status 130.
 *
 * @example
 * ```ts
 * import { InterruptedError } from "./errors.ts";
 * throw new InterruptedError("SIGINT");
 * ```
 */
export class InterruptedError extends PipelineError {
  /** Create an interruption for `signal`. */
  constructor(signal: string) {
    super(`interrupted by ${signal}`, {
      code: "INTERRUPTED",
      exitCode: EXIT.interrupted,
    });
  }
}

/**
 * `--help` or `-h` on a command line: not a failure. {@linkcode errorToExit}
 * turns it into the usage line on standard output and exit status 0.
 *
 * @example
 * ```ts
 * import { HelpRequested } from "./errors.ts";
 * const help = new HelpRequested("deno task status [STAGE...] [--json]");
 * [help.code, help.exitCode, help.message]; // ["HELP", 0, "deno task status [STAGE...] [--json]"]
 * ```
 */
export class HelpRequested extends PipelineError {
  /** Carry the command's usage line as the message. */
  constructor(usage: string) {
    super(usage, { code: "HELP", exitCode: EXIT.ok });
  }
}

/**
 * Format a {@linkcode Where} as `file:line:column (stage 's', field 'f')`.
 *
 * @example
 * ```ts
 * import { formatWhere } from "./errors.ts";
 * formatWhere({ file: "pipeline.yaml", line: 3, column: 5, stage: "train" });
 * // "pipeline.yaml:3:5, stage 'train'"
 * ```
 */
export function formatWhere(where: Where): string {
  const parts: string[] = [];
  if (where.file) {
    let loc = where.file;
    if (where.line !== undefined) {
      loc += `:${where.line}`;
      if (where.column !== undefined) loc += `:${where.column}`;
    }
    parts.push(loc);
  }
  if (where.stage) parts.push(`stage '${where.stage}'`);
  if (where.field) parts.push(`field '${where.field}'`);
  return parts.join(", ");
}

/** What each storage errno means, for messages. */
const STORAGE_CAUSES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/**
 * A file or folder could not be written for a reason outside the program:
 * no permission or no space. `code` is the errno name (`EACCES`, `ENOSPC`,
 * …), `file` the path. Exit status 8.
 *
 * @example
 * ```ts
 * import { StorageError } from "./errors.ts";
 * const err = new StorageError("ENOSPC", { file: ".cache/files/sha256/ab/cd" });
 * err.message; // "no space left on device (ENOSPC)" (the file is in `err.where`)
 * ```
 */
export class StorageError extends PipelineError {
  /** Create a storage error for errno `errno` (e.g. `ENOSPC`) at `options.file`. */
  constructor(errno: string, options: PipelineErrorOptions = {}) {
    const what = STORAGE_CAUSES[errno] ?? errno;
    super(`${options.file ? "" : "cannot write a file: "}${what} (${errno})`, {
      code: errno,
      exitCode: EXIT.storage,
      hint: errno === "ENOSPC" || errno === "EDQUOT"
        ? "free space on that disk (`deno task gc` removes unused cache objects), then run again"
        : "make the path writable for this user, or choose another path",
      ...options,
    });
  }
}

/**
 * The {@linkcode StorageError} an operating-system error stands for, or
 * undefined when it is another kind of error. The path is taken from the
 * error (Deno names it in the message: `open '/path'`), else `path`.
 *
 * @example
 * ```ts ignore
 * import { storageErrorFrom } from "./errors.ts";
 * try { await Deno.writeFile("/dev/full", new Uint8Array(1)); }
 * catch (err) { storageErrorFrom(err)?.code; } // "ENOSPC"
 * ```
 */
export function storageErrorFrom(err: unknown, path?: string): StorageError | undefined {
  if (!(err instanceof Error) || err instanceof PipelineError) return undefined;
  const code = (err as { code?: unknown }).code;
  const errno = typeof code === "string" && code in STORAGE_CAUSES
    ? code
    : err instanceof Deno.errors.PermissionDenied
    ? "EACCES"
    : /\(os error 28\)/.test(err.message)
    ? "ENOSPC"
    : undefined;
  if (!errno) return undefined;
  const quoted = [...err.message.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  return new StorageError(errno, { file: quoted.at(-1) ?? path, cause: err });
}
