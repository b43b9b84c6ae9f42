/**
 * A worker of `_tree_lane.ts`: gets the validation rows once, then fits the
 * tree candidates it is sent (`fitTreeCandidate`, one histogram thread), or
 * a speculative refit (`refitTrees` with a shared target), and posts each
 * result back, until terminated.
 *
 * @module
 */
import type { Matrix } from "./matrix.ts";
import {
  fitTreeCandidate,
  refitTrees,
  type TreeCandidate,
  type TreeConfig,
  type TreeModel,
  type TreeRefitOptions,
} from "./trees.ts";
import type { SelectionMetric } from "../reports/metrics.ts";

/** One candidate to fit in a lane. */
export interface LaneJob {
  /** Job number (replies carry it). */
  id: number;
  /** What to fit. */
  config: TreeConfig;
  /** Training rows. */
  train: Matrix;
  /** Seed. */
  seed: number;
  /** Selection metric. */
  metric: SelectionMetric;
  /** Label (log). */
  label: string;
}

/** A refit to run in a lane (`refitTrees`, `target` on a SharedArrayBuffer). */
export interface LaneRefitJob {
  /** Job number (replies carry it). */
  id: number;
  /** The refit. */
  refit: TreeRefitOptions;
}

/** A lane's answer to a job. */
export type LaneReply =
  | { id: number; result: TreeCandidate | TreeModel }
  | { id: number; error: string };

const scope = self as unknown as {
  onmessage: (e: MessageEvent<{ val: Matrix } | LaneJob | LaneRefitJob>) => void;
  postMessage(reply: LaneReply): void;
};

let val: Matrix | undefined;

scope.onmessage = (e) => {
  const m = e.data;
  if ("val" in m) {
    val = m.val;
    return;
  }
  try {
    if ("refit" in m) {
      scope.postMessage({ id: m.id, result: refitTrees(m.refit) });
      return;
    }
    if (!val) throw new RangeError("tree lane: no validation rows");
    const result = fitTreeCandidate({ ...m, val, threads: 1 });
    scope.postMessage({ id: m.id, result });
  } catch (err) {
    scope.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
};
