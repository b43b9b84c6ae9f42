/**
 * The model that answers, swapped atomically. A request takes a lease on the
 * current model ({@linkcode ModelHolder.acquire}) and scores with it even if a
 * new model is swapped in meanwhile; the old model is disposed only when its
 * last lease is released. So a swap drops no request and no request sees a
 * disposed model.
 *
 * @module
 */
import type { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import type { ModelCard } from "../learn/model_io.ts";
import type { Preprocessor } from "../learn/preprocess.ts";
import type { ClassPredictor } from "../learn/multiclass.ts";

/** One scored record. */
export interface Scored {
  /** Probability of "threat". */
  probability: number;
  /** 1 when `probability >= threshold`. */
  label: 0 | 1;
}

/** A compiled class model (opt-in multiclass; lib/serve/classes.ts loads it). */
export interface ServedClasses {
  /** Class names; `predict`'s class indices point here. */
  readonly names: readonly string[];
  /** Classes and probabilities of encoded rows (the main model's encoding). */
  readonly predict: ClassPredictor;
}

/**
 * What the server needs of a loaded model: the shape of `Scorer` from
 * `lib/scoring/scorer.ts` (a `Scorer` is one), so tests can pass a fake.
 */
export interface ServedModel {
  /** The card's content-hash version. */
  readonly version: string;
  /** Decision threshold. */
  readonly threshold: number;
  /** The model card. */
  readonly card: ModelCard;
  /** The fitted preprocessing with its embedded schema. */
  readonly preprocess: Preprocessor;
  /** The input columns a record carries (features, then optional id/target). */
  readonly inputColumns: readonly string[];
  /** The release's class model (opt-in multiclass): answers gain `class` and `class_probability`. */
  readonly classes?: ServedClasses;
  /** Validate and score one record; throws a `DataError` naming the field. */
  scoreRecord(record: Record<string, unknown>): Scored;
  /** Score many records; a bad record gets its `DataError` at its index instead of a score. */
  scoreRecords(records: readonly Record<string, unknown>[]): {
    results: (Scored | null)[];
    errors: (DataError | null)[];
  };
  /** Probability of "threat" for `rows` encoded rows. */
  predictProba(features: Float32Array, rows: number): Float32Array;
  /** Free the model. */
  dispose(): void;
}

/** Where a model came from and when it started answering. */
export interface ModelInfo {
  /** The model source as configured (directory, s3:// or models:/ URI). */
  source: string;
  /** ISO time it was loaded. */
  loadedAt: string;
}

/** A model lent to one request; call `release()` exactly once when done. */
export interface Lease {
  /** The model. */
  readonly model: ServedModel;
  /** Its origin. */
  readonly info: ModelInfo;
  /** Give the model back. */
  release(): void;
}

interface Slot {
  model: ServedModel;
  info: ModelInfo;
  leases: number;
  retired: boolean;
}

/** Called after each swap with the old and the new version (old undefined on first install). */
export type SwapListener = (swap: { from?: string; to: string; at: number }) => void;

/**
 * Holds the answering model; swaps are atomic (one reference assignment),
 * old models are disposed once their in-flight requests finish.
 *
 * @example
 * ```ts ignore
 * import { ModelHolder } from "./model_holder.ts";
 * const holder = new ModelHolder({ log });
 * holder.swap(await loadScorer("artifacts/model", { use: "single" }), { source: "artifacts/model" });
 * const lease = holder.acquire();
 * try {
 *   lease?.model.scoreRecord(record);
 * } finally {
 *   lease?.release();
 * }
 * ```
 */
export class ModelHolder {
  #current: Slot | undefined;
  #log: Logger;
  #listeners: SwapListener[] = [];
  #closed = false;
  #drained: (() => void)[] = [];
  #live = new Set<Slot>();

  /** Create an empty holder (not ready until the first {@linkcode ModelHolder.swap}). */
  constructor(options: { log?: Logger } = {}) {
    this.#log = options.log ?? nullLogger;
  }

  /** The answering model's version, if any. */
  get version(): string | undefined {
    return this.#current?.model.version;
  }

  /** Whether a model is loaded and the holder is not closed. */
  get ready(): boolean {
    return this.#current !== undefined && !this.#closed;
  }

  /**
   * Lend the current model to a request, or undefined when none is loaded
   * (or the holder is closed).
   */
  acquire(): Lease | undefined {
    const slot = this.#current;
    if (!slot || this.#closed) return undefined;
    slot.leases++;
    let released = false;
    return {
      model: slot.model,
      info: slot.info,
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        if (slot.leases === 0 && slot.retired) this.#dispose(slot);
      },
    };
  }

  /**
   * Make `model` the answering one. Requests already holding the old model
   * finish with it; it is disposed after the last of them. Swapping in the
   * version that already answers disposes `model` and changes nothing.
   * Returns whether the answering model changed.
   */
  swap(model: ServedModel, info: Omit<ModelInfo, "loadedAt"> & { loadedAt?: string }): boolean {
    if (this.#closed) {
      model.dispose();
      throw new RangeError("swap into a closed ModelHolder");
    }
    const old = this.#current;
    if (old && old.model.version === model.version) {
      model.dispose();
      return false;
    }
    const slot: Slot = {
      model,
      info: { source: info.source, loadedAt: info.loadedAt ?? new Date().toISOString() },
      leases: 0,
      retired: false,
    };
    this.#live.add(slot);
    this.#current = slot;
    if (old) this.#retire(old);
    this.#log.info("model answering", { version: model.version, previous: old?.model.version });
    const swap = { from: old?.model.version, to: model.version, at: performance.now() };
    for (const listener of this.#listeners) listener(swap);
    return true;
  }

  /** Call `listener` after each swap. */
  onSwap(listener: SwapListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Stop lending; dispose every model once its leases are released. Resolves
   * when all are disposed.
   */
  close(): Promise<void> {
    this.#closed = true;
    const slot = this.#current;
    this.#current = undefined;
    if (slot) this.#retire(slot);
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #retire(slot: Slot): void {
    slot.retired = true;
    if (slot.leases === 0) this.#dispose(slot);
  }

  #dispose(slot: Slot): void {
    if (!this.#live.delete(slot)) return;
    try {
      slot.model.dispose();
    } catch (err) {
      this.#log.warn("disposing a model failed", {
        version: slot.model.version,
        error: (err as Error).message,
      });
    }
    this.#log.debug("model disposed", { version: slot.model.version });
    if (this.#live.size === 0 && this.#closed) {
      for (const resolve of this.#drained.splice(0)) resolve();
    }
  }
}
