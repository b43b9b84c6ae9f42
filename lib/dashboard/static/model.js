// Model page: card, ROC/PR and calibration charts (uPlot), the confusion
// matrix under a threshold slider (exact at each 0.001 step, from the
// per-threshold counts the server derives from evaluate's predictions.csv),
// and the pipeline's permutation importance. `?model=url` shows the URL
// model (its card and the url_evaluate stage's outs) instead.
"use strict";
(() => {
  const TL = /** @type {any} */ (globalThis).TL;
  const { el, fmt } = TL;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** @param {any} data */
  function render(data) {
    const card = data.card;
    const positive = data.labels?.positive ?? "threat";
    const dl = $("card");
    if (card) {
      const rows = [
        ["Family", card.config?.family],
        ["Version", card.version],
        ["Threshold", fmt(card.threshold)],
        ["Description", card.description],
        [
          "Features",
          `${card.input_columns?.length ?? "?"} input columns, ${
            card.features?.length ?? "?"
          } encoded`,
        ],
        [
          "Training data",
          `${card.train_data?.file ?? "?"} (${card.train_data?.rows ?? "?"} rows, sha256 ${
            String(card.train_data?.sha256 ?? "").slice(0, 16)
          })`,
        ],
        ["Created", card.created],
      ];
      dl.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, fmt(v))]));
    } else dl.replaceChildren(el("dd", {}, "No model is loaded."));

    const ev = data.evaluate;
    if (ev.roc?.points) {
      TL.chart($("roc"), {
        x: ev.roc.points.map((/** @type {any} */ p) => p.fpr),
        series: [{
          label: `ROC (AUC ${fmt(ev.roc.roc_auc)})`,
          y: ev.roc.points.map((/** @type {any} */ p) => p.tpr),
        }],
        xLabel: "false-positive rate",
        yLabel: "true-positive rate",
        range: [0, 1],
      });
    } else $("roc").textContent = "No ROC curve: the evaluate stage has not run.";
    if (ev.pr?.points) {
      const pts = [...ev.pr.points].sort((/** @type {any} */ a, /** @type {any} */ b) =>
        a.recall - b.recall
      );
      TL.chart($("pr"), {
        x: pts.map((/** @type {any} */ p) => p.recall),
        series: [{
          label: `PR (AP ${fmt(ev.pr.pr_auc)})`,
          y: pts.map((/** @type {any} */ p) => p.precision),
        }],
        xLabel: "recall",
        yLabel: "precision",
        range: [0, 1],
      });
    }
    if (ev.calibration?.bins) {
      const bins = ev.calibration.bins.filter((/** @type {any} */ b) => b.count > 0);
      TL.chart($("calibration"), {
        x: bins.map((/** @type {any} */ b) => b.mean_probability),
        series: [
          {
            label: `observed ${positive} rate`,
            y: bins.map((/** @type {any} */ b) => b.observed_rate),
          },
          {
            label: "perfect calibration",
            y: bins.map((/** @type {any} */ b) => b.mean_probability),
            color: "#888",
          },
        ],
        xLabel: "mean predicted probability",
        yLabel: `observed ${positive} rate`,
        points: true,
        range: [0, 1],
      });
    } else $("calibration").textContent = "No calibration.json in the evaluate outs.";
    if (ev.importance?.features) {
      const feats = ev.importance.features.slice(0, 20);
      const max = Math.max(1e-9, ...feats.map((/** @type {any} */ f) => Math.abs(f.importance)));
      $("importance").replaceChildren(TL.table(
        `Drop in ${ev.importance.metric} when the feature is shuffled (${ev.importance.repeats} repeats, seed ${ev.importance.seed})`,
        ["feature", "importance", ""],
        feats.map((/** @type {any} */ f) => [
          f.feature,
          fmt(f.importance),
          el("span", {
            class: f.importance < 0 ? "bar neg" : "bar",
            style: `width:${Math.round(120 * Math.abs(f.importance) / max)}px`,
            "aria-hidden": "true",
          }),
        ]),
      ));
    } else $("importance").textContent = "No importance.json in the evaluate outs.";

    const counts = ev.counts;
    const slider = /** @type {HTMLInputElement} */ ($("threshold"));
    if (!counts) {
      slider.disabled = true;
      $("confusion").replaceChildren(
        el("caption", {}, "No predictions.csv: the evaluate stage has not run."),
      );
      return;
    }
    slider.value = String(card?.threshold ?? 0.5);
    const update = () => {
      const t = Number(slider.value);
      const i = Math.min(counts.positives.length - 1, Math.max(0, Math.round(t * 1000)));
      const tp = counts.positives[i], fp = counts.negatives[i];
      const fn = counts.totalPositives - tp, tn = counts.totalNegatives - fp;
      $("threshold-value").textContent = (i / 1000).toFixed(3);
      $("tp").textContent = String(tp);
      $("fp").textContent = String(fp);
      $("fn").textContent = String(fn);
      $("tn").textContent = String(tn);
      $("precision").textContent = tp + fp ? (tp / (tp + fp)).toFixed(4) : "–";
      $("recall").textContent = tp + fn ? (tp / (tp + fn)).toFixed(4) : "–";
      $("fpr").textContent = fp + tn ? (fp / (fp + tn)).toFixed(4) : "–";
    };
    slider.addEventListener("input", update);
    update();
  }

  const which = new URLSearchParams(location.search).get("model") === "url" ? "url" : "flow";
  TL.api(`/api/model?model=${which}`).then(render).catch((/** @type {any} */ err) => {
    $("card").replaceChildren(el("dd", { class: "error" }, String(err.message)));
  });
})();
