/**
 * Worker of lib/url/check_pool.ts: loads the URL model once, then judges
 * blocks of items ({@linkcode judgeBlock}) posted to it.
 *
 * @module
 */
import { judgeBlock } from "./check_file.ts";
import { loadUrlChecker, type UrlChecker } from "./url_checker.ts";
import { type PackedBlock, unpackItems } from "./_packed_block.ts";

interface Init {
  type: "init";
  model: string;
  reasons: number;
}
interface Job {
  type: "job";
  id: number;
  block: PackedBlock;
}

let checker: UrlChecker | undefined;
let reasons = 3;
const scope = self as unknown as {
  onmessage: (e: MessageEvent<Init | Job>) => void;
  postMessage: (m: unknown) => void;
};

scope.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      checker = await loadUrlChecker(m.model, { use: "batch" });
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
