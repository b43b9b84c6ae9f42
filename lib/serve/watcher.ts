/**
 * Watching the model source for a new champion: every few seconds, a cheap
 * fingerprint of what the source holds (for a local release folder: the
 * `version` in its card.json); when it differs from the answering model, the
 * new model is loaded fully and only then swapped in
 * ({@linkcode ModelHolder.swap}). A release caught half-written fails to load
 * (its files do not match the card's version) and is retried at the next
 * poll; the old model keeps answering meanwhile.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { MODEL_FILES } from "../learn/model_io.ts";
import type { ServedModel } from "./model_holder.ts";

/** A model source the watcher can poll (of tabular models by default; the URL checker too). */
export interface ModelLoader<M = ServedModel> {
  /** The source as configured (for logs and `/v1/model`). */
  source: string;
  /** What the source holds now, cheaply (the version it would load). */
  fingerprint(): Promise<string>;
  /** Load the model the source holds now. */
  load(): Promise<M>;
}

/**
 * Where the watcher swaps new models in: `ModelHolder` for the tabular model,
 * `UrlModelSlot` (url_model.ts) for the URL checker.
 */
export interface SwapTarget<M> {
  /** The answering model's version, if any. */
  readonly version: string | undefined;
  /** Make `model` the answering one; false when that version already answers. */
  swap(model: M, info: { source: string }): boolean;
}

/**
 * A loader for a local release folder: the fingerprint is its card's version.
 *
 * @example
 * ```ts ignore
 * import { localDirLoader } from "./watcher.ts";
 * const loader = localDirLoader("artifacts/model", (dir) => loadScorer(dir, { use: "single" }));
 * await loader.fingerprint(); // "508f7ac702a8"
 * ```
 */
export function localDirLoader<M = ServedModel>(
  dir: string,
  load: (dir: string) => Promise<M>,
): ModelLoader<M> {
  const file = `${dir}/${MODEL_FILES.card}`;
  return {
    source: dir,
    async fingerprint() {
      let text: string;
      try {
        text = await Deno.readTextFile(file);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) {
          throw new DataError("model card not found", { file, cause: err });
        }
        throw err;
      }
      let version: unknown;
      try {
        version = (JSON.parse(text) as { version?: unknown }).version;
      } catch (err) {
        throw new DataError("model card is not valid JSON", { file, cause: err });
      }
      if (typeof version !== "string") {
        throw new DataError("model card has no version", { file, field: "version" });
      }
      return version;
    },
    load: () => load(dir),
  };
}

/**
 * A loader for any model source that resolves to a local release folder
 * (`lib/scoring/model_source.ts`'s `resolveModelSource`: a folder as it is,
 * `s3://…` through its manifest, `models:/name@alias` through the MLflow
 * registry, both downloaded once per release into a cache). Each poll
 * resolves the source again, so a moved alias or a new S3 release is seen;
 * the fingerprint is the resolved folder's card version.
 *
 * @example
 * ```ts ignore
 * import { resolvingLoader } from "./watcher.ts";
 * const loader = resolvingLoader(
 *   "models:/threat-detector@champion",
 *   async (source) => (await resolveModelSource(source, { env, log })).dir,
 *   (dir) => loadScorer(dir, { use: "single", log }),
 * );
 * ```
 */
export function resolvingLoader<M = ServedModel>(
  source: string,
  resolve: (source: string) => Promise<string>,
  load: (dir: string) => Promise<M>,
): ModelLoader<M> {
  let resolved: string | undefined;
  return {
    source,
    async fingerprint() {
      resolved = await resolve(source);
      return await localDirLoader(resolved, load).fingerprint();
    },
    async load() {
      return await load(resolved ?? await resolve(source));
    },
  };
}

/** What one poll did. */
export type PollResult = "unchanged" | "swapped" | "failed" | "busy";

/** Options of {@linkcode ModelWatcher}. */
export interface WatcherOptions<M extends { dispose(): void } = ServedModel> {
  /** Where new models go. */
  holder: SwapTarget<M>;
  /** The source to poll. */
  loader: ModelLoader<M>;
  /** Milliseconds between polls. */
  intervalMs: number;
  /** Swaps and failures. */
  log?: Logger;
}

/**
 * Polls a model source and swaps new models in. {@linkcode ModelWatcher.poll}
 * runs one check now (tests drive it directly); `start()` polls every
 * `intervalMs` until `stop()`.
 *
 * @example
 * ```ts ignore
 * import { localDirLoader, ModelWatcher } from "./watcher.ts";
 * const watcher = new ModelWatcher({ holder, loader: localDirLoader(dir, load), intervalMs: 5000, log });
 * watcher.start();
 * // … on shutdown:
 * await watcher.stop();
 * ```
 */
export class ModelWatcher<M extends { dispose(): void } = ServedModel> {
  #o: WatcherOptions<M>;
  #log: Logger;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<PollResult> | undefined;
  #stopped = false;
  #lastFailure: string | undefined;

  /** Create a watcher (not started). */
  constructor(options: WatcherOptions<M>) {
    this.#o = options;
    this.#log = options.log ?? nullLogger;
  }

  /** Poll every `intervalMs` from now on. */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** Stop polling; resolves once a poll in progress has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /**
   * Check the source once: load and swap in a new model if the fingerprint
   * differs from the answering version. A poll while one runs returns `busy`.
   */
  poll(): Promise<PollResult> {
    if (this.#running) return Promise.resolve("busy");
    this.#running = this.#poll().finally(() => (this.#running = undefined));
    return this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(async () => {
      await this.poll();
      this.#schedule();
    }, this.#o.intervalMs);
  }

  async #poll(): Promise<PollResult> {
    const { holder, loader } = this.#o;
    let fingerprint: string | undefined;
    try {
      fingerprint = await loader.fingerprint();
      if (fingerprint === holder.version) return "unchanged";
      const model = await loader.load();
      if (this.#stopped) {
        model.dispose();
        return "unchanged";
      }
      this.#lastFailure = undefined;
      return holder.swap(model, { source: loader.source }) ? "swapped" : "unchanged";
    } catch (err) {
      // Warn once per broken fingerprint, not at every poll.
      const key = `${fingerprint}\u0000${(err as Error).message}`;
      if (key !== this.#lastFailure) {
        this.#lastFailure = key;
        this.#log.warn("new model not loaded; the current one keeps answering", {
          source: loader.source,
          found: fingerprint,
          answering: holder.version,
          error: (err as Error).message,
        });
      }
      return "failed";
    }
  }
}
