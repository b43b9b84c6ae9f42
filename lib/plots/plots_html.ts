/**
 * One self-contained HTML page with the charts of `plots show|diff`: uPlot's
 * JavaScript and CSS and the data are inlined, images are data URLs, so the
 * file opens offline and fetches nothing. No time stamps or paths in it: the
 * same plots give the same bytes.
 *
 * @module
 */
import type { Chart, ImagePlot } from "./plot_data.ts";
import type { UplotAssets } from "./uplot_assets.ts";

/** Options of {@linkcode renderPlotsHtml}. */
export interface PlotsHtmlOptions {
  /** Page title. */
  title: string;
  /** Charts drawn with uPlot. */
  charts: Chart[];
  /** Images shown as they are. */
  images?: ImagePlot[];
  /** uPlot's browser build (see uplot_assets.ts). */
  uplot: UplotAssets;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe inside a `<script>` element (no `</script>`, no `<!--`). */
const scriptJson = (v: unknown) =>
  JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(
    /\u2029/g,
    "\\u2029",
  );

/** Draws every chart: points joined on one sorted x axis, each series's gaps spanned. */
const DRAW = `
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];
const charts = JSON.parse(document.getElementById("plots-data").textContent);
const root = document.getElementById("charts");
charts.forEach((chart, c) => {
  const rows = [];
  chart.series.forEach((s, i) => s.points.forEach(([x, y], k) => rows.push([x, i, k, y])));
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const data = [rows.map((r) => r[0])];
  chart.series.forEach(() => data.push(new Array(rows.length).fill(null)));
  rows.forEach((r, j) => { data[1 + r[1]][j] = r[3]; });
  const box = document.createElement("section");
  box.className = "chart";
  box.id = "chart-" + c;
  if (chart.subtitle) {
    const p = document.createElement("p");
    p.textContent = chart.subtitle;
    box.appendChild(p);
  }
  root.appendChild(box);
  new uPlot({
    title: chart.title,
    width: Math.min(900, root.clientWidth || 900),
    height: 360,
    scales: { x: { time: false } },
    axes: [{ label: chart.x }, { label: chart.y }],
    series: [{ label: chart.x }].concat(chart.series.map((s, i) => ({
      label: s.label,
      stroke: PALETTE[i % PALETTE.length],
      width: 2,
      spanGaps: true,
      points: { show: false },
    }))),
  }, data, box);
});
`;

/**
 * The page.
 *
 * @example
 * ```ts ignore
 * import { renderPlotsHtml } from "./plots_html.ts";
 * const html = renderPlotsHtml({ title: "plots", charts, uplot: await uplotAssets() });
 * ```
 */
export function renderPlotsHtml(options: PlotsHtmlOptions): string {
  const { title, charts, images = [], uplot } = options;
  const imageHtml = images.map((i) =>
    `<figure><figcaption>${escapeHtml(i.title)}</figcaption>` +
    `<img alt="${escapeHtml(i.title)}" src="${i.src}"></figure>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="threatline plots, uPlot ${escapeHtml(uplot.version)}">
<title>${escapeHtml(title)}</title>
<style>
${uplot.css}
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
.chart { margin: 1.5em 0; } .chart p { margin: 0 0 .3em; color: #555; }
figure { margin: 1.5em 0; } img { max-width: 100%; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div id="charts"></div>
${imageHtml}
<script type="application/json" id="plots-data">${scriptJson(charts)}</script>
<script>
${uplot.js.replace(/<\/script/gi, "<\\/script")}
</script>
<script>
${DRAW}
</script>
</body>
</html>
`;
}
