// Runs page: sortable, server-paginated table; trend chart of a metric;
// params and metrics diff of two selected runs.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const { el, fmt } = TL;
  const state = { offset: 0, limit: 25, sort: "started", order: "desc", total: 0 };
  /** @type {Set<string>} */
  const selected = new Set();
  const tbody = /** @type {HTMLElement} */ (document.querySelector("#runs tbody"));
  const metricSelect = /** @type {HTMLSelectElement} */ (document.getElementById("metric"));
  const KEY_METRICS = /(roc_auc|pr_auc|f1|accuracy|recall_at_threshold)$/;

  /** @param {Record<string, unknown>} m */
  function keyMetrics(m) {
    return Object.entries(m).filter(([k]) => KEY_METRICS.test(k) && !k.includes("_unseen"))
      .slice(0, 4).map(([k, v]) => `${k.split(":").pop()} ${fmt(v)}`).join(", ");
  }

  async function load() {
    const q = new URLSearchParams({
      offset: String(state.offset),
      limit: String(state.limit),
      sort: state.sort,
      order: state.order,
    });
    const data = await TL.api(`/api/runs?${q}`);
    state.total = data.total;
    tbody.replaceChildren(...data.runs.map((/** @type {any} */ r) =>
      el(
        "tr",
        {},
        el(
          "td",
          {},
          el("input", {
            type: "checkbox",
            "aria-label": `Select run ${r.id}`,
            checked: selected.has(r.id),
            onchange: (/** @type {Event} */ e) => {
              const box = /** @type {HTMLInputElement} */ (e.target);
              if (box.checked) selected.add(r.id);
              else selected.delete(r.id);
            },
          }),
        ),
        el("td", {}, el("time", { datetime: r.started }, r.started.replace("T", " ").slice(0, 19))),
        el("td", {}, r.kind),
        el("td", {}, r.git ? `${r.git.commit}${r.git.dirty ? " (dirty)" : ""}` : "–"),
        el(
          "td",
          {},
          Object.entries(r.changedParams).map(([k, [a, b]]) =>
            `${k.split(":").pop()}: ${fmt(a)} → ${fmt(b)}`
          ).join("; ") || "–",
        ),
        el("td", {}, keyMetrics(r.metrics) || "–"),
        el("td", {}, Object.entries(r.models).map(([n, v]) => `${n} ${v}`).join(", ") || "–"),
        el("td", {}, fmt(r.seconds, 1)),
        el("td", {}, r.outcome, r.error ? el("div", { class: "error" }, r.error) : null),
      )
    ));
    const pages = Math.max(1, Math.ceil(state.total / state.limit));
    const at = Math.floor(state.offset / state.limit) + 1;
    /** @type {HTMLElement} */ (document.getElementById("page-no")).textContent =
      `Page ${at} of ${pages}`;
    /** @type {HTMLElement} */ (document.getElementById("runs-count")).textContent =
      `${state.total} runs (${data.source})`;
    /** @type {HTMLButtonElement} */ (document.getElementById("prev")).disabled = at <= 1;
    /** @type {HTMLButtonElement} */ (document.getElementById("next")).disabled = at >= pages;
    if (!metricSelect.options.length && data.metricKeys.length) {
      for (const k of data.metricKeys) metricSelect.append(el("option", { value: k }, k));
      const preferred = data.metricKeys.find((/** @type {string} */ k) => k.endsWith(":roc_auc"));
      if (preferred) metricSelect.value = preferred;
      trend();
    }
    TL.announce(`Showing page ${at} of ${pages}`);
  }

  async function trend() {
    const key = metricSelect.value;
    if (!key) return;
    const data = await TL.api(`/api/runs/trend?metric=${encodeURIComponent(key)}`);
    TL.chart(document.getElementById("trend"), {
      x: data.points.map((/** @type {any} */ p) => p.t),
      series: [{ label: key.split(":").pop(), y: data.points.map((/** @type {any} */ p) => p.v) }],
      xLabel: "run start",
      yLabel: key.split(":").pop(),
      time: true,
      points: true,
    });
  }

  /** @param {any[]} rows @param {string} what */
  function diffTable(rows, what) {
    if (!rows.length) return el("p", {}, `No ${what} differ.`);
    return TL.table(
      `${what} diff`,
      ["file", "key", "old", "new", "change"],
      rows.map((
        r,
      ) => [r.file, r.key, fmt(r.old), fmt(r.new), r.change === undefined ? "" : fmt(r.change)]),
    );
  }

  document.querySelectorAll("#runs th button").forEach((b) => {
    b.addEventListener("click", () => {
      const key = /** @type {HTMLElement} */ (b).dataset.sort ?? "started";
      state.order = state.sort === key && state.order === "desc" ? "asc" : "desc";
      state.sort = key;
      state.offset = 0;
      document.querySelectorAll("#runs th").forEach((th) => th.removeAttribute("aria-sort"));
      b.parentElement?.setAttribute(
        "aria-sort",
        state.order === "asc" ? "ascending" : "descending",
      );
      load().catch(show);
    });
  });
  document.getElementById("prev")?.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit);
    load().catch(show);
  });
  document.getElementById("next")?.addEventListener("click", () => {
    state.offset += state.limit;
    load().catch(show);
  });
  metricSelect.addEventListener("change", () => trend().catch(show));
  document.getElementById("compare")?.addEventListener("click", async () => {
    const [a, b] = [...selected];
    const p = /** @type {HTMLElement} */ (document.getElementById("params-diff"));
    const m = /** @type {HTMLElement} */ (document.getElementById("metrics-diff"));
    if (selected.size !== 2) {
      p.replaceChildren(el("p", { class: "error" }, "Select exactly two runs."));
      m.replaceChildren();
      return;
    }
    try {
      const d = await TL.api(
        `/api/runs/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
      );
      p.replaceChildren(diffTable(d.params, "params"));
      m.replaceChildren(diffTable(d.metrics, "metrics"));
    } catch (err) {
      show(err);
    }
  });

  /** @param {any} err */
  function show(err) {
    TL.announce(String(err.message));
    /** @type {HTMLElement} */ (document.getElementById("runs-count")).replaceChildren(
      el("span", { class: "error" }, String(err.message)),
    );
  }
  load().catch(show);
})();
