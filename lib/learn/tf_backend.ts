/**
 * Which TensorFlow.js backend runs what. Two pure-JS/WebAssembly backends
 * work under Deno: `cpu` (plain JavaScript kernels) and `wasm` (XNNPACK
 * compiled to WebAssembly, SIMD, single-threaded here). Their speed differs by
 * several times, and not in the same direction for every use, so the choice
 * is made per use from measurements ({@linkcode MEASURED_BACKEND}) and can be
 * overridden (`train.backend`, `evaluate.backend`, the scorers' options).
 *
 * TensorFlow.js has one active backend per process: a process picks the
 * backend for its main use once, before building or loading models.
 *
 * TensorFlow.js and its wasm backend load on first use ({@linkcode loadTf}),
 * not at import: a process that scores or trains trees only never pays their
 * start-up (60–100 ms).
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";
import { ConfigError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";

/** A backend this project can run on. */
export type BackendName = "cpu" | "wasm";
/** What a process mainly does with the model. */
export type BackendUse = "training" | "batch" | "single";
/** A backend, or `auto` for the measured choice of the use. */
export type BackendChoice = BackendName | "auto";

/** The values a `backend` parameter accepts. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "cpu", "wasm"];

/**
 * The measured faster backend per use. Measured 2026-11-24 with
 * `deno run -A bench/tfjs_backends.ts` (2-core x86-64 shared with other jobs,
 * Deno 2.9.6, tfjs 4.22.0, wasm = SIMD without threads; three runs, ranges):
 *
 * | use | cpu | wasm |
 * | --- | --- | --- |
 * | training, s/epoch (MLP 64-32, 8,844 rows, batch 64) | 0.52–0.71 | 0.24–0.41 |
 * | batch scoring, ms per 10,000 rows | 74–110 | 3.9–6.1 |
 * | single row, median µs per call | 47–48 | 41–43 |
 * | start-up + first prediction, ms | 13–21 | 14–24 |
 *
 * wasm wins training (~2x) and batch scoring (~15-20x). A single row costs
 * about the same on both (tfjs-layers' per-call bookkeeping dominates; wasm
 * ~10 % faster, also at p95), so `single` is wasm too. Scoring with
 * `predict()`'s default batch of 32 rows had made batches look faster on cpu:
 * lib/learn/models.ts scores in one batch.
 */
export const MEASURED_BACKEND: Readonly<Record<BackendUse, BackendName>> = Object.freeze({
  training: "wasm",
  batch: "wasm",
  single: "wasm",
});

/**
 * Resolve a choice for a use: `auto` gives the measured backend.
 *
 * @example
 * ```ts
 * import { pickBackend } from "./tf_backend.ts";
 * pickBackend("batch"); // "wasm"
 * pickBackend("batch", "cpu"); // "cpu"
 * ```
 */
export function pickBackend(use: BackendUse, choice: BackendChoice = "auto"): BackendName {
  return choice === "auto" ? MEASURED_BACKEND[use] : choice;
}

/**
 * The directory holding the wasm backend's `.wasm` binaries, found from where
 * the module resolves (Deno's npm cache, or `node_modules/` when the project
 * uses one); undefined when it does not resolve to a local file.
 *
 * @example
 * ```ts
 * import { wasmBinaryDir } from "./tf_backend.ts";
 * wasmBinaryDir()?.endsWith("/dist/"); // true
 * ```
 */
export function wasmBinaryDir(): string | undefined {
  let url: URL;
  try {
    url = new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
  } catch {
    return undefined;
  }
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : undefined;
}

type WasmBackend = typeof import("@tensorflow/tfjs-backend-wasm");
let loaded: Promise<[typeof Tf, WasmBackend]> | undefined;

/** TensorFlow.js and the wasm backend module, imported once (importing it registers the backend). */
function loadBoth(): Promise<[typeof Tf, WasmBackend]> {
  loaded ??= Promise.all([import("@tensorflow/tfjs"), import("@tensorflow/tfjs-backend-wasm")]);
  return loaded;
}

/**
 * TensorFlow.js, imported on the first call (with the wasm backend registered,
 * as a static import of both did): the one place a module that may run
 * networks gets it from, so tree-only processes never load it.
 *
 * @example
 * ```ts ignore
 * import { loadTf } from "./tf_backend.ts";
 * const tf = await loadTf();
 * tf.tensor1d([1, 2]).dispose();
 * ```
 */
export async function loadTf(): Promise<typeof Tf> {
  return (await loadBoth())[0];
}

let wasmPathsSet = false;

/**
 * Make `name` the active TensorFlow.js backend (and switch TensorFlow.js to
 * production mode, which skips debug checks and its Node.js banner). For
 * `wasm`, the binaries are located on disk first.
 *
 * @example
 * ```ts ignore
 * import { activateBackend } from "./tf_backend.ts";
 * await activateBackend("wasm");
 * ```
 */
export async function activateBackend(
  name: BackendName,
  log: Logger = nullLogger,
): Promise<BackendName> {
  const [tf, { setWasmPaths }] = await loadBoth();
  tf.env().set("PROD", true);
  if (tf.getBackend() === name) return name;
  if (name === "wasm" && !wasmPathsSet) {
    const dir = wasmBinaryDir();
    if (dir) setWasmPaths(dir);
    wasmPathsSet = true;
    log.debug("wasm binaries", { dir: dir ?? "(next to the module)" });
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new ConfigError(`TensorFlow.js backend '${name}' failed to start`, {
      cause: err,
      hint: "choose the other backend ('backend: cpu' or 'backend: wasm' in params.yaml)",
    });
  }
  if (!ok) {
    throw new ConfigError(`TensorFlow.js backend '${name}' failed to start`, {
      hint: "choose the other backend ('backend: cpu' or 'backend: wasm' in params.yaml)",
    });
  }
  await tf.ready();
  return name;
}

/**
 * Pick the backend for a use (honouring an override) and activate it.
 *
 * @example
 * ```ts ignore
 * import { backendFor } from "./tf_backend.ts";
 * const name = await backendFor("training", "auto", log); // "wasm"
 * ```
 */
export function backendFor(
  use: BackendUse,
  choice: BackendChoice = "auto",
  log: Logger = nullLogger,
): Promise<BackendName> {
  const name = pickBackend(use, choice);
  log.debug("tfjs backend", { use, choice, backend: name });
  return activateBackend(name, log);
}
