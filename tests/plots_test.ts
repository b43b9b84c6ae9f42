/**
 * `deno task plots show|diff`: one self-contained HTML file with the curves
 * (the data inlined, uPlot inlined from the npm package, no external URL),
 * a diff that overlays a git revision's curves read from the cache, and, when
 * a Chromium is installed, the page drawn by a real headless browser.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { readPlotFile } from "../lib/plots/plot_data.ts";
import { tempWorkspace } from "./_workspace.ts";

const PIPELINE = `stages:
  evaluate:
    cmd: cp roc.src roc.json && cp history.src history.json && cp curves.src curves.svg
    deps: [roc.src, history.src, curves.src]
    plots: [roc.json, history.json, curves.svg]
`;
const roc = (auc: number, mid: number) =>
  JSON.stringify({
    roc_auc: auc,
    points: [{ fpr: 0, tpr: 0 }, { fpr: 0.1, tpr: mid }, { fpr: 1, tpr: 1 }],
  });
const HISTORY = JSON.stringify({
  chosen: "b",
  candidates: [
    {
      id: "a",
      label: "mlp-a",
      epochs: [{ epoch: 1, loss: 0.9, val_auc: 0.7 }, { epoch: 2, loss: 0.5, val_auc: 0.8 }],
    },
    { id: "b", label: "mlp-b", epochs: [{ epoch: 1, loss: 0.8, val_auc: 0.75 }] },
  ],
});
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@t", ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

/** Every http(s) URL of the page outside of comments (uPlot's license banner names its home). */
function externalUrls(html: string): string[] {
  const code = html.replace(/\/\*[\s\S]*?\*\//g, "");
  return [...code.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0])
    .filter((u) => !u.startsWith("http://www.w3.org/")); // XML namespaces, never fetched
}

Deno.test("readPlotFile: curves, grouped histories, CSV and images by shape; bad files named", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const r = readPlotFile("roc.json", enc(roc(0.9, 0.6)), "w");
  deepStrictEqual(r.charts.map((c) => [c.title, c.x, c.y, c.subtitle]), [[
    "roc.json",
    "fpr",
    "tpr",
    "roc_auc 0.9",
  ]]);
  const h = readPlotFile("h.json", enc(HISTORY), "w");
  deepStrictEqual(h.charts.map((c) => [c.title, c.x]), [["h.json: loss", "epoch"], [
    "h.json: val_auc",
    "epoch",
  ]]);
  deepStrictEqual(h.charts[0].series.map((s) => s.label), ["w · mlp-a", "w · mlp-b"]);
  deepStrictEqual(h.charts[0].series[0].points, [[1, 0.9], [2, 0.5]]);
  const csv = readPlotFile("p.csv", enc('step,"acc"\n1,0.5\n2,0.75\n'), "w");
  deepStrictEqual(csv.charts[0].series[0].points, [[1, 0.5], [2, 0.75]]);
  const img = readPlotFile("c.svg", enc(SVG), "w");
  ok(img.images[0].src.startsWith("data:image/svg+xml;base64,"));
  for (const bad of ["{", '{"a": "x"}', "[]"]) {
    let err: unknown;
    try {
      readPlotFile("bad.json", enc(bad), "w");
    } catch (e) {
      err = e;
    }
    ok(
      err instanceof Error && (err as { where?: { file?: string } }).where?.file === "bad.json",
      String(err),
    );
  }
});

Deno.test("plots show and diff write one self-contained HTML file with the data", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml": PIPELINE,
    "roc.src": roc(0.81, 0.25),
    "history.src": HISTORY,
    "curves.src": SVG,
  });
  try {
    await w.repro();
    await git(w.root, "init", "-q");
    await git(
      w.root,
      "add",
      "pipeline.yaml",
      "pipeline.lock",
      "roc.src",
      "history.src",
      "curves.src",
    );
    await git(w.root, "commit", "-qm", "first");
    await w.write({ "roc.src": roc(0.93, 0.875) });
    await w.repro();

    const show = await w.task("plots", ["show"]);
    strictEqual(show.code, 0, show.stderr);
    const html = await w.read("plots.html");
    ok(html.includes("uPlot"), "uPlot is inlined");
    ok(html.includes('"label":"workspace"') && html.includes("0.875"), "the data is inlined");
    ok(!html.includes("0.25"), "show is the workspace only");
    ok(html.includes("roc_auc 0.93") && html.includes("mlp-b"));
    ok(html.includes('src="data:image/svg+xml;base64,'), "the SVG plot is embedded");
    deepStrictEqual(externalUrls(html), []);
    ok(
      !/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//i.test(html),
      "nothing loaded from elsewhere",
    );

    const diff = await w.task("plots", ["diff", "HEAD", "--out", "diff.html"]);
    strictEqual(diff.code, 0, diff.stderr);
    const d = await w.read("diff.html");
    ok(d.includes('"label":"HEAD"') && d.includes("0.25"), "HEAD's curve, from the cache");
    ok(d.includes('"label":"workspace"') && d.includes("0.875"), "and the workspace's");
    deepStrictEqual(externalUrls(d), []);

    const json = await w.task("plots", ["diff", "--json"]);
    strictEqual(json.code, 0, json.stderr);
    const charts = JSON.parse(json.stdout).charts;
    deepStrictEqual(charts[0].series.map((s: { label: string }) => s.label), ["HEAD", "workspace"]);

    const bad = await w.task("plots", ["diff", "no-such-rev"]);
    strictEqual(bad.code, 2, bad.stderr);
    ok(bad.stderr.includes("'no-such-rev' is not a git revision"), bad.stderr);

    const browser = await chromium();
    if (browser) {
      const dom = await new Deno.Command(browser, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--dump-dom",
          join(w.root, "diff.html"),
        ],
        stdout: "piped",
        stderr: "null",
      }).output();
      const drawn = new TextDecoder().decode(dom.stdout);
      strictEqual((drawn.match(/class="uplot/g) ?? []).length, 3, "three charts drawn by uPlot");
      ok(drawn.includes("<canvas"), "on canvases");
    }
  } finally {
    await w.cleanup();
  }
});

async function chromium(): Promise<string | undefined> {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = await new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "piped",
    })
      .output();
    if (found.success) return new TextDecoder().decode(found.stdout).trim();
  }
  return undefined;
}
