/**
 * One fit of the stacked n-gram LRs (lib/url/ngram_stack.ts) and the worker
 * that runs such fits: told the shared inputs once (the part matrices, labels
 * and folds, on SharedArrayBuffers, so never copied), then fit by fit which
 * part and fold to fit, it answers with the result. The pool imports
 * {@linkcode runLrFit} from here too (its one-thread path, and so this file
 * is in the stage's module graph: a change to it re-runs the stage).
 *
 * @module
 */
import type { Csr } from "../learn/sparse_logreg.ts";
import { fitNgramLr, heldOutLogits, type NgramLrOptions } from "./ngram_model.ts";

/** What every fit reads. */
export interface LrFitInputs {
  /** One matrix per stacked LR (URL part). */
  xs: Csr[];
  /** 0/1 label of each row. */
  labels: Uint8Array;
  /** Fold of each row. */
  fold: Int32Array;
  /** The LR's options. */
  o: NgramLrOptions;
}

/** One fit: the LR of matrix `part` on the rows outside fold `f`, or on all rows (`f` −1). */
export interface LrFit {
  /** Matrix index. */
  part: number;
  /** Held-out fold, or −1 for the LR on all rows. */
  f: number;
}

/** A fit's result: the held-out logits (`f` ≥ 0) or the model (`f` −1). */
export type LrFitResult =
  | { z: Float64Array }
  | { weights: Float32Array; bias: number };

/**
 * Run one fit.
 *
 * @example
 * ```ts ignore
 * const r = runLrFit({ xs, labels, fold, o: { l2: 1e-4 } }, { part: 0, f: -1 });
 * ```
 */
export function runLrFit(inputs: LrFitInputs, fit: LrFit): LrFitResult {
  const x = inputs.xs[fit.part];
  if (fit.f >= 0) return { z: heldOutLogits(x, inputs.labels, inputs.fold, fit.f, inputs.o) };
  const m = fitNgramLr(x, inputs.labels, inputs.o);
  return { weights: m.weights, bias: m.bias };
}

/** A message to the worker: the inputs (first), then fits. */
export type LrWorkerMessage = { inputs: LrFitInputs } | { fit: LrFit };

if (import.meta.main) {
  const scope = self as unknown as {
    onmessage: (e: MessageEvent<LrWorkerMessage>) => void;
    postMessage(message: LrFitResult, transfer: Transferable[]): void;
  };
  let inputs: LrFitInputs | undefined;
  scope.onmessage = (e) => {
    if ("inputs" in e.data) {
      inputs = e.data.inputs;
      return;
    }
    const r = runLrFit(inputs!, e.data.fit);
    scope.postMessage(r, [("z" in r ? r.z.buffer : r.weights.buffer) as ArrayBuffer]);
  };
}
