/**
 * Entry point of a batch worker (`new Worker(new URL("./_worker.ts",
 * import.meta.url), { type: "module" })`): rebuilds the scorer from its
 * snapshot and scores the chunks it is sent with a {@linkcode ChunkScorer}.
 * Messages are {@linkcode WorkerRequest} in, {@linkcode WorkerReply} out, in
 * order. Private to lib/scoring.
 *
 * @module
 */
import { PipelineError } from "../errors.ts";
import { ChunkScorer, type ChunkSetup, type WorkerReply, type WorkerRequest } from "./_chunk.ts";
import { scorerFromSnapshot } from "./scorer.ts";

/** Errors cross the worker boundary as plain data. */
function errorData(err: unknown): WorkerReply {
  if (err instanceof PipelineError) {
    return {
      type: "error",
      error: { name: err.name, message: err.message, where: err.where, hint: err.hint },
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: "error", error: { name: e.name, message: e.message, stack: e.stack } };
}

// deno-lint-ignore no-explicit-any
const worker = self as any;
let scorer: ChunkScorer | undefined;
let setup: ChunkSetup | undefined;

/** Handle one message; messages are handled one after another, in order. */
async function handle(msg: WorkerRequest): Promise<void> {
  try {
    if (msg.type === "init") {
      setup = msg.setup;
      const s = await scorerFromSnapshot(msg.snapshot);
      scorer = new ChunkScorer(s, setup);
      worker.postMessage({ type: "ready", engine: s.engine } satisfies WorkerReply);
    } else if (msg.type === "input") {
      scorer!.setInput(msg.input);
    } else if (msg.type === "chunk") {
      const result = scorer!.process(msg.job);
      worker.postMessage({ type: "result", result } satisfies WorkerReply, [
        result.output.buffer as ArrayBuffer,
      ]);
    } else if (msg.type === "finish") {
      worker.postMessage({ type: "drift", state: scorer!.drift() } satisfies WorkerReply);
    }
  } catch (err) {
    worker.postMessage(errorData(err));
  }
}

// An async handler must not run beside the next message's: `init` awaits
// the scorer while `input` and `chunk` messages are already queued.
let queue = Promise.resolve();
worker.onmessage = (event: MessageEvent<WorkerRequest>) => {
  queue = queue.then(() => handle(event.data));
};
