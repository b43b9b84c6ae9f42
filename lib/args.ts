/**
 * Command-line parsing for entry points: `node:util` parseArgs in strict
 * mode, with its errors turned into a {@linkcode ConfigError} that shows the
 * usage line.
 *
 * @module
 */
import { parseArgs as nodeParseArgs } from "node:util";
import { ConfigError } from "./errors.ts";

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
 * {@linkcode ConfigError} carrying `usage` as its hint.
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
