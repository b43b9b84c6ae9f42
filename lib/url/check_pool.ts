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
import { loadUrlChecker } from "./url_checker.ts";

/** A started pool. */
export interface CheckPool {
  /** Judge one block on the next worker. */
  judge(items: Item[]): Promise<BlockResult>;
  /** Stop the workers. */
  close(): void;
}

/**
 * Start `workers` workers on the model folder `model`; resolves once every
 * one is ready (a bad model folder rejects with the loader's message). The
 * workers start while this thread loads and checks the model once; a tree
 * model on numeric inputs (the url_* stages' models) then goes to each worker
 * as plain data (lib/url/_verdict.ts `FastModel`: no file read or parsed
 * again); any other model is loaded by each worker from the folder.
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
    const ready: Promise<void>[] = [];
    for (let i = 0; i < Math.max(1, o.workers); i++) {
      const w = new Worker(url, { type: "module" });
      workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
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
        }),
      );
    }
    const allReady = Promise.all(ready);
    allReady.catch(() => {}); // awaited below; a worker failing during the load is not unhandled
    // Messages wait in each worker's queue until its module has loaded.
    const fast = (await loadUrlChecker(o.model, { use: "batch" })).fastModel;
    for (const w of workers) {
      w.postMessage({ type: "init", fast, model: fast ? undefined : o.model, reasons: o.reasons });
    }
    await allReady;
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
