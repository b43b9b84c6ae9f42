// Data page: validate's report (class balance, missing values, duplicates,
// label conflicts, drift per column with its test and statistic, per-class
// distributions when the report has them) and the drift of scored batches.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const { el, fmt } = TL;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** @param {any} data */
  function render(data) {
    const r = data.validate;
    if (!r) {
      $("balance").textContent = "No validate report: the validate stage has not run.";
    } else {
      const sets = Object.entries(r.datasets ?? {});
      $("balance").replaceChildren(TL.table(
        "Rows per class",
        ["file", "rows", "classes"],
        sets.map(([name, d]) => [name, fmt(d.rows), fmt(d.classes)]),
      ));
      $("quality").replaceChildren(TL.table(
        "Missing values, duplicates and label conflicts",
        ["file", "missing values by column", "duplicates and conflicts"],
        sets.map(([name, d]) => [
          name,
          Object.entries(d.missing ?? {}).map(([k, v]) => `${k}: ${v}`).join(", ") || "none",
          fmt(d.duplicates),
        ]),
      ));
      const drift = r.drift ?? [];
      $("drift").replaceChildren(TL.table(
        "Train vs test drift",
        ["column", "test", "statistic", "p-value", "PSI", "drifted"],
        drift.map((/** @type {any} */ d) => [
          d.column,
          d.test,
          fmt(d.statistic),
          fmt(d.pValue ?? d.p_value),
          fmt(d.psi),
          d.drifted ? "yes" : "no",
        ]),
      ));
      const dists = r.distributions;
      if (dists) {
        $("dists").replaceChildren(
          ...Object.entries(dists).slice(0, 60).map(([col, d]) =>
            el(
              "details",
              {},
              el("summary", {}, col),
              TL.table(
                `${col} by class`,
                ["value / bin", ...Object.keys(/** @type {any} */ (d).byClass ?? {})],
                (/** @type {any} */ (d).bins ?? []).map((
                  /** @type {string} */ b,
                  /** @type {number} */ i,
                ) => [
                  b,
                  ...Object.values(/** @type {any} */ (d).byClass ?? {}).map((
                    /** @type {any} */ c,
                  ) => fmt(c[i])),
                ]),
              ),
            )
          ),
        );
      } else $("dists").textContent = "The validate report has no per-class distributions.";
    }
    const batches = data.batches ?? [];
    $("batches").replaceChildren(
      batches.length
        ? TL.table(
          "Recent scored batches",
          ["time", "source", "input", "rows", "drift flags"],
          batches.map((
            /** @type {any} */ b,
          ) => [b.time, b.source, b.input, fmt(b.rows), b.driftFlags.join(", ") || "none"]),
        )
        : el("p", {}, "No scored batches yet."),
    );
  }

  TL.api("/api/data").then(render).catch((/** @type {any} */ err) => {
    $("balance").replaceChildren(el("p", { class: "error" }, String(err.message)));
  });
})();
