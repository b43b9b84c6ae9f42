/**
 * `deno task check-url URL... [--json]` and
 * `deno task check-url --file FILE [--out FILE|-]`: judge raw URLs with the
 * URL model (default `artifacts/url/model`; `--model DIR`). The URL is never
 * fetched and its host never resolved.
 *
 * - URLs on the command line: one verdict each (label, probability, the
 *   reasons in words), or the `POST /v1/check-url` JSON with `--json`. Exit 3
 *   when any URL was refused (each refusal is printed with its reason).
 * - `--file FILE` (`.csv` with a `url` column, `.jsonl`/`.ndjson` objects
 *   with `url`, else one URL per line; `-` is stdin): CSV
 *   `url,probability,label,reasons` in input order to `--out` (default `-`,
 *   stdout), refused lines to `<out base>.rejects.csv` (`check-url.rejects.csv`
 *   for stdout); a one-line summary on stderr; exit 0 even with rejects.
 * - `--reasons N`: reasons per verdict (default 3; 0 for none, fastest).
 * - `--workers N`: with `--file`, blocks are judged by N workers (each its
 *   own model copy, loaded once by this thread and posted to them; default
 *   one per core, up to 4: on the 2-core machine 2 workers measured 1.34×
 *   faster than 1, README "Speed, second pass"); output order unchanged.
 *   `--workers 1` judges on the main thread (less memory).
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError, EXIT } from "../lib/errors.ts";
import { checkFile, inputFormat } from "../lib/url/check_file.ts";
import { loadUrlChecker, URL_MODEL_NAME } from "../lib/url/url_checker.ts";
import { startCheckPool } from "../lib/url/check_pool.ts";

const USAGE = "deno task check-url URL... [--json] | deno task check-url --file FILE " +
  "[--out FILE|-] [--model artifacts/url/model] [--reasons N] [--workers N]";

async function writer(path: string): Promise<{ write(t: string): Promise<void>; close(): void }> {
  const enc = new TextEncoder();
  const file = path === "-"
    ? Deno.stdout
    : await Deno.open(path, { write: true, create: true, truncate: true });
  return {
    async write(t) {
      const b = enc.encode(t);
      for (let off = 0; off < b.length;) off += await file.write(b.subarray(off));
    },
    close: () => path !== "-" && file.close(),
  };
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: {
        json: { type: "boolean" },
        file: { type: "string" },
        out: { type: "string" },
        model: { type: "string" },
        reasons: { type: "string" },
        workers: { type: "string" },
      },
    });
    // Default: one worker per core (up to 4); measured faster than one thread (README "Speed").
    const workers = values.workers === undefined
      ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))
      : Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new ConfigError("--workers must be an integer from 1 to 64", {
        hint: `usage: ${USAGE}`,
      });
    }
    const reasons = values.reasons === undefined ? 3 : Number(values.reasons);
    if (!Number.isInteger(reasons) || reasons < 0 || reasons > 20) {
      throw new ConfigError("--reasons must be an integer from 0 to 20", {
        hint: `usage: ${USAGE}`,
      });
    }
    const file = values.file as string | undefined;
    if (file === undefined && positionals.length === 0) {
      throw new ConfigError("give URLs or --file FILE", { hint: `usage: ${USAGE}` });
    }
    if (file !== undefined && positionals.length > 0) {
      throw new ConfigError("give URLs or --file FILE, not both", { hint: `usage: ${USAGE}` });
    }
    const modelDir = (values.model as string) ?? "artifacts/url/model";
    // --file with more than one worker: each worker loads its own model copy
    // (this thread then only reads and writes, and loads none).
    const pool = file !== undefined && workers > 1
      ? await startCheckPool({ model: modelDir, workers, reasons })
      : undefined;
    const checker = pool ? undefined : await loadUrlChecker(modelDir, {
      use: file === undefined ? "single" : "batch",
      log,
    });
    try {
      if (file === undefined) {
        const results = checker!.check(positionals, { reasons });
        if (values.json) {
          const body = {
            model: { name: URL_MODEL_NAME, version: checker!.version },
            threshold: checker!.threshold,
            results,
          };
          console.log(JSON.stringify(body, null, 2));
        } else {
          for (const r of results) {
            if ("error" in r) {
              console.log(`REFUSED  ${r.url}\n  ${r.error.code}: ${r.error.message}`);
              continue;
            }
            const head = r.label === "phishing" ? "PHISHING  " : "legitimate";
            console.log(`${head} ${r.probability.toFixed(3)}  ${r.url}`);
            for (const x of r.reasons) {
              console.log(`  - ${x.text} (${x.contribution > 0 ? "+" : ""}${x.contribution})`);
            }
          }
        }
        return results.some((r) => "error" in r) ? EXIT.data : 0;
      }
      const outPath = (values.out as string) ?? "-";
      const base = outPath === "-" ? "check-url" : outPath.replace(/\.[^./]*$/, "");
      const out = await writer(outPath);
      const rejects = await writer(`${base}.rejects.csv`);
      const start = performance.now();
      const input = file === "-" ? Deno.stdin.readable : (await Deno.open(file)).readable;
      try {
        const s = await checkFile({
          checker,
          judge: pool?.judge,
          inFlight: 2 * workers,
          input,
          format: inputFormat(file),
          file,
          out: out.write,
          rejects: rejects.write,
          reasons,
        });
        const secs = (performance.now() - start) / 1000;
        console.error(
          `check-url: ${s.checked} URLs (${s.phishing} phishing), ${s.rejected} rejected ` +
            `(${base}.rejects.csv), ${Math.round(s.checked / Math.max(secs, 1e-6))} URLs/s`,
        );
      } finally {
        out.close();
        rejects.close();
      }
    } finally {
      pool?.close();
      checker?.dispose();
    }
  });
}
