/**
 * The one place that turns an error into a message and an exit code, and the
 * common wrapper every entry point (`tasks/*.ts`, `stages/*.ts`) runs in.
 *
 * @module
 */
import {
  EXIT,
  formatWhere,
  HelpRequested,
  PipelineError,
  StageFailedError,
  storageErrorFrom,
} from "./errors.ts";
import { createLogger, type Logger } from "./log.ts";

/** What {@linkcode runMain} hands the entry point. */
export interface MainContext {
  /** Arguments with the common flags (`--verbose`, `--log-format`) removed. */
  args: string[];
  /** Logger configured from the common flags. */
  log: Logger;
  /** Whether `--verbose` was given. */
  verbose: boolean;
}

/**
 * Turn any thrown value into the lines to print and an exit code. Expected
 * errors ({@linkcode PipelineError}) print without a stack unless `verbose`;
 * {@linkcode HelpRequested} is the usage line and exit status 0.
 *
 * @example
 * ```ts
 * import { errorToExit } from "./cli.ts";
 * import { ConfigError } from "./errors.ts";
 * const { message, exitCode } = errorToExit(new ConfigError("bad key", { file: "p.yaml", line: 2 }), false);
 * // message: "error[CONFIG] p.yaml:2: bad key", exitCode: 2
 * ```
 */
export function errorToExit(
  err: unknown,
  verbose: boolean,
): { message: string; exitCode: number } {
  if (err instanceof HelpRequested) return { message: `usage: ${err.message}`, exitCode: EXIT.ok };
  if (err instanceof PipelineError) {
    const where = formatWhere(err.where);
    let message = `error[${err.code}] ${where ? where + ": " : ""}${err.message}`;
    if (err instanceof StageFailedError && err.stderrTail.trim()) {
      message += "\n--- last lines of stderr ---\n" + err.stderrTail.trimEnd();
    }
    if (err.hint) message += `\nhint: ${err.hint}`;
    if (verbose && err.stack) message += "\n" + err.stack;
    if (verbose && err.cause instanceof Error && err.cause.stack) {
      message += "\ncaused by: " + err.cause.stack;
    }
    return { message, exitCode: err.exitCode };
  }
  const storage = storageErrorFrom(err);
  if (storage) return errorToExit(storage, verbose);
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    message: `error[INTERNAL] ${e.message}` +
      (verbose ? "\n" + e.stack : "\n(run with --verbose for the stack trace)"),
    exitCode: EXIT.stale,
  };
}

/**
 * Run an entry point: parse the common flags, build the logger, await `main`,
 * print any error once and exit with its code.
 *
 * @example
 * ```ts ignore
 * import { runMain } from "./cli.ts";
 * if (import.meta.main) await runMain(async ({ args, log }) => { log.info("hi", { args }); return 0; });
 * ```
 */
export async function runMain(
  main: (ctx: MainContext) => Promise<number | void>,
  argv: string[] = Deno.args,
): Promise<never> {
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  let format: "text" | "json" = "text";
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--verbose" || a === "-v") continue;
    if (a === "--log-format" || a.startsWith("--log-format=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v !== "text" && v !== "json") {
        console.error(`error[CONFIG] --log-format must be 'text' or 'json', got '${v}'`);
        Deno.exit(EXIT.config);
      }
      format = v;
      continue;
    }
    args.push(a);
  }
  const log = createLogger({ level: verbose ? "debug" : "info", format });
  let code: number;
  try {
    code = (await main({ args, log, verbose })) ?? 0;
  } catch (err) {
    const { message, exitCode } = errorToExit(err, verbose);
    // Asked-for help is the command's output; everything else is a diagnostic.
    if (exitCode === EXIT.ok) console.log(message);
    else console.error(message);
    code = exitCode;
  }
  Deno.exit(code);
}
