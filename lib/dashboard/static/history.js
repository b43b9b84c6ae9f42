// History page: server-paginated prediction history; clearing needs the key.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const { el, fmt } = TL;
  const state = { offset: 0, limit: 50, total: 0 };
  const tbody = /** @type {HTMLElement} */ (document.querySelector("#history tbody"));
  const count = /** @type {HTMLElement} */ (document.getElementById("history-count"));

  /** @param {Record<string, number>} labels @param {number} rows */
  function rates(labels, rows) {
    return Object.entries(labels).map(([k, n]) => `${k} ${rows ? (100 * n / rows).toFixed(1) : 0}%`)
      .join(", ");
  }

  async function load() {
    const data = await TL.api(`/api/history?offset=${state.offset}&limit=${state.limit}`);
    state.total = data.total;
    tbody.replaceChildren(...data.entries.map((/** @type {any} */ e) =>
      el(
        "tr",
        {},
        el("td", {}, el("time", { datetime: e.time }, e.time.replace("T", " ").slice(0, 19))),
        el("td", {}, e.source),
        el("td", {}, e.input),
        el("td", {}, fmt(e.rows)),
        el("td", {}, rates(e.labels, e.rows)),
        el("td", {}, fmt(e.rejects)),
        el("td", {}, e.driftFlags.join(", ") || "none"),
        el("td", {}, `${e.model ?? "threatline"} ${e.modelVersion}`),
      )
    ));
    const pages = Math.max(1, Math.ceil(state.total / state.limit));
    const at = Math.floor(state.offset / state.limit) + 1;
    count.textContent = `${state.total} scored batches`;
    /** @type {HTMLElement} */ (document.getElementById("page-no")).textContent =
      `Page ${at} of ${pages}`;
    /** @type {HTMLButtonElement} */ (document.getElementById("prev")).disabled = at <= 1;
    /** @type {HTMLButtonElement} */ (document.getElementById("next")).disabled = at >= pages;
  }
  /** @param {any} err */
  const show = (err) => count.replaceChildren(el("span", { class: "error" }, String(err.message)));
  document.getElementById("prev")?.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit);
    load().catch(show);
  });
  document.getElementById("next")?.addEventListener("click", () => {
    state.offset += state.limit;
    load().catch(show);
  });
  document.getElementById("clear")?.addEventListener("click", async () => {
    if (!confirm("Remove every history entry?")) return;
    try {
      const r = await TL.api("/api/history/clear", { method: "POST" });
      TL.announce(`Removed ${r.removed} entries`);
      state.offset = 0;
      await load();
    } catch (err) {
      show(err);
    }
  });
  load().catch(show);
})();
