/**
 * uPlot's JavaScript and CSS, read from the npm package (`uplot` in
 * deno.json's imports) so that a page can inline them: nothing is fetched
 * from a CDN, by the process or by the browser that opens the page.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.ts";

/** The browser build of uPlot. */
export interface UplotAssets {
  /** `dist/uPlot.iife.min.js`: defines the global `uPlot`. */
  js: string;
  /** `dist/uPlot.min.css`. */
  css: string;
  /** The package version. */
  version: string;
}

let cached: Promise<UplotAssets> | undefined;

/**
 * Read uPlot's browser build from the installed npm package (once per
 * process). A `ConfigError` says how to install it when it is missing.
 *
 * @example
 * ```ts ignore
 * import { uplotAssets } from "./uplot_assets.ts";
 * const { js, css } = await uplotAssets();
 * ```
 */
export function uplotAssets(): Promise<UplotAssets> {
  return cached ??= load().catch((err) => {
    cached = undefined;
    throw err;
  });
}

async function load(): Promise<UplotAssets> {
  // Resolved through deno.json's import map to the package in Deno's npm cache.
  const main = import.meta.resolve("uplot");
  const dist = main.startsWith("file:") ? dirname(fileURLToPath(main)) : undefined;
  try {
    if (!dist) throw new Error(`'uplot' resolves to ${main}, not a file`);
    const [js, css, pkg] = await Promise.all([
      Deno.readTextFile(join(dist, "uPlot.iife.min.js")),
      Deno.readTextFile(join(dist, "uPlot.min.css")),
      Deno.readTextFile(join(dist, "..", "package.json")),
    ]);
    return { js, css, version: String(JSON.parse(pkg).version) };
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      throw err;
    }
    throw new ConfigError(`uPlot's browser build was not found (${(err as Error).message})`, {
      cause: err,
      hint: "run `deno install` in the repository (deno.json imports the npm package 'uplot')",
    });
  }
}
