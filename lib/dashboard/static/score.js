// Score page: the record form (generated on the server from the model's
// schema; ranges checked here and again by the server), file upload with
// rejects and a download of the scored file, and the URL box (POST
// /v1/check-url, the URL model's reasons).
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const { el, fmt } = TL;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  /** @param {HTMLElement} where @param {any} err */
  const fail = (where, err) => {
    where.replaceChildren(el("p", { class: "error", role: "alert" }, String(err.message ?? err)));
  };

  const form = /** @type {HTMLFormElement | null} */ (document.getElementById("record-form"));
  form?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("record-result");
    /** @type {Record<string, unknown>} */
    const record = {};
    for (
      const f
        of /** @type {NodeListOf<HTMLInputElement | HTMLSelectElement>} */ (form.querySelectorAll(
          "input, select",
        ))
    ) {
      const type = f.dataset.type;
      if (f.value === "") {
        if (f.required) return fail(out, new Error(`${f.name} is required`));
        record[f.name] = null;
        continue;
      }
      if (f instanceof HTMLInputElement && f.type === "number") {
        if (!f.checkValidity()) {
          return fail(out, new Error(`${f.name}: ${f.validationMessage}`));
        }
      }
      if (type === "integer" || type === "number") record[f.name] = Number(f.value);
      else if (f.value === "true" || f.value === "false") record[f.name] = f.value === "true";
      else record[f.name] = f.value;
    }
    try {
      const r = await TL.api("/api/score/record", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ record }),
      });
      out.replaceChildren(
        el(
          "p",
          {},
          "Probability of threat ",
          el("strong", { id: "record-probability" }, r.probability.toFixed(6)),
          ", label ",
          el("strong", { id: "record-label" }, r.label === 1 ? "threat" : "benign"),
          ...(r.class === undefined ? [] : [
            ", class ",
            el("strong", { id: "record-class" }, r.class),
            ` (${r.class_probability.toFixed(4)})`,
          ]),
          ` (model ${r.model_version})`,
        ),
        TL.table(
          "Features that pushed it most (probability minus the probability with the feature at its training typical value)",
          ["feature", "effect"],
          r.effects.map((
            /** @type {any} */ x,
          ) => [x.feature, (x.effect >= 0 ? "+" : "") + x.effect.toFixed(4)]),
        ),
      );
      TL.announce(`Probability ${r.probability.toFixed(4)}`);
    } catch (err) {
      fail(out, err);
    }
  });

  /** @type {string | undefined} */
  let downloadUrl;
  $("upload-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("upload-result");
    const file = /** @type {HTMLInputElement} */ ($("file")).files?.[0];
    if (!file) return fail(out, new Error("choose a file first"));
    const jsonl = /\.jsonl?$/i.test(file.name);
    try {
      out.replaceChildren(el("p", {}, "Scoring…"));
      const r = await TL.api(`/api/score/upload?name=${encodeURIComponent(file.name)}`, {
        method: "POST",
        headers: { "content-type": jsonl ? "application/x-ndjson" : "text/csv" },
        body: file,
      });
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
      downloadUrl = URL.createObjectURL(new Blob([r.csv], { type: "text/csv" }));
      const shown = r.rows.slice(0, 500);
      const withClass = shown.length > 0 && shown[0].class !== undefined;
      out.replaceChildren(
        el(
          "p",
          { id: "upload-summary" },
          `${r.rows.length} rows scored, ${r.rejects.length} rejected (model ${r.modelVersion}). `,
          el("a", {
            href: downloadUrl,
            download: file.name.replace(/\.[^.]*$/, "") + ".scored.csv",
          }, "Download the scored file"),
        ),
        el(
          "p",
          { id: "upload-drift" },
          r.rows.length === 0
            ? "Drift not tested: no row was scored."
            : !r.drift.tested
            ? "Drift not tested: the model has no training reference profile."
            : r.drift.drifted.length
            ? `Drift against the training profile in ${r.drift.drifted.length} column(s): ${
              r.drift.drifted.join(", ")
            }.`
            : "No drift against the training profile.",
        ),
        r.rejects.length
          ? TL.table(
            "Rejected rows",
            ["line", "field", "reason"],
            r.rejects.slice(0, 500).map((
              /** @type {any} */ x,
            ) => [fmt(x.line), x.field ?? "", x.message]),
          )
          : el("p", {}, "No rejects."),
        TL.table(
          shown.length < r.rows.length ? `Scored rows (first ${shown.length})` : "Scored rows",
          withClass
            ? ["line", "id", "probability", "label", "class", "class probability"]
            : ["line", "id", "probability", "label"],
          shown.map((
            /** @type {any} */ x,
          ) => [
            fmt(x.line),
            x.id ?? "",
            x.probability.toFixed(6),
            x.label === 1 ? "threat" : "benign",
            ...(withClass ? [x.class, x.class_probability.toFixed(6)] : []),
          ]),
        ),
      );
      TL.announce(`${r.rows.length} rows scored, ${r.rejects.length} rejected`);
    } catch (err) {
      fail(out, err);
    }
  });

  $("url-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("url-result");
    const url = /** @type {HTMLInputElement} */ ($("url")).value.trim();
    try {
      const r = await TL.api("/v1/check-url", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      const res = r.results?.[0];
      if (!res) throw new Error("no result");
      if (res.error) throw new Error(res.error.message);
      out.replaceChildren(
        el(
          "p",
          {},
          el("strong", { id: "url-label" }, res.label),
          ` with probability ${res.probability.toFixed(4)} (threshold ${
            fmt(r.threshold)
          }, ${r.model?.name} ${r.model?.version})`,
        ),
        el("h3", {}, "Reasons"),
        el(
          "ul",
          { id: "url-reasons" },
          (res.reasons ?? []).map((/** @type {any} */ x) =>
            el(
              "li",
              {},
              `${x.text} (${x.feature}, ${x.contribution >= 0 ? "+" : ""}${
                fmt(x.contribution, 3)
              })`,
            )
          ),
        ),
      );
    } catch (err) {
      fail(out, err);
    }
  });
})();
