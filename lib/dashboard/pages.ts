/**
 * The bodies of the dashboard's pages. The Pipeline page is rendered on the
 * server in full; the others render their controls here and fill tables
 * and charts in their island (static/<page>.js) from the page's JSON route.
 *
 * @module
 */
import { html, raw } from "hono/html";
import type { ColumnSpec } from "../data/schema.ts";
import type { Fragment } from "./layout.ts";
import type { PipelineView } from "./pipeline_data.ts";

const size = (n?: number) =>
  n === undefined
    ? "missing"
    : n < 1024
    ? `${n} B`
    : n < 1048576
    ? `${(n / 1024).toFixed(1)} KiB`
    : `${(n / 1048576).toFixed(1)} MiB`;

/** The Pipeline page: stages in columns by layer, coloured by state. */
export function pipelineBody(view: PipelineView): Fragment {
  const layers: PipelineView["stages"][] = [];
  for (const s of view.stages) (layers[s.layer] ??= []).push(s);
  const models = view.models.length
    ? html`<ul>${
      view.models.map((m) =>
        html`<li><a href="${
          m.path === "artifacts/url/model" ? "/model?model=url" : "/model"
        }"><code>${m.path}</code></a>: version <code>${m.version}</code> ${
          m.description ?? ""
        }</li>`
      )
    }</ul>`
    : html`<p>No released model in this workspace yet.</p>`;
  return html`<p class="legend">States: <span class="st st-fresh">fresh</span>
<span class="st st-stale">stale</span> <span class="st st-frozen">frozen</span>
<span class="st st-running">running</span>. Columns follow the data from left to right; arrows join each stage to the stages it reads from.</p>
<div class="dag" role="list" aria-label="Stages by dependency layer">${
    layers.map((layer, i) =>
      html`
        <div class="layer" role="listitem" aria-label="Layer ${i + 1}">
          <ul>${layer.map((s) =>
            html`<li class="stage st-${s.state}" id="stage-${s.name}" data-upstream="${
              s.upstream.join(" ")
            }">
<h2>${s.name} <span class="badge">${s.state}</span></h2>
${s.desc ? html`<p class="desc">${s.desc}</p>` : ""}
${s.reason ? html`<p class="reason">${s.reason}</p>` : ""}
${s.upstream.length ? html`<p class="up">after: ${s.upstream.join(", ")}</p>` : ""}
${s.lastSeconds !== undefined ? html`<p>last run: ${s.lastSeconds.toFixed(1)} s</p>` : ""}
<ul class="outs">${
              s.outs.map((o) =>
                html`<li><code>${o.path}</code> <small>${o.kind}, ${size(o.bytes)}</small></li>`
              )
            }</ul></li>`
          )}</ul>
        </div>
      `
    )
  }</div>
<h2>Models</h2>${models}`;
}

/** The Runs page's controls; the island fills the table, the chart and the diff. */
export function runsBody(): Fragment {
  return html`
    <section aria-labelledby="runs-h">
      <h2 id="runs-h">All runs</h2>
      <p id="runs-count"></p>
      <div class="table-wrap">
        <table id="runs">
          <caption class="sr-only">Pipeline runs; select two to compare</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col"
                aria-sort="descending"><button type="button" data-sort="started">Time</button></th>
              <th scope="col"><button type="button" data-sort="kind">Kind</button></th>
              <th scope="col">Git</th>
              <th scope="col">Changed params</th>
              <th scope="col">Key metrics</th>
              <th scope="col">Models</th>
              <th scope="col"><button type="button" data-sort="seconds">Seconds</button></th>
              <th scope="col"><button type="button" data-sort="outcome">Outcome</button></th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Runs pages"><button type="button" id="prev">Previous page</button>
    <span id="page-no"></span><button type="button" id="next">Next page</button></nav>
    </section>
    <section aria-labelledby="trend-h"><h2 id="trend-h">Trend</h2>
    <label for="metric">Metric</label> <select id="metric"></select>
    <div id="trend" class="chart" role="img" aria-label="Metric over runs"></div></section>
    <section aria-labelledby="diff-h">
      <h2 id="diff-h">Compare two runs</h2>
      <p><button type="button" id="compare">Compare selected</button></p>
      <div class="side">
        <div>
          <h3>Params diff</h3>
          <div id="params-diff"></div>
        </div>
        <div>
          <h3>Metrics diff</h3>
          <div id="metrics-diff"></div>
        </div>
      </div>
    </section>
  `;
}

/** The Model page's skeleton for the flow model (`flow`) or the URL model (`url`). */
export function modelBody(which: "flow" | "url" = "flow"): Fragment {
  const [pos, neg] = which === "url" ? ["phishing", "legitimate"] : ["threat", "benign"];
  const link = (w: "flow" | "url", text: string) =>
    html`<li><a href="${w === "url" ? "/model?model=url" : "/model"}"${
      w === which ? raw(' aria-current="page"') : ""
    }>${text}</a></li>`;
  return html`
    <nav aria-label="Which model" class="model-switch" data-model="${which}">
      <ul>
      ${link("flow", "Flow model (artifacts/model)")}
      ${link("url", "URL model (artifacts/url/model)")}
      </ul>
    </nav>
    <section aria-labelledby="card-h">
      <h2 id="card-h">Model card</h2>
      <dl id="card"></dl>
    </section>
    <section aria-labelledby="curves-h">
      <h2 id="curves-h">ROC and precision-recall (test split)</h2>
      <div class="side">
        <div id="roc" class="chart" role="img" aria-label="ROC curve"></div>
        <div id="pr" class="chart" role="img" aria-label="Precision-recall curve"></div>
      </div>
    </section>
    <section aria-labelledby="cm-h">
      <h2 id="cm-h">Confusion matrix</h2>
      <label for="threshold">Threshold</label>
      <input id="threshold" type="range" min="0" max="1" step="0.001">
      <output id="threshold-value" for="threshold"></output>
      <table id="confusion">
        <caption>Test split at the chosen threshold</caption>
        <thead>
          <tr>
            <td></td>
            <th scope="col">Predicted ${pos}</th>
            <th scope="col">Predicted ${neg}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Actual ${pos}</th>
            <td id="tp"></td>
            <td id="fn"></td>
          </tr>
          <tr>
            <th scope="row">Actual ${neg}</th>
            <td id="fp"></td>
            <td id="tn"></td>
          </tr>
        </tbody>
      </table>
      <p>Precision <span id="precision"></span>, recall <span id="recall"></span>, false-positive rate <span id="fpr"></span></p>
    </section>
    <section aria-labelledby="cal-h">
      <h2 id="cal-h">Calibration</h2>
      <div id="calibration" class="chart" role="img" aria-label="Reliability diagram"></div>
    </section>
    <section aria-labelledby="imp-h">
      <h2 id="imp-h">Feature importance (permutation, test split)</h2>
      <div id="importance"></div>
    </section>
  `;
}

/** The Data page's skeleton. */
export function dataBody(): Fragment {
  return html`
    <section aria-labelledby="bal-h">
      <h2 id="bal-h">Class balance</h2>
      <div id="balance"></div>
    </section>
    <section aria-labelledby="q-h">
      <h2 id="q-h">Missing values, duplicates and label conflicts</h2>
      <div id="quality"></div>
    </section>
    <section aria-labelledby="drift-h">
      <h2 id="drift-h">Train vs test drift per column</h2>
      <div id="drift"></div>
    </section>
    <section aria-labelledby="dist-h">
      <h2 id="dist-h">Distributions by class</h2>
      <div id="dists"></div>
    </section>
    <section aria-labelledby="batch-h">
      <h2 id="batch-h">Scored batches: drift against the training profile</h2>
      <div id="batches"></div>
    </section>
  `;
}

function field(c: ColumnSpec): Fragment {
  const id = `f-${c.name}`;
  const req = c.nullable ? "" : " (required)";
  if (c.type === "boolean") {
    return html`<div class="field"><label for="${id}">${c.name}${req}</label>
<select id="${id}" name="${c.name}">${c.nullable ? html`<option value="">missing</option>` : ""}
<option value="true">true</option><option value="false">false</option></select></div>`;
  }
  if (c.values && c.values.length) {
    return html`<div class="field"><label for="${id}">${c.name}${req}</label>
<select id="${id}" name="${c.name}" data-type="${c.type}">${
      c.nullable ? html`<option value="">missing</option>` : ""
    }${
      c.values.map((v) => html`<option value="${String(v)}">${String(v)}</option>`)
    }</select></div>`;
  }
  if (c.type === "integer" || c.type === "number") {
    return html`<div class="field"><label for="${id}">${c.name}${req}</label>
<input id="${id}" name="${c.name}" type="number" data-type="${c.type}"
 step="${c.type === "integer" ? "1" : "any"}"${
      c.min !== undefined
        ? html`
          min="${c.min}"
        `
        : ""
    }${
      c.max !== undefined
        ? html`
          max="${c.max}"
        `
        : ""
    }${c.nullable ? "" : " required"}></div>`;
  }
  return html`<div class="field"><label for="${id}">${c.name}${req}</label>
<input id="${id}" name="${c.name}" type="text"${c.nullable ? "" : " required"}></div>`;
}

/** The Score page: the record form generated from the model's schema, upload, URL box. */
export function scoreBody(columns: ColumnSpec[] | undefined): Fragment {
  const form = columns
    ? html`<form id="record-form" novalidate><fieldset><legend>Record</legend>
<div class="fields">${columns.map(field)}</div></fieldset>
<button type="submit">Score record</button></form>
<div id="record-result" aria-live="polite"></div>`
    : html`<p>No model is loaded.</p>`;
  return html`
    <section aria-labelledby="rec-h"><h2 id="rec-h">One record</h2>${form}</section>
    <section aria-labelledby="up-h">
      <h2 id="up-h">Upload a file</h2>
      <form id="upload-form"><label for="file">CSV or JSON Lines file</label>
    <input id="file" name="file" type="file" accept=".csv,.jsonl,.json,text/csv">
    <button type="submit">Score file</button></form>
      <div id="upload-result" aria-live="polite"></div>
    </section>
    <section aria-labelledby="url-h">
      <h2 id="url-h">Check a URL</h2>
      <form id="url-form"><label for="url">URL</label>
    <input id="url" name="url" type="url" required placeholder="https://example.com/login">
    <button type="submit">Check URL</button></form>
      <div id="url-result" aria-live="polite"></div>
    </section>
  `;
}

/** The Train page. */
export function trainBody(): Fragment {
  return html`
    <form id="train-form"><fieldset><legend>Run the pipeline</legend>
    <label for="overrides">Param overrides, one <code>key=value</code> per line (written into params.yaml)</label>
    <textarea id="overrides" name="overrides" rows="4" cols="50" placeholder="train.epochs=5"></textarea>
    <div><input id="force" name="force" type="checkbox"> <label for="force">Force: run every stage (--force)</label></div>
    </fieldset>
    <button type="submit" id="start">Start repro</button>
    <button type="button" id="cancel">Cancel run</button></form>
    <p id="train-state" aria-live="polite"></p>
    <h2>Stages</h2>
    <ul id="train-stages"></ul>
    <h2 id="log-h">Log</h2>
    <pre id="train-log" role="log" tabindex="0" aria-labelledby="log-h"></pre>
  `;
}

/** The History page. */
export function historyBody(): Fragment {
  return html`
    <p id="history-count"></p>
    <div class="table-wrap">
      <table id="history">
        <caption class="sr-only">Scored batches, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Source</th>
            <th scope="col">Input</th>
            <th scope="col">Rows</th>
            <th scope="col">Label rates</th>
            <th scope="col">Rejects</th>
            <th scope="col">Drift flags</th>
            <th scope="col">Model and version</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
    </div>
    <nav class="pager" aria-label="History pages"><button type="button" id="prev">Previous page</button>
    <span id="page-no"></span><button type="button" id="next">Next page</button></nav>
    <p><button type="button" id="clear">Clear history</button></p>
  `;
}
