// Pipeline page: the server renders the stages in dependency layers; this
// island draws an arrow from each stage to every stage that reads its outs
// (from the data-upstream attributes), and while a Train run is in progress
// reloads the page every few seconds to show the stage states.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const NS = "http://www.w3.org/2000/svg";

  function drawEdges() {
    const dag = /** @type {HTMLElement | null} */ (document.querySelector(".dag"));
    if (!dag) return;
    dag.querySelector("svg.edges")?.remove();
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "edges");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("width", String(dag.scrollWidth));
    svg.setAttribute("height", String(dag.scrollHeight));
    const marker = document.createElementNS(NS, "marker");
    marker.setAttribute("id", "arrow");
    marker.setAttribute("viewBox", "0 0 10 10");
    marker.setAttribute("refX", "10");
    marker.setAttribute("refY", "5");
    marker.setAttribute("markerWidth", "7");
    marker.setAttribute("markerHeight", "7");
    marker.setAttribute("orient", "auto");
    const tip = document.createElementNS(NS, "path");
    tip.setAttribute("d", "M0,0 L10,5 L0,10 z");
    tip.setAttribute("style", "fill:#4a5563;stroke:none");
    marker.append(tip);
    const defs = document.createElementNS(NS, "defs");
    defs.append(marker);
    svg.append(defs);
    const box = dag.getBoundingClientRect();
    for (const to of dag.querySelectorAll(".stage[data-upstream]")) {
      const ups = (/** @type {HTMLElement} */ (to).dataset.upstream ?? "").split(" ").filter(
        Boolean,
      );
      const b = to.getBoundingClientRect();
      for (const name of ups) {
        const from = document.getElementById(`stage-${name}`);
        if (!from) continue;
        const a = from.getBoundingClientRect();
        const x1 = a.right - box.left, y1 = a.top + a.height / 2 - box.top;
        const x2 = b.left - box.left, y2 = b.top + b.height / 2 - box.top;
        const mid = (x1 + x2) / 2;
        const path = document.createElementNS(NS, "path");
        path.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
        path.setAttribute("marker-end", "url(#arrow)");
        svg.append(path);
      }
    }
    dag.prepend(svg);
  }

  async function poll() {
    try {
      const state = await TL.api("/api/train");
      if (state.running) setTimeout(() => location.reload(), 3000);
    } catch {
      // the page stays as rendered
    }
  }
  drawEdges();
  addEventListener("resize", drawEdges);
  poll();
})();
