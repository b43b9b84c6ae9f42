/**
 * The loaded released model, shared by the batch scorer (`deno task predict`)
 * and the HTTP server: the model card, the preprocessing (with the schema it
 * embeds) and an inference engine, behind one {@linkcode Scorer}.
 *
 * ## Inference engine
 *
 * The released families (lib/ml/models.ts: `logreg`, `mlp`) are plain stacks
 * of Dense layers ending in one sigmoid unit. For those, {@linkcode loadScorer}
 * runs a small pure-JavaScript forward pass over the exported weights
 * (`model.json` + `weights.bin`, read directly) instead of TensorFlow.js; any
 * other topology falls back to TensorFlow.js through `loadReleasedModel`.
 * At load, the JavaScript pass is checked against TensorFlow.js on probe rows
 * (tolerance 1e-5; the tests hold it to 1e-6 on the test split) and a
 * mismatch falls back to TensorFlow.js with a warning.
 *
 * Measured on the released `mlp[64,32]` (30 features), 2-core x86-64 shared
 * with other jobs (load 1.4–3), Deno 2.9, tfjs 4.22.0, 2026-11-24, best of
 * repeated runs (`deno run -A bench/scorer_engines.ts`):
 *
 * | engine                   | batch, rows/s (100k rows) | one row, p50 / p99 µs |
 * | ------------------------ | ------------------------- | --------------------- |
 * | JavaScript forward pass  | ~550,000                  | 4.8 / 14              |
 * | TensorFlow.js `cpu`      | ~120,000                  | 39 / 127              |
 * | TensorFlow.js `wasm`     | ~55,000                   | 35 / 87               |
 *
 * The JavaScript pass wins both uses (about 4.5x for batches, 8x for one
 * row, where TensorFlow.js's per-call tensor set-up dominates), so `auto`
 * picks it for both `batch` and `single`. Force an engine with
 * `backend: "js" | "cpu" | "wasm"`.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import type { ModelCard, ReleasedModel } from "../ml/model_io.ts";
import {
  loadPreprocess,
  type Preprocessor,
  type RecordOptions,
  transformRecord,
} from "../ml/preprocess.ts";
import { createRng } from "../ml/rng.ts";
import type { BackendName } from "../ml/tf_backend.ts";
import { denseForward, type DenseStack, readDenseStack } from "./_dense.ts";

/** Engine choice: `auto` (measured), `js` (the JavaScript pass), or a TensorFlow.js backend. */
export type ScorerBackend = "auto" | "js" | BackendName;

/** The engine a scorer runs on. */
export type ScorerEngine = "js" | "tfjs-cpu" | "tfjs-wasm";

/** The values `backend` accepts. */
export const SCORER_BACKENDS: readonly ScorerBackend[] = ["auto", "js", "cpu", "wasm"];

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

const PROBE_ROWS = 32;
const PROBE_TOLERANCE = 1e-5;

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("model file not found", { file: path, cause: err });
    }
    throw new DataError(`cannot read: ${(err as Error).message}`, { file: path, cause: err });
  }
}

/** Deterministic probe rows around the standardized range. */
function probeRows(cols: number): Float32Array {
  const rng = createRng(20261124);
  const x = new Float32Array(PROBE_ROWS * cols);
  for (let i = cols; i < x.length; i++) x[i] = Math.fround(rng.next() * 6 - 3);
  return x; // row 0 stays all zeros
}

/** The JavaScript pass, or the reason it cannot run this model. */
async function tryDense(dir: string, released: ReleasedModel): Promise<DenseStack | string> {
  const stack = readDenseStack(
    await readJson(`${dir}/model.json`),
    await Deno.readFile(`${dir}/weights.bin`),
  );
  if (typeof stack === "string") return stack;
  const cols = released.card.features.length;
  if (stack.inputs !== cols) return `takes ${stack.inputs} features, the card lists ${cols}`;
  const x = probeRows(cols);
  const want = released.predictProba(x, PROBE_ROWS);
  const got = denseForward(stack, x, PROBE_ROWS);
  let worst = 0;
  for (let i = 0; i < PROBE_ROWS; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
  if (!(worst <= PROBE_TOLERANCE)) {
    return `the JavaScript pass differs from TensorFlow.js by ${worst} on probe rows`;
  }
  return stack;
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
  const wantJs = choice === "auto" || choice === "js";
  // TensorFlow.js always loads the folder: it checks the card and the files'
  // version, and it is the reference the JavaScript pass is checked against.
  const { loadReleasedModel } = await import("../ml/model_io.ts");
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
  if (wantJs) {
    const stack = await tryDense(dir, released);
    if (typeof stack !== "string") {
      released.dispose();
      engine = "js";
      predict = (features, rows) => denseForward(stack, features, rows);
      dispose = () => {};
      log.debug("scorer engine", { engine, model: stack.description });
    } else if (choice === "js") {
      released.dispose();
      throw new DataError(`backend 'js' cannot run this model: ${stack}`, {
        file: `${dir}/model.json`,
        hint: "use backend auto, cpu or wasm",
      });
    } else {
      log.warn("scorer: TensorFlow.js fallback", { reason: stack });
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
  const threshold = card.threshold;
  const label = (p: number): 0 | 1 => (p >= threshold ? 1 : 0);
  const recordOptions: RecordOptions = { allowUnknown: options.allowUnknown };
  const target = preprocess.schema.target.column;
  const scoreOne = (record: Record<string, unknown>): Score => {
    const p = predict(transformRecord(preprocess, record, recordOptions), 1)[0];
    return { probability: p, label: label(p) };
  };
  log.debug("scorer loaded", { dir, version: card.version, engine });
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
