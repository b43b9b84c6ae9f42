/**
 * `deno task dashboard`'s settings: the same flags and API-key rules as
 * `deno task serve` (lib/serve/config.ts), with port 8088 by default.
 *
 * @module
 */
import { parseArgs } from "../args.ts";
import { resolveServeConfig, SERVE_OPTIONS, type ServeConfig } from "../serve/config.ts";

/** The dashboard's command line. */
export const DASHBOARD_USAGE = "deno task dashboard [--port N] [--host H] [--model SRC] " +
  "[--reload-seconds S] [--max-body-bytes N] [--max-batch N] [--request-timeout-seconds S] " +
  "[--url-model DIR]";

/** The default port. */
export const DASHBOARD_PORT = 8088;

/**
 * Parse the arguments and environment (read once by the entry point).
 *
 * @example
 * ```ts
 * import { parseDashboardConfig } from "./config.ts";
 * parseDashboardConfig([], {}).port; // 8088
 * parseDashboardConfig(["--port", "0"], {}).host; // "127.0.0.1"
 * ```
 */
export function parseDashboardConfig(
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
): ServeConfig {
  const { values } = parseArgs(args, {
    usage: DASHBOARD_USAGE,
    maxPositionals: 0,
    options: SERVE_OPTIONS,
  });
  const config = resolveServeConfig(values, env);
  const portGiven = args.some((a) => a === "--port" || a.startsWith("--port="));
  return portGiven ? config : { ...config, port: DASHBOARD_PORT };
}
