/**
 * The stacked n-gram LRs of the featurize stage, fitted in parallel: per
 * matrix (one per URL part, or the one whole-URL matrix), K out-of-fold LRs
 * (their held-out logits are the training rows' stacked column) and the LR on
 * all training rows (scored on the test rows, released with the model). The
 * `matrices × (K + 1)` fits are independent: they run on worker threads
 * (lib/url/_ngram_lr_worker.ts), largest matrix first, each taken by the next
 * free worker. Every fit is computed whole by one thread with the same code,
 * and the results are put in place by matrix and fold, so the logits and
 * models are bit-identical whatever the thread count (and to
 * {@linkcode outOfFoldLogits} + {@linkcode fitNgramLr} on one thread).
 *
 * @module
 */
import type { Csr, SparseLogreg } from "../learn/sparse_logreg.ts";
import {
  type LrFit,
  type LrFitInputs,
  type LrFitResult,
  type LrWorkerMessage,
  runLrFit,
} from "./_ngram_lr_worker.ts";
import { type NgramLrOptions, placeHeldOut, stratifiedFolds } from "./ngram_model.ts";

/** Worker threads by default: the cores, at most 4 (each fit holds its own copies). */
export const DEFAULT_LR_THREADS = Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1));

/** The fitted stack. */
export interface StackedNgramLrs {
  /** Per matrix: out-of-fold logit of every training row. */
  oof: Float64Array[];
  /** Per matrix: the LR fitted on all training rows. */
  lrs: SparseLogreg[];
}

/**
 * Fit the stacked LRs of every matrix in `xs` (rows = training rows).
 * `threads` 1 runs every fit on the calling thread.
 *
 * @example
 * ```ts ignore
 * import { fitStackedNgramLrs } from "./ngram_stack.ts";
 * const { oof, lrs } = await fitStackedNgramLrs(xs, labels, { l2: 3e-8, folds: 5, seed: 7 });
 * ```
 */
export async function fitStackedNgramLrs(
  xs: readonly Csr[],
  labels: ArrayLike<number>,
  o: NgramLrOptions & { folds: number; seed: number },
  threads: number = DEFAULT_LR_THREADS,
): Promise<StackedNgramLrs> {
  const fold = stratifiedFolds(labels, o.folds, o.seed);
  const nnz = (x: Csr) => x.indptr[x.indptr.length - 1];
  const fits: LrFit[] = xs.flatMap((_, part) =>
    Array.from({ length: o.folds + 1 }, (_, k) => ({ part, f: k - 1 }))
  ).sort((a, b) => nnz(xs[b.part]) - nnz(xs[a.part]) || a.part - b.part || a.f - b.f);
  const options: NgramLrOptions = {
    l2: o.l2,
    idf: o.idf,
    nb: o.nb,
    maxIter: o.maxIter,
    tol: o.tol,
  };
  const results = threads <= 1
    ? fits.map((fit) => runLrFit({ xs: [...xs], labels: bytes(labels), fold, o: options }, fit))
    : await runOnWorkers(
      { xs: xs.map(shared), labels: shared(bytes(labels)), fold: shared(fold), o: options },
      fits,
      Math.min(threads, fits.length),
    );
  const oof = xs.map(() => new Float64Array(labels.length));
  const lrs: SparseLogreg[] = new Array(xs.length);
  fits.forEach(({ part, f }, k) => {
    const r = results[k];
    if ("z" in r) placeHeldOut(oof[part], fold, f, r.z);
    else lrs[part] = { weights: r.weights, bias: r.bias };
  });
  return { oof, lrs };
}

const bytes = (a: ArrayLike<number>) => a instanceof Uint8Array ? a : Uint8Array.from(a);

/** A copy of a typed array (or of a matrix's arrays) on a SharedArrayBuffer. */
function shared<T extends Int32Array | Uint8Array | Float32Array | Csr>(a: T): T {
  if ("indptr" in a) {
    return {
      cols: a.cols,
      indptr: shared(a.indptr),
      indices: shared(a.indices),
      values: shared(a.values),
    } as T;
  }
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T & { set(s: T): void };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** Run `fits` on `threads` workers; results in `fits` order. */
function runOnWorkers(
  inputs: LrFitInputs,
  fits: LrFit[],
  threads: number,
): Promise<LrFitResult[]> {
  const results: LrFitResult[] = new Array(fits.length);
  const workers: Worker[] = [];
  const url = new URL("./_ngram_lr_worker.ts", import.meta.url).href;
  return new Promise<LrFitResult[]>((resolve, reject) => {
    let next = 0, done = 0;
    const give = (w: Worker) => {
      if (next >= fits.length) return;
      const k = next++;
      w.onmessage = (e: MessageEvent<LrFitResult>) => {
        results[k] = e.data;
        if (++done === fits.length) resolve(results);
        else give(w);
      };
      w.postMessage({ fit: fits[k] } satisfies LrWorkerMessage);
    };
    for (let t = 0; t < threads; t++) {
      const w = new Worker(url, { type: "module" });
      workers.push(w);
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`n-gram LR worker failed: ${e.message}`));
      };
      w.postMessage({ inputs } satisfies LrWorkerMessage);
      give(w);
    }
  }).finally(() => workers.forEach((w) => w.terminate()));
}
