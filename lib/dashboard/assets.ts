/**
 * The dashboard's static files, all served by the process itself (no CDN):
 * the client islands in `lib/dashboard/static/` and uPlot's script and
 * stylesheet read from the pinned npm package (deno.lock) in Deno's npm
 * cache. Read once, kept in memory, sent with a content hash as ETag.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** One file to serve. */
export interface Asset {
  /** The bytes. */
  body: Uint8Array<ArrayBuffer>;
  /** Content type. */
  type: string;
  /** Strong ETag (content hash). */
  etag: string;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** Files from npm packages, by served name → package path. */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  "uplot.js": "uplot/dist/uPlot.iife.min.js",
  "uplot.css": "uplot/dist/uPlot.min.css",
};

function asset(body: Uint8Array<ArrayBuffer>, name: string): Asset {
  const ext = name.slice(name.lastIndexOf(".") + 1);
  const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 20)}"`;
  return { body, type: TYPES[ext] ?? "application/octet-stream", etag };
}

/**
 * Load every asset: `static/<name>` for the islands, `vendor/<name>` for
 * the npm files.
 *
 * @example
 * ```ts ignore
 * import { loadAssets } from "./assets.ts";
 * const assets = await loadAssets();
 * assets.get("vendor/uplot.js")?.type; // "text/javascript; charset=utf-8"
 * ```
 */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  const dir = fileURLToPath(new URL("./static/", import.meta.url));
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !/\.(js|css)$/.test(entry.name)) continue;
    out.set(`static/${entry.name}`, asset(await Deno.readFile(dir + entry.name), entry.name));
  }
  const require = createRequire(import.meta.url);
  for (const [name, spec] of Object.entries(VENDOR_FILES)) {
    out.set(`vendor/${name}`, asset(await Deno.readFile(require.resolve(spec)), name));
  }
  return out;
}
