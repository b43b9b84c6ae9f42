/**
 * `deno task bench dashboard [--runs N]`: how fast each dashboard page
 * becomes usable in Debian's Chromium with a cold cache (a fresh browser
 * context per load), over loopback, with 10,000 runs in the run history and
 * 100,000 entries in the prediction history (the small real workspace of
 * lib/dashboard/_testing.ts plus those records). Per page, medians of N
 * loads (default 5): DOM interactive, load event, and "ready" (the island
 * has rendered its data: the page's marker element exists), plus the
 * compressed bytes of JavaScript the page fetched.
 *
 * @module
 */
import { join } from "node:path";
import { chromium } from "playwright-core";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { testDashboard } from "../lib/dashboard/_testing.ts";
import { localHistoryPath } from "../lib/history/mod.ts";
import type { Logger } from "../lib/log.ts";
import { runHistoryPath } from "../lib/runner/run/run_history.ts";
import { ServerHandle } from "../lib/serve/mod.ts";
import { memoryLogger } from "../lib/log.ts";

const CHROMIUM = "/usr/bin/chromium";
/** Page → element that exists once its island rendered the data. */
const READY: Record<string, string> = {
  "/pipeline": ".stage",
  "/runs": "#runs tbody tr",
  "/model": "#roc canvas",
  "/model?model=url": "#roc canvas",
  "/data": "#drift table",
  "/score": "#record-form",
  "/train": "#train-state:not(:empty)",
  "/history": "#history tbody tr",
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function seed(root: string): Promise<void> {
  const cache = join(root, ".cache");
  const runs: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const t = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    runs.push(JSON.stringify({
      id: `b${i}`,
      kind: "repro",
      started: t,
      ended: t,
      seconds: 30 + (i % 50),
      outcome: i % 17 ? "ok" : "failed",
      git: { commit: "0123456789abcdef", dirty: i % 3 === 0 },
      args: [],
      changedParams: { "params.yaml": { "train.epochs": [60, 60 + (i % 5)] } },
      metrics: { "artifacts/metrics.json": { roc_auc: 0.9 + (i % 100) / 1000, f1: 0.85 } },
      models: { threatline: `v${i}` },
      stages: [],
    }));
  }
  await Deno.writeTextFile(runHistoryPath(cache), runs.join("\n") + "\n", { append: true });
  const path = localHistoryPath(cache);
  await Deno.mkdir(join(cache, "history"), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    lines.push(JSON.stringify({
      id: `h${String(i).padStart(6, "0")}`,
      time: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      source: ["predict", "serve", "dashboard"][i % 3],
      input: `batch-${i}.csv`,
      model: "threatline",
      modelVersion: "v1",
      rows: 1000,
      rejects: i % 7,
      labels: { threat: 100, benign: 900 },
      driftFlags: i % 11 ? [] : ["url_length"],
    }));
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/** Run the benchmark. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: "deno task bench dashboard [--runs N]",
    maxPositionals: 0,
    options: { runs: { type: "string" } },
  });
  const runs = values.runs ? positiveInt(values.runs as string, "--runs") : 5;
  const d = await testDashboard();
  const server = ServerHandle.start({
    fetch: d.app.fetch,
    hostname: "127.0.0.1",
    port: 0,
    auth: false,
    log: memoryLogger(),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    await seed(d.root);
    await d.trainer.start(); // validate runs: the Data page has its report
    await d.trainer.finished;
    log.info("dashboard bench: 10,000 runs, 100,000 history entries", { runs });
    const rows: string[] = [];
    for (const [path, marker] of Object.entries(READY)) {
      const inter: number[] = [], load: number[] = [], ready: number[] = [];
      let js = 0;
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const t0 = Date.now();
        await page.goto(server.url + path, { waitUntil: "load" });
        await page.locator(marker).first().waitFor({ state: "attached", timeout: 30_000 });
        const readyMs = Date.now() - t0;
        const m = await page.evaluate(() => {
          const nav = performance.getEntriesByType("navigation")[0] as unknown as {
            domInteractive: number;
            loadEventEnd: number;
          };
          const scripts = (performance.getEntriesByType("resource") as unknown as {
            initiatorType: string;
            encodedBodySize: number;
          }[])
            .filter((r) => r.initiatorType === "script");
          return {
            interactive: nav.domInteractive,
            load: nav.loadEventEnd,
            js: scripts.reduce((s, r) => s + r.encodedBodySize, 0),
          };
        });
        inter.push(m.interactive);
        load.push(m.load);
        ready.push(readyMs);
        js = m.js;
        await context.close();
      }
      rows.push(
        `${path.padEnd(17)} ${median(inter).toFixed(0).padStart(6)} ${
          median(load).toFixed(0).padStart(6)
        } ${median(ready).toFixed(0).padStart(6)} ${(js / 1024).toFixed(1).padStart(8)}`,
      );
    }
    console.log(
      `page              interactive/ms load/ms ready/ms  JS KiB (compressed); medians of ${runs}`,
    );
    for (const r of rows) console.log(r);
    return 0;
  } finally {
    await browser.close();
    await server.shutdown({ graceMs: 1000 });
    await d.close();
  }
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
