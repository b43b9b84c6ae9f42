/**
 * A pool of workers, each with its own copy of the URL model, judging blocks
 * of a URL file in parallel (`deno task check-url --file … --workers N`).
 * Blocks go round-robin; {@linkcode checkFile} keeps the output in input
 * order. Memory: one model per worker, blocks of {@linkcode BLOCK} URLs.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { BlockResult, Item } from "./check_file.ts";
import { packItems } from "./_packed_block.ts";

/** A started pool. */
export interface CheckPool {
  /** Judge one block on the next worker. */
  judge(items: Item[]): Promise<BlockResult>;
  /** Stop the workers. */
  close(): void;
}

/**
 * Start `workers` workers on the model folder `model`; resolves once every
 * one has loaded it (a bad model folder rejects with the worker's message).
 *
 * @example
 * ```ts ignore
 * import { startCheckPool } from "./check_pool.ts";
 * const pool = await startCheckPool({ model: "artifacts/url/model", workers: 2, reasons: 3 });
 * ```
 */
export async function startCheckPool(
  o: { model: string; workers: number; reasons: number },
): Promise<CheckPool> {
  const url = new URL("./_check_worker.ts", import.meta.url).href;
  const workers: Worker[] = [];
  const waiting = new Map<
    number,
    { resolve: (r: BlockResult) => void; reject: (e: Error) => void }
  >();
  let next = 0, id = 0;
  const close = () => workers.forEach((w) => w.terminate());
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.workers) }, () => {
      const w = new Worker(url, { type: "module" });
      workers.push(w);
      return new Promise<void>((resolve, reject) => {
        w.onmessage = (e) => {
          const m = e.data;
          if (m.type === "ready") return resolve();
          const job = waiting.get(m.id);
          if (m.type === "error" && !job) {
            return reject(new DataError(m.message, { file: o.model }));
          }
          waiting.delete(m.id);
          if (m.type === "done") job?.resolve(m.result);
          else job?.reject(new DataError(m.message));
        };
        w.onerror = (e) => {
          e.preventDefault();
          reject(new DataError(`URL check worker failed: ${e.message}`));
        };
        w.postMessage({ type: "init", model: o.model, reasons: o.reasons });
      });
    }));
  } catch (err) {
    close();
    throw err;
  }
  return {
    judge(items) {
      const w = workers[next++ % workers.length];
      const jobId = id++;
      return new Promise((resolve, reject) => {
        waiting.set(jobId, { resolve, reject });
        // Packed: a few transferable buffers instead of thousands of cloned objects.
        const { block, transfer } = packItems(items);
        w.postMessage({ type: "job", id: jobId, block }, transfer);
      });
    },
    close,
  };
}
