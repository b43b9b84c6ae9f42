/**
 * Command-line parsing for entry points: `node:util` parseArgs in strict
 * mode, with its errors turned into a {@linkcode ConfigError} that shows the
 * usage line, and `--help`/`-h` into a {@linkcode HelpRequested}.
 *
 * @module
 */
import { parseArgs as nodeParseArgs } from "node:util";
import { ConfigError, HelpRequested } from "./errors.ts";

/** One option: a boolean flag or a string-valued option. */
export interface OptionSpec {
  /** `boolean` flag or `string` value. */
  type: "boolean" | "string";
  /** One-letter alias. */
  short?: string;
  /** May be given several times (values collected in a list). */
  multiple?: boolean;
}

/** Parsed arguments. */
export interface ParsedArgs {
  /** Option values by name. */
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/**
 * Parse `args` against `options`; unknown flags and missing values throw a
 * {@linkcode ConfigError} carrying `usage` as its hint. `--help` or `-h`
 * (before any `--`) throws {@linkcode HelpRequested} with the usage.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const { values, positionals } = parseArgs(["train", "--force"], {
 *   usage: "deno task repro [STAGE...] [--force]",
 *   options: { force: { type: "boolean" } },
 * });
 * // values.force === true, positionals = ["train"]
 * ```
 */
export function parseArgs(
  args: string[],
  spec: { usage: string; options: Record<string, OptionSpec>; maxPositionals?: number },
): ParsedArgs {
  if (wantsHelp(args)) throw new HelpRequested(spec.usage);
  let parsed;
  try {
    parsed = nodeParseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError((err as Error).message.split("\n")[0], { hint: `usage: ${spec.usage}` });
  }
  if (spec.maxPositionals !== undefined && parsed.positionals.length > spec.maxPositionals) {
    throw new ConfigError(`unexpected argument '${parsed.positionals[spec.maxPositionals]}'`, {
      hint: `usage: ${spec.usage}`,
    });
  }
  return { values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals };
}

/**
 * Whether `args` ask for help: `--help` or `-h` before a `--` separator.
 *
 * @example
 * ```ts
 * import { wantsHelp } from "./args.ts";
 * [wantsHelp(["train", "--help"]), wantsHelp(["--", "-h"])]; // [true, false]
 * ```
 */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/**
 * Parse a positive integer option value, naming the option on error.
 *
 * @example
 * ```ts
 * import { positiveInt } from "./args.ts";
 * positiveInt("4", "--jobs"); // 4
 * ```
 */
export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`${name} must be a positive integer, got '${value}'`, { field: name });
  }
  return n;
}
