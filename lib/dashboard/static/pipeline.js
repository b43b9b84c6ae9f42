// Pipeline page: the server renders the graph; while a Train run is in
// progress the page reloads its stage states every few seconds.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  async function poll() {
    try {
      const state = await TL.api("/api/train");
      if (state.running) setTimeout(() => location.reload(), 3000);
    } catch {
      // the page stays as rendered
    }
  }
  poll();
})();
