/**
 * A histogram worker of `_hist_pool.ts`: waits for a node, takes and fills
 * its features from the shared counter while any are left (or, for a
 * gradients job, its row chunks), until told to stop.
 *
 * @module
 */
import { CTRL, type PoolBuffers, takeFeatures, takeGradientChunks } from "./_hist_shared.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent<PoolBuffers>) => void;
  close(): void;
};

scope.onmessage = (e) => {
  const b = e.data;
  const ctrl = new Int32Array(b.ctrl);
  const layout = {
    binned: new Uint8Array(b.binned),
    rows: b.rows,
    offsets: new Int32Array(b.offsets),
    features: new Int32Array(b.features),
  };
  const g = new Float64Array(b.g), h = new Float64Array(b.h);
  const ordered = new Float64Array(b.ordered), idx = new Uint32Array(b.idx);
  const counts = new Float64Array(b.counts);
  const gradients = {
    raw: new Float64Array(b.raw),
    labels: new Uint8Array(b.labels),
    g,
    h,
    loss: new Float64Array(b.loss),
  };
  let seen = Atomics.load(ctrl, CTRL.seq);
  Atomics.add(ctrl, CTRL.done, 1);
  Atomics.notify(ctrl, CTRL.done);
  for (;;) {
    Atomics.wait(ctrl, CTRL.seq, seen);
    seen = Atomics.load(ctrl, CTRL.seq);
    if (Atomics.load(ctrl, CTRL.stop)) break;
    if (Atomics.load(ctrl, CTRL.kind) === 1) {
      takeGradientChunks(ctrl, seen & 0x7ffff, gradients);
      continue;
    }
    const slot = Atomics.load(ctrl, CTRL.slot);
    const hist = new Float64Array(b.arena, slot * b.histSize * 8, b.histSize);
    const job = {
      hist,
      idx,
      start: Atomics.load(ctrl, CTRL.start),
      end: Atomics.load(ctrl, CTRL.end),
      g,
      h,
      ordered,
      all: Atomics.load(ctrl, CTRL.all) === 1,
      counts: Atomics.load(ctrl, CTRL.counts) === 1 ? counts : undefined,
    };
    takeFeatures(ctrl, seen & 0x7ffff, layout, job);
  }
  scope.close();
};
