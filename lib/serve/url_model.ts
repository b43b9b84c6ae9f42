/**
 * Load the URL model of `POST /v1/check-url` for `deno task serve` and
 * `deno task dashboard` alike: `--url-model DIR`, else `artifacts/url/model`
 * when it holds a release (a missing default folder only logs a warning and
 * the route answers 503; a missing folder given by flag is an error). The
 * servers then keep it in a {@linkcode UrlModelSlot} that their model watcher
 * (watcher.ts, `--reload-seconds`) fills with each new release of the folder,
 * as for the tabular model: a retrained URL model answers without a restart.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { loadUrlChecker, type UrlChecker } from "../url/url_checker.ts";
import type { ServedUrlModel } from "./check_url.ts";
import { localDirLoader, type ModelLoader, type SwapTarget } from "./watcher.ts";

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

/**
 * The answering URL model, swapped in by the model watcher. A swap disposes
 * the old checker at once: `POST /v1/check-url` uses the checker it took
 * synchronously (no await between taking it and answering), so no request
 * can still hold it.
 *
 * @example
 * ```ts ignore
 * import { UrlModelSlot, urlModelLoader } from "./url_model.ts";
 * const slot = new UrlModelSlot(await loadServedUrlModel({ dir, required: false, log }), log);
 * createApp({ …, urlModel: () => slot.current });
 * new ModelWatcher({ holder: slot, loader: urlModelLoader(dir, log), intervalMs: 5000, log }).start();
 * ```
 */
export class UrlModelSlot implements SwapTarget<UrlChecker> {
  #served: ServedUrlModel | undefined;
  #log: Logger | undefined;

  /** Start with `initial` (undefined: none yet; the route answers 503). */
  constructor(initial: ServedUrlModel | undefined, log?: Logger) {
    this.#served = initial;
    this.#log = log;
  }

  /** The answering model, if any. */
  get current(): ServedUrlModel | undefined {
    return this.#served;
  }

  /** The answering checker's version, if any. */
  get version(): string | undefined {
    return this.#served?.checker.version;
  }

  /** Make `checker` the answering one (the same version: disposed, no change). */
  swap(checker: UrlChecker, info: { source: string }): boolean {
    const old = this.#served;
    if (old?.checker.version === checker.version) {
      checker.dispose();
      return false;
    }
    this.#served = { checker, source: info.source };
    old?.checker.dispose();
    this.#log?.info("URL model answering", {
      version: checker.version,
      previous: old?.checker.version,
    });
    return true;
  }

  /** Dispose the answering checker; the slot is empty afterwards. */
  close(): void {
    this.#served?.checker.dispose();
    this.#served = undefined;
  }
}

/**
 * The watcher's loader of the URL model folder (fingerprint: its card's version).
 *
 * @example
 * ```ts ignore
 * import { urlModelLoader } from "./url_model.ts";
 * await urlModelLoader("artifacts/url/model", log).fingerprint(); // "6673a5eb7918"
 * ```
 */
export function urlModelLoader(dir: string, log: Logger): ModelLoader<UrlChecker> {
  return localDirLoader(dir, (d) => loadUrlChecker(d, { use: "single", log }));
}
