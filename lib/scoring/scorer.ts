/**
 * The loaded released model, shared by the batch scorer (`deno task predict`)
 * and the HTTP server: the model card, the preprocessing (with the schema it
 * embeds) and an inference engine, behind one {@linkcode Scorer}.
 *
 * ## Inference engine
 *
 * The released families (lib/learn/models.ts: `logreg`, `mlp`, and the seed
 * ensemble, which train releases as one wider Dense stack) are plain stacks
 * of Dense layers ending in one sigmoid unit. For those, {@linkcode loadScorer}
 * reads the exported weights (`model.json` + `weights.bin`) and runs its own
 * forward pass: a WebAssembly SIMD kernel (`_dense_wasm.ts`, float32 like
 * TensorFlow.js), or plain JavaScript where SIMD is missing. Any other
 * topology falls back to TensorFlow.js through `loadReleasedModel`; tree
 * families (`gbdt`, `extra_trees`: `trees.json`, no network) are scored by
 * `loadReleasedModel`'s own plain-JavaScript predictor (engine `trees-js`). At load
 * the pass is checked against TensorFlow.js on probe rows (tolerance 1e-5;
 * the tests hold it to 1e-6) and a mismatch falls back with a warning.
 *
 * Measured with `deno run -A bench/scorer_engines.ts --repeats 9` on the
 * released `mlp[64,32]` x3 ensemble (30 → 192 → 96 → 1, block-diagonal
 * second layer), 2026-11-24, 2-core x86-64 shared with other jobs (load
 * 2.5), Deno 2.9.6, tfjs 4.22.0; batch = one call on 100,000 rows (20,000
 * for TF.js), best / median of 9; one row = p50 / p99 of 5,000 calls:
 *
 * | engine                  | batch, rows/s          | one row, µs   |
 * | ----------------------- | ---------------------- | ------------- |
 * | `dense-simd` (chosen)   | 2,065,480 / 2,002,427  | 1.1 / 4.4     |
 * | `dense-js`              | 134,453 / 78,780       | 12.2 / 16.7   |
 * | TensorFlow.js `wasm`    | 816,542 / 795,360      | 38.1 / 872    |
 * | TensorFlow.js `cpu`     | 29,124 / 28,320        | 68.1 / 737    |
 *
 * The SIMD pass wins both uses: about 2.5x TensorFlow.js's best for
 * batches, and 35x for one row, where TensorFlow.js's per-call tensor set-up
 * dominates. So `auto` picks it for `batch` and `single`. Force an engine
 * with `backend: "dense-simd" | "dense-js" | "cpu" | "wasm"`.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import type { ModelCard } from "../learn/model_io.ts";
import {
  loadPreprocess,
  type Preprocessor,
  type RecordOptions,
  transformRecord,
} from "../learn/preprocess.ts";
import type { BackendName } from "../learn/tf_backend.ts";
import { compileDense, type DenseStack } from "./_dense.ts";
import { denseRunnerFor } from "./_dense_probe.ts";

/**
 * Engine choice: `auto` (the measured best), `dense-simd` / `dense-js` (the
 * Dense-stack pass in WebAssembly SIMD / plain JavaScript), or a TensorFlow.js
 * backend (`cpu`, `wasm`).
 */
export type ScorerBackend = "auto" | "dense-simd" | "dense-js" | BackendName;

/** The engine a scorer runs on. */
export type ScorerEngine = "dense-simd" | "dense-js" | "tfjs-cpu" | "tfjs-wasm" | "trees-js";

/** Families released as trees (`trees.json`, scored by lib/learn/model_io.ts's own predictor). */
const TREE_FAMILIES: ReadonlySet<string> = new Set(["gbdt", "extra_trees"]);

/** The values `backend` accepts. */
export const SCORER_BACKENDS: readonly ScorerBackend[] = [
  "auto",
  "dense-simd",
  "dense-js",
  "cpu",
  "wasm",
];

/** Options of {@linkcode loadScorer}. */
export interface ScorerOptions {
  /** What the process mostly does: many rows per call, or one. */
  use: "batch" | "single";
  /** Progress and the engine choice (debug). */
  log?: Logger;
  /** Engine (default `auto`). */
  backend?: ScorerBackend;
  /** Accept record fields the schema does not know (default: a `DataError`). */
  allowUnknown?: boolean;
}

/** One scored row. */
export interface Score {
  /** Probability of "threat" (a float32 value). */
  probability: number;
  /** 1 when `probability ≥ threshold`. */
  label: 0 | 1;
}

/** Scores of many records: per index, a score or the record's error. */
export interface ScoreBatch {
  /** Score of record i, or null when it was rejected. */
  results: (Score | null)[];
  /** Why record i was rejected (naming the field), or null. */
  errors: (DataError | null)[];
}

/** A loaded released model. */
export interface Scorer {
  /** The model folder it was loaded from. */
  readonly dir: string;
  /** The card's version (content hash). */
  readonly version: string;
  /** The card's decision threshold. */
  readonly threshold: number;
  /** The model card. */
  readonly card: ModelCard;
  /** The preprocessing (its `schema` is the embedded schema). */
  readonly preprocess: Preprocessor;
  /** Raw fields a record carries: the schema's kept columns minus the target (features and the id, if any). */
  readonly inputColumns: readonly string[];
  /** The engine in use. */
  readonly engine: ScorerEngine;
  /** Validate, encode and score one record; throws a `DataError` naming the field. */
  scoreRecord(record: Record<string, unknown>): Score;
  /** Score many records; a bad record gets an error at its index, the rest are scored. */
  scoreRecords(records: readonly Record<string, unknown>[]): ScoreBatch;
  /** Probabilities for `rows` encoded rows (`preprocess.width` float32 values each). */
  predictProba(features: Float32Array, rows: number): Float32Array;
  /** The label of a probability at the card's threshold. */
  label(probability: number): 0 | 1;
  /** Free the engine's resources. */
  dispose(): void;
}

/**
 * Load the released model folder (`artifacts/model` or a folder resolved by
 * `model_source.ts`): check the card and the files' version, load the
 * preprocessing, pick the engine (see the module doc) and return a
 * {@linkcode Scorer}. A missing or inconsistent folder throws a `DataError`
 * naming the file.
 *
 * @example
 * ```ts ignore
 * import { loadScorer } from "./scorer.ts";
 * const scorer = await loadScorer("artifacts/model", { use: "single" });
 * const { probability, label } = scorer.scoreRecord({ having_ip_address: 1, url_length: -1, … });
 * scorer.dispose();
 * ```
 */
export async function loadScorer(dir: string, options: ScorerOptions): Promise<Scorer> {
  const log = options.log ?? nullLogger;
  const choice = options.backend ?? "auto";
  const wantJs = choice === "auto" || choice === "dense-simd" || choice === "dense-js";
  // TensorFlow.js always loads the folder: it checks the card and the files'
  // version, and it is the reference the JavaScript pass is checked against.
  const { loadReleasedModel } = await import("../learn/model_io.ts");
  let released = await loadReleasedModel(dir, {
    use: options.use,
    backend: wantJs ? "cpu" : choice,
    log,
  });
  const card = released.card;
  const preFile = `${dir}/preprocess.json`;
  const preprocess = loadPreprocess(released.preprocessJson as object, preFile);
  if (preprocess.columns.join("\u0000") !== card.features.join("\u0000")) {
    released.dispose();
    throw new DataError("the preprocessing's output columns differ from the card's features", {
      file: preFile,
      hint: "the model folder mixes two pipeline runs; run the train stage again",
    });
  }
  let engine: ScorerEngine = `tfjs-${released.backend}`;
  let predict = released.predictProba;
  let dispose = () => released.dispose();
  let stack: DenseStack | undefined;
  let trees: unknown;
  // Tree families have no network: the release's own predictor (plain JavaScript) scores them.
  const family = String(
    (released as { family?: unknown }).family ?? (card.config as { family?: unknown }).family,
  );
  if (TREE_FAMILIES.has(family)) {
    if (choice === "dense-simd" || choice === "dense-js") {
      released.dispose();
      throw new DataError(`backend '${choice}' cannot run a ${family} model`, {
        file: `${dir}/card.json`,
        hint: "use backend auto",
      });
    }
    engine = "trees-js";
    // The snapshot carries the (version-checked) trees, so workers need no TensorFlow.js.
    trees = JSON.parse(await Deno.readTextFile(`${dir}/trees.json`));
    log.debug("scorer engine", { engine, family });
  } else if (wantJs) {
    const dense = await denseRunnerFor(dir, released, choice === "dense-js" ? "js" : "auto");
    if (typeof dense !== "string") {
      released.dispose();
      const { runner } = dense;
      if (choice === "dense-simd" && runner.kind !== "wasm-simd") {
        throw new DataError("backend 'dense-simd': WebAssembly SIMD is not available here", {
          hint: "use backend auto or dense-js",
        });
      }
      engine = runner.kind === "wasm-simd" ? "dense-simd" : "dense-js";
      predict = runner.predict;
      dispose = () => {};
      stack = dense.stack;
      log.debug("scorer engine", { engine, model: stack.description });
    } else if (choice !== "auto") {
      released.dispose();
      throw new DataError(`backend '${choice}' cannot run this model: ${dense}`, {
        file: `${dir}/model.json`,
        hint: "use backend auto, cpu or wasm",
      });
    } else {
      log.warn("scorer: not a plain Dense stack, scoring with TensorFlow.js", { reason: dense });
      if (options.use === "batch") {
        // The fallback runs batches on the measured batch backend.
        released.dispose();
        released = await loadReleasedModel(dir, { use: "batch", log });
        engine = `tfjs-${released.backend}`;
        predict = released.predictProba;
        dispose = () => released.dispose();
      }
    }
  }
  log.debug("scorer loaded", { dir, version: card.version, engine });
  const scorer = makeScorer({ dir, card, preprocess, engine, predict, dispose, options });
  snapshots.set(scorer, {
    dir,
    card,
    preprocessJson: released.preprocessJson,
    engine,
    dense: stack,
    trees,
    allowUnknown: options.allowUnknown,
  });
  return scorer;
}

/** What rebuilds a loaded scorer in another thread, without re-reading or re-checking its files. */
export interface ScorerSnapshot {
  /** The model folder. */
  dir: string;
  /** The model card. */
  card: ModelCard;
  /** The parsed preprocess.json. */
  preprocessJson: unknown;
  /** The engine it ran on. */
  engine: ScorerEngine;
  /** The Dense stack, for the `dense-*` engines. */
  dense?: DenseStack;
  /** The parsed trees.json, for the `trees-js` engine. */
  trees?: unknown;
  /** Whether unknown record fields are accepted. */
  allowUnknown?: boolean;
}

const snapshots = new WeakMap<Scorer, ScorerSnapshot>();

/**
 * The snapshot of a scorer made by {@linkcode loadScorer} (structured-
 * cloneable: post it to a worker); undefined for other objects.
 *
 * @example
 * ```ts ignore
 * import { loadScorer, scorerSnapshot } from "./scorer.ts";
 * worker.postMessage({ snapshot: scorerSnapshot(await loadScorer(dir, { use: "batch" })) });
 * ```
 */
export function scorerSnapshot(scorer: Scorer): ScorerSnapshot | undefined {
  return snapshots.get(scorer);
}

/**
 * Rebuild a scorer from its snapshot: the `dense-*` and `trees-js` engines
 * without TensorFlow.js or file reads; TensorFlow.js engines load the
 * folder again.
 *
 * @example
 * ```ts ignore
 * import { scorerFromSnapshot } from "./scorer.ts";
 * self.onmessage = async (e) => { const scorer = await scorerFromSnapshot(e.data.snapshot); };
 * ```
 */
export async function scorerFromSnapshot(
  snap: ScorerSnapshot,
  log: Logger = nullLogger,
): Promise<Scorer> {
  const options: ScorerOptions = { use: "batch", log, allowUnknown: snap.allowUnknown };
  let engine: ScorerEngine;
  let predict: (features: Float32Array, rows: number) => Float32Array;
  if (snap.dense) {
    const runner = compileDense(snap.dense, snap.engine === "dense-js" ? "js" : "auto");
    engine = runner.kind === "wasm-simd" ? "dense-simd" : "dense-js";
    predict = runner.predict;
  } else if (snap.trees !== undefined) {
    // lib/learn/trees.ts is model_io's tree predictor, without TensorFlow.js.
    const { compileTrees, parseTreeModel } = await import("../learn/trees.ts");
    engine = "trees-js";
    predict = compileTrees(parseTreeModel(snap.trees, `${snap.dir}/trees.json`));
  } else {
    return loadScorer(snap.dir, {
      ...options,
      backend: snap.engine === "tfjs-cpu" ? "cpu" : snap.engine === "tfjs-wasm" ? "wasm" : "auto",
    });
  }
  const preprocess = loadPreprocess(snap.preprocessJson as object, `${snap.dir}/preprocess.json`);
  const scorer = makeScorer({
    dir: snap.dir,
    card: snap.card,
    preprocess,
    engine,
    predict,
    dispose: () => {},
    options,
  });
  snapshots.set(scorer, { ...snap, engine });
  return scorer;
}

function makeScorer(o: {
  dir: string;
  card: ModelCard;
  preprocess: Preprocessor;
  engine: ScorerEngine;
  predict: (features: Float32Array, rows: number) => Float32Array;
  dispose: () => void;
  options: ScorerOptions;
}): Scorer {
  const { dir, card, preprocess, engine, predict, dispose } = o;
  const threshold = card.threshold;
  const label = (p: number): 0 | 1 => (p >= threshold ? 1 : 0);
  const recordOptions: RecordOptions = { allowUnknown: o.options.allowUnknown };
  const target = preprocess.schema.target.column;
  const scoreOne = (record: Record<string, unknown>): Score => {
    const p = predict(transformRecord(preprocess, record, recordOptions), 1)[0];
    return { probability: p, label: label(p) };
  };
  return {
    dir,
    version: card.version,
    threshold,
    card,
    preprocess,
    inputColumns: preprocess.schema.columns.map((c) => c.name).filter((n) => n !== target),
    engine,
    scoreRecord: scoreOne,
    scoreRecords(records) {
      const width = preprocess.width;
      const x = new Float32Array(records.length * width);
      const errors: (DataError | null)[] = new Array(records.length).fill(null);
      const ok: number[] = [];
      records.forEach((r, i) => {
        try {
          const encoded = transformRecord(preprocess, r, recordOptions);
          x.set(encoded, ok.length * width);
          ok.push(i);
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          errors[i] = err;
        }
      });
      const p = ok.length > 0 ? predict(x.subarray(0, ok.length * width), ok.length) : x;
      const results: (Score | null)[] = new Array(records.length).fill(null);
      ok.forEach((i, k) => (results[i] = { probability: p[k], label: label(p[k]) }));
      return { results, errors };
    },
    predictProba(features, rows) {
      if (features.length !== rows * preprocess.width) {
        throw new RangeError(
          `expected ${rows}x${preprocess.width} = ${
            rows * preprocess.width
          } values, got ${features.length}`,
        );
      }
      return predict(features, rows);
    },
    label,
    dispose,
  };
}
