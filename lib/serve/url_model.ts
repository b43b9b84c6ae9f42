/**
 * Load the URL model of `POST /v1/check-url` for `deno task serve` and
 * `deno task dashboard` alike: `--url-model DIR`, else `artifacts/url/model`
 * when it holds a release (a missing default folder only logs a warning and
 * the route answers 503; a missing folder given by flag is an error). Loaded
 * once at start, not reloaded.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { loadUrlChecker } from "../url/url_checker.ts";
import type { ServedUrlModel } from "./check_url.ts";

/**
 * The URL model, or undefined when the default folder holds none.
 *
 * @example
 * ```ts ignore
 * import { loadServedUrlModel } from "./url_model.ts";
 * const urlModel = await loadServedUrlModel({ dir: "artifacts/url/model", required: false, log });
 * createApp({ …, urlModel: () => urlModel });
 * ```
 */
export async function loadServedUrlModel(o: {
  dir: string;
  required: boolean;
  log: Logger;
}): Promise<ServedUrlModel | undefined> {
  try {
    await Deno.stat(`${o.dir}/card.json`);
  } catch (err) {
    if (o.required || !(err instanceof Deno.errors.NotFound)) throw err;
    o.log.warn("no URL model: /v1/check-url answers 503", { dir: o.dir });
    return undefined;
  }
  const checker = await loadUrlChecker(o.dir, { use: "single", log: o.log });
  o.log.info("URL model loaded", { dir: o.dir, version: checker.version });
  return { checker, source: o.dir };
}
