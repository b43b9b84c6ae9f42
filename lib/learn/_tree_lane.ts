/**
 * A tree-fitting lane for the search (lib/learn/search.ts): a worker thread
 * (`_tree_lane_worker.ts`) that fits tree candidates while the calling thread
 * trains others (networks, or trees), so a rung's candidates use the cores
 * side by side. A candidate's result does not depend on where it was fitted
 * (the same code on the same rows and seed; one histogram thread, which the
 * trees do not depend on either).
 *
 * @module
 */
import type { Matrix } from "./matrix.ts";
import type { TreeCandidate, TreeModel, TreeRefitOptions } from "./trees.ts";
import type { LaneJob, LaneRefitJob, LaneReply } from "./_tree_lane_worker.ts";

export type { LaneJob, LaneRefitJob, LaneReply } from "./_tree_lane_worker.ts";

/** A started lane. */
export interface TreeLane {
  /** Fit one tree candidate on the lane's thread. */
  fit(job: Omit<LaneJob, "id">): Promise<TreeCandidate>;
  /** Run `refitTrees` on the lane's thread (`train` and `target` best on SharedArrayBuffers). */
  refit(job: TreeRefitOptions): Promise<TreeModel>;
  /** Stop the worker (pending fits reject). */
  close(): void;
}

/**
 * A copy of `m` whose features and labels live in SharedArrayBuffers, so
 * lanes given it share one copy (a posted SharedArrayBuffer is not cloned).
 *
 * @example
 * ```ts
 * import { sharedMatrix } from "./_tree_lane.ts";
 * const m = { rows: 1, cols: 1, columns: ["a"], data: Float32Array.of(2), labels: Uint8Array.of(1) };
 * sharedMatrix(m).data.buffer instanceof SharedArrayBuffer; // true
 * ```
 */
export function sharedMatrix(m: Matrix): Matrix {
  const data = new Float32Array(
    new SharedArrayBuffer(Math.max(4, m.data.byteLength)),
    0,
    m.data.length,
  );
  const labels = new Uint8Array(
    new SharedArrayBuffer(Math.max(1, m.labels.length)),
    0,
    m.labels.length,
  );
  data.set(m.data);
  labels.set(m.labels);
  return { ...m, data, labels };
}

/**
 * Start a lane whose candidates are all scored on `val` (sent once; shared
 * when it lives in SharedArrayBuffers, see {@linkcode sharedMatrix}).
 *
 * @example
 * ```ts ignore
 * const lane = openTreeLane(val);
 * const c = await lane.fit({ config, train, seed: 7, metric: "roc_auc", label: "c4" });
 * lane.close();
 * ```
 */
export function openTreeLane(val: Matrix): TreeLane {
  if (!(val.data.buffer instanceof SharedArrayBuffer)) val = sharedMatrix(val);
  const worker = new Worker(new URL("./_tree_lane_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const pending = new Map<
    number,
    { resolve: (c: TreeCandidate | TreeModel) => void; reject: (e: Error) => void }
  >();
  let next = 0;
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.onmessage = (e: MessageEvent<LaneReply>) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if ("error" in e.data) p.reject(new Error(`tree lane: ${e.data.error}`));
    else p.resolve(e.data.result);
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    failAll(new Error(`tree lane worker failed: ${e.message}`));
  };
  worker.postMessage({ val });
  const send = (job: Omit<LaneJob, "id"> | Omit<LaneRefitJob, "id">) => {
    const id = next++;
    return new Promise<TreeCandidate | TreeModel>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id });
    });
  };
  return {
    fit: (job) => send(job) as Promise<TreeCandidate>,
    refit: (refit) => send({ refit }) as Promise<TreeModel>,
    close() {
      worker.terminate();
      failAll(new Error("tree lane closed"));
    },
  };
}
