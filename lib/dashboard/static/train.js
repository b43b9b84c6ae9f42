// Train page: start repro (overrides, --force), follow it over server-sent
// events (per-stage state and log lines), cancel; a refused start shows who
// holds the workspace lock.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const { el } = TL;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const log = $("train-log"), stages = $("train-stages"), status = $("train-state");
  /** @type {Record<string, string>} */
  let states = {};

  function drawStages() {
    stages.replaceChildren(
      ...Object.entries(states).map(([name, s]) =>
        el("li", { "data-stage": name, "data-state": s }, `${name}: ${s}`)
      ),
    );
  }
  /** @param {string} line */
  function addLine(line) {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(document.createTextNode(line + "\n"));
    if (atEnd) log.scrollTop = log.scrollHeight;
  }

  const events = new EventSource("/api/train/events");
  events.addEventListener("state", (e) => {
    const s = JSON.parse(/** @type {MessageEvent} */ (e).data);
    states = s.stages;
    log.textContent = s.lines.join("\n") + (s.lines.length ? "\n" : "");
    drawStages();
    status.textContent = s.running
      ? `Run ${s.id} in progress`
      : s.outcome
      ? `Last run: ${s.outcome}`
      : "No run in progress";
  });
  events.addEventListener(
    "line",
    (e) => addLine(JSON.parse(/** @type {MessageEvent} */ (e).data).line),
  );
  events.addEventListener("stage", (e) => {
    const s = JSON.parse(/** @type {MessageEvent} */ (e).data);
    states[s.stage] = s.state;
    drawStages();
  });
  events.addEventListener("end", (e) => {
    const s = JSON.parse(/** @type {MessageEvent} */ (e).data);
    status.replaceChildren(
      `Run ended: ${s.outcome} (exit ${s.code}). `,
      el("a", { href: "/runs" }, "See it on Runs"),
    );
    status.dataset.outcome = s.outcome;
    TL.announce(`Run ended: ${s.outcome}`);
  });

  $("train-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await TL.api("/api/train", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          overrides: /** @type {HTMLTextAreaElement} */ ($("overrides")).value,
          force: /** @type {HTMLInputElement} */ ($("force")).checked,
        }),
      });
      states = {};
      drawStages();
      log.textContent = "";
      delete status.dataset.outcome;
      status.textContent = `Run ${r.id} started`;
    } catch (err) {
      const h = /** @type {any} */ (err).body?.holder;
      status.replaceChildren(
        el(
          "span",
          { class: "error", role: "alert" },
          String(/** @type {any} */ (err).message) +
            (h
              ? ` — the workspace lock is held by pid ${h.pid} (${h.command}) on ${h.host} since ${h.startedAt}`
              : ""),
        ),
      );
    }
  });
  $("cancel").addEventListener("click", async () => {
    try {
      const r = await TL.api("/api/train/cancel", { method: "POST" });
      TL.announce(r.cancelled ? "Cancelling" : "No run to cancel");
      if (!r.cancelled) status.textContent = "No run in progress to cancel";
    } catch (err) {
      status.textContent = String(/** @type {any} */ (err).message);
    }
  });
})();
