/**
 * A worker of `_tree_lane.ts`: gets the validation rows once, then fits the
 * tree candidates it is sent (`fitTreeCandidate`, one histogram thread) and
 * posts each result back, until terminated.
 *
 * @module
 */
import type { Matrix } from "./matrix.ts";
import { fitTreeCandidate, type TreeCandidate, type TreeConfig } from "./trees.ts";
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

/** A lane's answer to a job. */
export type LaneReply = { id: number; result: TreeCandidate } | { id: number; error: string };

const scope = self as unknown as {
  onmessage: (e: MessageEvent<{ val: Matrix } | LaneJob>) => void;
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
    if (!val) throw new RangeError("tree lane: no validation rows");
    const result = fitTreeCandidate({ ...m, val, threads: 1 });
    scope.postMessage({ id: m.id, result });
  } catch (err) {
    scope.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
  }
};
