/**
 * Worker of lib/url/check_pool.ts: gets the URL model once (as plain data
 * from the main thread, lib/url/_verdict.ts `FastModel`, or else its folder
 * to load), then judges blocks of items ({@linkcode judgeBlock}) posted to it.
 *
 * @module
 */
import { type BlockChecker, judgeBlock } from "./check_file.ts";
import { fastChecker, type FastModel } from "./_verdict.ts";
import { type PackedBlock, unpackItems } from "./_packed_block.ts";

interface Init {
  type: "init";
  /** The model as data (tree models on numeric inputs), or … */
  fast?: FastModel;
  /** … the folder to load. */
  model?: string;
  reasons: number;
}
interface Job {
  type: "job";
  id: number;
  block: PackedBlock;
}

let checker: BlockChecker | undefined;
let reasons = 3;
const scope = self as unknown as {
  onmessage: (e: MessageEvent<Init | Job>) => void;
  postMessage: (m: unknown) => void;
};

scope.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      if (m.fast) {
        const check = fastChecker(m.fast);
        checker = { check: (urls, o = {}) => check(urls, o.reasons ?? 3) };
      } else {
        // Networks and one-hot inputs: the whole loader (TensorFlow.js), only then imported.
        const { loadUrlChecker } = await import("./url_checker.ts");
        checker = await loadUrlChecker(m.model!, { use: "batch" });
      }
      reasons = m.reasons;
      scope.postMessage({ type: "ready" });
      return;
    }
    scope.postMessage({
      type: "done",
      id: m.id,
      result: judgeBlock(checker!, unpackItems(m.block), reasons),
    });
  } catch (err) {
    const id = m.type === "job" ? m.id : -1;
    scope.postMessage({ type: "error", id, message: (err as Error).message });
  }
};
