/**
 * Where chunks are scored: in the calling thread, or in a pool of workers
 * (`_worker.ts`), behind one {@linkcode Executor} interface. Private to
 * lib/scoring.
 *
 * @module
 */
import { ConfigError, DataError, type Where } from "../errors.ts";
import type { DriftState } from "./_batch_drift.ts";
import {
  type ChunkInput,
  type ChunkJob,
  type ChunkResult,
  ChunkScorer,
  type ChunkSetup,
  type WorkerReply,
  type WorkerRequest,
} from "./_chunk.ts";
import { type Scorer, scorerSnapshot } from "./scorer.ts";

/** Scores chunks; results come back per chunk, in any order across workers. */
export interface Executor {
  /** Worker threads (0: the calling thread). */
  readonly workers: number;
  /** Chunks that may be in flight at once (two per worker keeps each one busy). */
  readonly capacity: number;
  /** Announce the next input file (before its chunks). */
  setInput(input: ChunkInput): void;
  /** Score a chunk (its bytes are transferred). */
  submit(job: ChunkJob): Promise<ChunkResult>;
  /** The drift state of each worker. */
  drift(): Promise<DriftState[]>;
  /** Stop the workers. */
  close(): void;
}

/**
 * Score in the calling thread.
 *
 * @example
 * ```ts ignore
 * import { inlineExecutor } from "./_executors.ts";
 * const ex = inlineExecutor(scorer, { output: "csv", useId: false });
 * ```
 */
export function inlineExecutor(scorer: Scorer, setup: ChunkSetup): Executor {
  const cs = new ChunkScorer(scorer, setup);
  return {
    workers: 0,
    capacity: 1,
    setInput: (input) => cs.setInput(input),
    submit: (job) => Promise.resolve(cs.process(job)),
    drift: () => Promise.resolve([cs.drift()]),
    close() {},
  };
}

function rebuild(error: Extract<WorkerReply, { type: "error" }>["error"]): Error {
  const options = { ...(error.where ?? {}) as Where, hint: error.hint };
  if (error.name === "DataError") return new DataError(error.message, options);
  if (error.name === "ConfigError") return new ConfigError(error.message, options);
  const e = new Error(`batch worker: ${error.message}`);
  if (error.stack) e.stack = error.stack;
  return e;
}

interface Pending {
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

/**
 * Start `workers` worker threads, each with the scorer rebuilt from its
 * snapshot; with `wait`, resolves once all are ready (else at once: a failed
 * start then rejects the first submitted chunks).
 *
 * @example
 * ```ts ignore
 * import { workerExecutor } from "./_executors.ts";
 * const ex = await workerExecutor(scorer, { output: "csv", useId: false }, 2);
 * ```
 */
export async function workerExecutor(
  scorer: Scorer,
  setup: ChunkSetup,
  workers: number,
  options: { wait?: boolean } = {},
): Promise<Executor> {
  const snapshot = scorerSnapshot(scorer);
  if (!snapshot) throw new TypeError("workerExecutor needs a scorer made by loadScorer");
  const url = new URL("./_worker.ts", import.meta.url);
  const pool = Array.from({ length: workers }, () => ({
    worker: new Worker(url, { type: "module" }),
    pending: [] as Pending[],
    drift: undefined as
      | { resolve: (s: DriftState) => void; reject: (e: Error) => void }
      | undefined,
  }));
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of pool) {
      for (const p of w.pending.splice(0)) p.reject(failure);
      w.drift?.reject(failure);
    }
  };
  const ready = pool.map((w) =>
    new Promise<void>((resolve, reject) => {
      w.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        const msg = event.data;
        if (msg.type === "ready") resolve();
        else if (msg.type === "result") w.pending.shift()?.resolve(msg.result);
        else if (msg.type === "drift") w.drift?.resolve(msg.state);
        else if (msg.type === "error") {
          const err = rebuild(msg.error);
          reject(err);
          fail(err);
        }
      };
      w.worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        const err = new Error(`batch worker failed: ${event.message}`);
        reject(err);
        fail(err);
      };
      w.worker.postMessage({ type: "init", snapshot, setup } satisfies WorkerRequest);
    })
  );
  const close = () => pool.forEach((w) => w.worker.terminate());
  // Chunks may be sent before the workers are ready (messages wait in their
  // queues), so reading overlaps their start-up; `wait` only surfaces a
  // failed start early.
  if (options.wait) {
    try {
      await Promise.all(ready);
    } catch (err) {
      close();
      throw err;
    }
  } else {
    ready.forEach((r) => r.catch(() => {}));
  }
  return {
    workers,
    capacity: 2 * workers,
    setInput(input) {
      for (const w of pool) w.worker.postMessage({ type: "input", input } satisfies WorkerRequest);
    },
    submit(job) {
      if (failure) return Promise.reject(failure);
      // The least busy worker; ties go to the first.
      const w = pool.reduce((a, b) => (b.pending.length < a.pending.length ? b : a));
      return new Promise((resolve, reject) => {
        w.pending.push({ resolve, reject });
        w.worker.postMessage({ type: "chunk", job } satisfies WorkerRequest, [
          job.bytes.buffer as ArrayBuffer,
        ]);
      });
    },
    drift() {
      if (failure) return Promise.reject(failure);
      return Promise.all(pool.map((w) =>
        new Promise<DriftState>((resolve, reject) => {
          w.drift = { resolve, reject };
          w.worker.postMessage({ type: "finish" } satisfies WorkerRequest);
        })
      ));
    },
    close,
  };
}
