/**
 * How the search (lib/learn/search.ts) shares one rung's candidates out
 * over the calling thread and tree lanes (`_tree_lane.ts`: worker threads
 * fitting tree candidates): the calling thread takes the networks (TF.js
 * lives there), each lane takes the next tree; without lanes the calling
 * thread takes every candidate in order. The calling thread never fits a
 * tree while lanes run: a synchronous fit there would keep a lane that
 * finished from getting its next candidate. Results are keyed by candidate,
 * so the rung's outcome does not depend on which thread finished first.
 *
 * @module
 */

/** Options of {@linkcode runLanes}. */
export interface LanesOptions<L, T> {
  /** Candidate indexes, in the rung's order. */
  jobs: number[];
  /** Whether a candidate runs on the calling thread (a network); the others go to the lanes. */
  callerOnly: (index: number) => boolean;
  /** Worker lanes (may be empty: everything runs on the calling thread, in order). */
  lanes: L[];
  /** Train one candidate (`lane` undefined: on the calling thread). */
  run: (index: number, lane: L | undefined) => Promise<T>;
  /** Asked right before each start; `false` starts nothing more. */
  mayStart: () => boolean;
  /** Frees a finished result when another candidate failed. */
  discard?: (result: T) => void;
}

/**
 * Run the rung's candidates over the calling thread and the lanes; returns
 * the results of the candidates that ran (all unless `mayStart` said no).
 * When one fails, no further candidate starts, the running ones finish, the
 * finished results are discarded and the first error is thrown.
 *
 * @example
 * ```ts
 * import { runLanes } from "./_search_lanes.ts";
 * const out = await runLanes({
 *   jobs: [0, 1, 2], callerOnly: (i) => i === 0, lanes: ["w"],
 *   run: (i, lane) => Promise.resolve(`${i}@${lane ?? "main"}`), mayStart: () => true,
 * });
 * out.get(0); // "0@main"
 * ```
 */
export async function runLanes<L, T>(o: LanesOptions<L, T>): Promise<Map<number, T>> {
  const queue = o.jobs.slice();
  const done = new Map<number, T>();
  let failed = false;
  const take = (caller: boolean): number | undefined => {
    if (failed || queue.length === 0) return undefined;
    const k = o.lanes.length === 0 ? 0 : queue.findIndex((i) => o.callerOnly(i) === caller);
    return k < 0 || !o.mayStart() ? undefined : queue.splice(k, 1)[0];
  };
  const loop = async (lane: L | undefined) => {
    try {
      for (let i = take(lane === undefined); i !== undefined; i = take(lane === undefined)) {
        done.set(i, await o.run(i, lane));
      }
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  // Lanes first: they post their first candidate before the caller starts working.
  const settled = await Promise.allSettled([...o.lanes.map((l) => loop(l)), loop(undefined)]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) {
    for (const t of done.values()) o.discard?.(t);
    throw failure.reason;
  }
  return done;
}
