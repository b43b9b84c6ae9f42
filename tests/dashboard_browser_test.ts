/**
 * The dashboard in Debian's Chromium (playwright-core, never a downloaded
 * browser), over a real socket, on a small real workspace
 * (lib/dashboard/_testing.ts): every page loads without console errors and
 * without serious or critical axe-core violations; the record form's
 * probability equals `/v1/predict`'s; an upload's rows equal `deno task
 * predict`'s output; the threshold slider changes the confusion matrix; a
 * Train click runs the pipeline to the end and the run shows on Runs; the
 * URL box shows reasons; user strings in an uploaded CSV stay text. Each
 * step saves a screenshot in .cache/screenshots/ (or $THREATLINE_SCREENSHOT_DIR).
 *
 * The URL box asks the real `POST /v1/check-url` (lib/serve/check_url.ts)
 * of a small real URL model trained by the fixture (lib/url/_testing.ts) and
 * loaded as `deno task dashboard` loads `artifacts/url/model`; the Model page
 * switches to that model's card, curves and slider.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { testDashboard } from "../lib/dashboard/_testing.ts";
import { memoryLogger } from "../lib/log.ts";
import { csvRows } from "../lib/scoring/_testing.ts";
import { ServerHandle } from "../lib/serve/mod.ts";
import { REQUIRE_SERVICES_VAR, servicesFromEnv } from "../lib/services/env.ts";
import { REPO, taskCommand, taskFlags } from "./_workspace.ts";

/** Debian's chromium package. */
const CHROMIUM = Deno.env.get("THREATLINE_CHROMIUM") ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// Screenshots go under the gitignored cache; `THREATLINE_SCREENSHOT_DIR=docs/screenshots` refreshes the README's copies.
const SHOTS = Deno.env.get("THREATLINE_SCREENSHOT_DIR") ?? join(REPO, ".cache/screenshots");
const present = existsSync(CHROMIUM);
const required = servicesFromEnv().requireServices;

async function axeSerious(page: Page): Promise<string[]> {
  const source = await Deno.readTextFile(
    createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  );
  await page.evaluate(source + ";0");
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const r = await (globalThis as any).axe.run();
    return r.violations
      .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
      .map((v: { id: string; nodes: { target: string[] }[] }) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
      );
  });
}

async function predictTask(cwd: string, input: string, model: string): Promise<string[][]> {
  const out = await taskCommand({
    task: "predict",
    flags: await taskFlags("predict"),
    args: [input, "--model", model, "--out", "-"],
    cwd,
    // the local history file the dashboard reads, even when the test env has a MongoDB
    env: { MONGODB_URI: "" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return csvRows(new TextDecoder().decode(out.stdout)).slice(1);
}

Deno.test({
  name:
    `dashboard in Chromium: pages, axe, form, upload, slider, train, URL box, escaping (needs ${CHROMIUM}; skipped without it unless ${REQUIRE_SERVICES_VAR}=1)`,
  ignore: !present && !required,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    assert.ok(present, `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    const d = await testDashboard();
    const server = ServerHandle.start({
      fetch: d.app.fetch,
      hostname: "127.0.0.1",
      port: 0,
      auth: false,
      log: memoryLogger(),
    });
    let browser: Browser | undefined;
    try {
      await Deno.mkdir(SHOTS, { recursive: true });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(`${page.url()}: ${m.text()}`));
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
      const go = async (path: string) => {
        await page.goto(server.url + path, { waitUntil: "networkidle" });
      };

      await t.step(
        "every page loads without console errors or serious axe violations",
        async () => {
          for (
            const path of [
              "/pipeline",
              "/runs",
              "/model",
              "/model?model=url",
              "/data",
              "/score",
              "/train",
              "/history",
            ]
          ) {
            await go(path);
            assert.equal(await page.locator("h1").count(), 1);
            assert.deepEqual(await axeSerious(page), [], `axe on ${path}`);
            const shot = path.slice(1).replace(/\?model=/, "-");
            await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
          }
          assert.deepEqual(errors, []);
        },
      );

      await t.step("the record form's probability equals /v1/predict's", async () => {
        await go("/score");
        const [header, first] = csvRows(d.testCsv);
        const record: Record<string, number> = {};
        for (const f of d.scorer.preprocess.schema.features) {
          const v = first[header.indexOf(f)];
          record[f] = Number(v);
          await page.selectOption(`#f-${f}`, v);
        }
        await page.click("#record-form button[type=submit]");
        const shown = await page.locator("#record-probability").textContent();
        const api = await (await fetch(`${server.url}/v1/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(record),
        })).json();
        assert.equal(shown, api.probability.toFixed(6));
        assert.ok(await page.locator("#record-result table tbody tr").count() > 0);
        await page.screenshot({ path: join(SHOTS, "score-record.png"), fullPage: true });
      });

      await t.step("an upload's rows equal deno task predict's output", async () => {
        const file = join(d.root, "batch.csv");
        const lines = d.testCsv.trimEnd().split("\n");
        lines[3] = lines[3].replace(/^[^,]+/, "7"); // a reject: 7 is outside {-1, 1}
        await Deno.writeTextFile(file, lines.join("\n") + "\n");
        await go("/score");
        await page.setInputFiles("#file", file);
        await page.click("#upload-form button[type=submit]");
        await page.locator("#upload-summary").waitFor();
        const theirs = await predictTask(d.root, file, join(d.root, "artifacts/model"));
        assert.match(await page.locator("#upload-drift").textContent() ?? "", /drift/i);
        const tables = page.locator("#upload-result table");
        const rejects = await tables.first().locator("tbody tr").allTextContents();
        assert.equal(rejects.length, 1);
        assert.match(rejects[0], /^4having_ip_address/);
        const shown = await tables.last().locator("tbody tr").evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""))
        );
        assert.equal(shown.length, theirs.length);
        shown.forEach(([, , p, label], i) => {
          assert.ok(
            Math.abs(Number(p) - Number(theirs[i][1])) <= 1e-6,
            `row ${i}: ${p} vs ${theirs[i][1]}`,
          );
          assert.equal(label === "threat" ? "1" : "0", theirs[i][2], `row ${i}`);
        });
        await page.screenshot({ path: join(SHOTS, "score-upload.png"), fullPage: true });
        await go("/history");
        await page.locator("#history tbody tr").first().waitFor();
        const hist = await page.locator("#history tbody").textContent() ?? "";
        assert.match(hist, /dashboardbatch\.csv/);
        assert.match(hist, /predict\S*batch\.csv/, "deno task predict appended too");
      });

      await t.step("user strings in an uploaded CSV are shown as text", async () => {
        const evil = [`<script>window.__xss=1</script>`, `"><img src=x onerror="window.__xss=2">`];
        const file = join(d.root, `evil"><img src=x onerror=alert(3)>.csv`);
        const lines = d.testCsv.trimEnd().split("\n").slice(0, 4);
        lines[1] = lines[1].replace(/^[^,]+/, `"${evil[0]}"`);
        lines[2] = lines[2].replace(/^[^,]+/, `"${evil[1].replace(/"/g, '""')}"`);
        lines[3] = lines[3].replace(/^[^,]+/, "http://10.0.0.1/<script>alert(4)</script>");
        await Deno.writeTextFile(file, lines.join("\n") + "\n");
        await go("/score");
        await page.setInputFiles("#file", file);
        await page.click("#upload-form button[type=submit]");
        await page.locator("#upload-summary").waitFor();
        const text = await page.locator("#upload-result").textContent() ?? "";
        assert.ok(text.includes(evil[0]), text);
        assert.ok(text.includes(`"><img src=x onerror="window.__xss=2">`), text);
        assert.equal(await page.locator("#upload-result img, #upload-result script").count(), 0);
        assert.equal(
          await page.evaluate(() => (globalThis as { __xss?: number }).__xss),
          undefined,
        );
        await page.screenshot({ path: join(SHOTS, "escaping.png"), fullPage: true });
        await go("/history");
        await page.locator("#history tbody tr").first().waitFor();
        assert.equal(await page.locator("#history img").count(), 0);
        assert.match(
          await page.locator("#history tbody").textContent() ?? "",
          /onerror=alert\(3\)/,
        );
      });

      await t.step("the threshold slider changes the confusion matrix", async () => {
        await go("/model");
        const cells = async () =>
          await Promise.all(
            ["tp", "fp", "fn", "tn"].map((id) => page.locator(`#${id}`).textContent()),
          );
        await page.locator("#threshold").fill("0.1");
        const low = (await cells()).map(Number);
        await page.locator("#threshold").fill("0.9");
        const high = (await cells()).map(Number);
        assert.notDeepEqual(low, high);
        // against the predictions file
        const preds = csvRows(
          await Deno.readTextFile(join(d.root, "artifacts/evaluate/predictions.csv")),
        ).slice(1);
        const count = (t: number) => {
          let tp = 0, fp = 0, fn = 0, tn = 0;
          for (const [, l, p] of preds) {
            const hit = Number(p) >= t;
            if (l === "1") hit ? tp++ : fn++;
            else hit ? fp++ : tn++;
          }
          return [tp, fp, fn, tn];
        };
        assert.deepEqual(low, count(0.1));
        assert.deepEqual(high, count(0.9));
        await page.screenshot({ path: join(SHOTS, "model.png"), fullPage: true });
      });

      await t.step("the URL box shows the URL model's reasons", async () => {
        const url = "http://192.168.4.2/paypal/login.php";
        const before = (await d.history.list({ limit: 1000 })).total;
        await go("/score");
        await page.fill("#url", url);
        await page.click("#url-form button[type=submit]");
        await page.locator("#url-reasons li").first().waitFor();
        const shown = await page.locator("#url-reasons li").allTextContents();
        // the same URL straight from the model
        const [want] = d.urlModel.checker.check([url]);
        assert.ok("reasons" in want);
        assert.equal(want.label, "phishing");
        assert.equal(await page.locator("#url-label").textContent(), want.label);
        assert.equal(shown.length, want.reasons.length);
        want.reasons.forEach((r, i) =>
          assert.ok(shown[i].includes(r.text), `${shown[i]} / ${r.text}`)
        );
        assert.ok(shown.length > 0 && want.reasons.every((r) => r.contribution > 0));
        await page.screenshot({ path: join(SHOTS, "score-url.png"), fullPage: true });
        await d.settle();
        const { entries, total } = await d.history.list({ limit: 1 });
        assert.equal(total, before + 1, "the check appended a history entry");
        assert.equal(entries[0].model, "threatline-url");
        assert.deepEqual(entries[0].labels, { phishing: 1, legitimate: 0 });
        await go("/history");
        await page.locator("#history tbody tr").first().waitFor();
        assert.match(await page.locator("#history tbody").textContent() ?? "", /threatline-url/);
      });

      await t.step("the Model page switches to the URL model", async () => {
        await go("/pipeline");
        await page.click('a[href="/model?model=url"] >> nth=0');
        await page.waitForURL(/model=url/);
        await page.locator("#card dd").first().waitFor();
        assert.match(await page.locator("#card").textContent() ?? "", /test url gbdt/);
        assert.equal(
          await page.locator('.model-switch a[aria-current="page"]').textContent(),
          "URL model (artifacts/url/model)",
        );
        assert.match(await page.locator("#confusion thead").textContent() ?? "", /phishing/);
        assert.equal(await page.locator("#roc .uplot").count(), 1);
        const preds = csvRows(
          await Deno.readTextFile(join(d.root, "artifacts/url/evaluate/predictions.csv")),
        ).slice(1);
        const count = (t: number) => {
          let tp = 0, fp = 0, fn = 0, tn = 0;
          for (const [, l, p] of preds) {
            const hit = Number(p) >= t;
            if (l === "1") hit ? tp++ : fn++;
            else hit ? fp++ : tn++;
          }
          return [tp, fp, fn, tn];
        };
        for (const t of [0.05, 0.5, 0.95]) {
          await page.locator("#threshold").fill(String(t));
          const cells = await Promise.all(
            ["tp", "fp", "fn", "tn"].map((id) => page.locator(`#${id}`).textContent()),
          );
          assert.deepEqual(cells.map(Number), count(t), `threshold ${t}`);
        }
        await page.screenshot({ path: join(SHOTS, "model-url.png"), fullPage: true });
      });

      await t.step(
        "a Train click runs the pipeline to the end and the run shows on Runs",
        async () => {
          await go("/train");
          await page.fill("#overrides", "validate.max_examples=3");
          await page.click("#start");
          await page.locator("#train-state[data-outcome]").waitFor({ timeout: 120_000 });
          assert.equal(await page.locator("#train-state").getAttribute("data-outcome"), "ok");
          assert.equal(
            await page.locator('[data-stage="summary"]').getAttribute("data-state"),
            "done",
          );
          assert.match(await page.locator("#train-log").textContent() ?? "", /repro finished/);
          assert.match(await Deno.readTextFile(join(d.root, "params.yaml")), /max_examples: 3 # /);
          await page.screenshot({ path: join(SHOTS, "train.png"), fullPage: true });
          await go("/runs");
          await page.locator("#runs tbody tr").first().waitFor();
          const first = await page.locator("#runs tbody tr").first().textContent() ?? "";
          assert.match(first, /ok/);
          assert.equal(
            await page.locator("#runs-count").textContent(),
            "3 runs (local run history)",
          );
          await page.screenshot({ path: join(SHOTS, "runs.png"), fullPage: true });
          await go("/pipeline");
          assert.equal(await page.locator(".stage.st-fresh").count(), 2);
          assert.equal(await page.locator(".dag svg.edges path[marker-end]").count(), 1);
          await page.screenshot({ path: join(SHOTS, "pipeline.png"), fullPage: true });
          await go("/data");
          assert.match(await page.locator("#drift").textContent() ?? "", /having_ip_address/);
          assert.equal(
            await page.locator("#dists details").count(),
            d.scorer.preprocess.schema.features.length,
          );
          await page.screenshot({ path: join(SHOTS, "data.png"), fullPage: true });
          assert.deepEqual(errors, []);
        },
      );
    } finally {
      await browser?.close();
      await server.shutdown({ graceMs: 1000 });
      await d.close();
    }
  },
});
