// Shared helpers of the dashboard's islands: the API call (with the API key
// from the header field, kept in sessionStorage), element building that only
// ever sets text (never HTML), tables, number formatting and uPlot charts.
"use strict";

/** @type {any} */ (globalThis).TL = (() => {
  const KEY = "threatline-api-key";
  const keyInput = /** @type {HTMLInputElement | null} */ (document.getElementById("api-key"));
  if (keyInput) {
    keyInput.value = sessionStorage.getItem(KEY) ?? "";
    keyInput.addEventListener("change", () => sessionStorage.setItem(KEY, keyInput.value));
  }

  /**
   * fetch + JSON; throws an Error with the API's message on a non-2xx answer.
   * @param {string} path @param {RequestInit} [init]
   */
  async function api(path, init = {}) {
    const headers = new Headers(init.headers);
    const key = keyInput?.value || sessionStorage.getItem(KEY);
    if (key) headers.set("X-API-Key", key);
    const res = await fetch(path, { ...init, headers });
    const type = res.headers.get("content-type") ?? "";
    const body = type.includes("json") ? await res.json() : await res.text();
    if (!res.ok) {
      const err = /** @type {any} */ (new Error(body?.error?.message ?? `HTTP ${res.status}`));
      err.status = res.status;
      err.body = body;
      throw err;
    }
    return body;
  }

  /**
   * An element with attributes and children (strings become text nodes).
   * @param {string} tag @param {Record<string, any>} [attrs] @param {...any} children
   */
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /**
   * A table with header cells and rows of cells (text or nodes).
   * @param {string} caption @param {string[]} headers @param {any[][]} rows
   */
  function table(caption, headers, rows) {
    return el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))),
    );
  }

  /** @param {unknown} v @param {number} [d] */
  function fmt(v, d = 4) {
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(d);
    if (v === undefined || v === null) return "–";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  /** Tell screen readers. @param {string} msg */
  function announce(msg) {
    const s = document.getElementById("status");
    if (s) s.textContent = msg;
  }

  /** The page's embedded JSON. */
  function pageData() {
    return JSON.parse(document.getElementById("page-data")?.textContent ?? "null");
  }

  /**
   * A line chart (uPlot) in `target`, replacing what was there.
   * @param {HTMLElement} target
   * @param {{ x: number[], series: { label: string, y: (number|null)[], color?: string }[],
   *   xLabel: string, yLabel: string, time?: boolean, points?: boolean, range?: [number, number] }} o
   */
  function chart(target, o) {
    target.replaceChildren();
    const colors = ["#0b5cad", "#b34700", "#2e7d32", "#6a1b9a"];
    const uPlot = /** @type {any} */ (globalThis).uPlot;
    const scale = o.range ? { auto: false, range: o.range } : {};
    return new uPlot(
      {
        width: Math.max(320, Math.min(target.clientWidth || 480, 640)),
        height: 300,
        scales: { x: { time: !!o.time, ...(o.time ? {} : scale) }, y: scale },
        axes: [{ label: o.xLabel }, { label: o.yLabel }],
        series: [
          {},
          ...o.series.map((s, i) => ({
            label: s.label,
            stroke: s.color ?? colors[i % colors.length],
            width: 2,
            points: { show: !!o.points },
          })),
        ],
      },
      [o.x, ...o.series.map((s) => s.y)],
      target,
    );
  }

  return { api, el, table, fmt, announce, pageData, chart };
})();
