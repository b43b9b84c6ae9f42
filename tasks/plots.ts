/**
 * `deno task plots show [--out FILE] [--json]` and
 * `deno task plots diff [REV...] [--out FILE] [--json]`: the pipeline's
 * plots files (`plots:` in pipeline.yaml: ROC/PR curves, training history,
 * images) as one self-contained HTML page drawn with uPlot (inlined from the
 * npm package; the page fetches nothing). `diff` overlays each revision's
 * curves (default HEAD) on the workspace's. `--json` prints the charts
 * instead (what a dashboard draws).
 *
 * @module
 */
import { isAbsolute, join, relative } from "node:path";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { collectPlots } from "../lib/plots/collect.ts";
import { renderPlotsHtml } from "../lib/plots/plots_html.ts";
import { uplotAssets } from "../lib/plots/uplot_assets.ts";
import { writeFileAtomic } from "../lib/atomic.ts";
import { loadWorkspace } from "./_workspace.ts";

const USAGE = "deno task plots show [--out FILE] [--json] | " +
  "deno task plots diff [REV...] [--out FILE] [--json]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: { out: { type: "string", short: "o" }, json: { type: "boolean" } },
    });
    const [command = "show", ...revs] = positionals;
    if (command !== "show" && command !== "diff") {
      throw new ConfigError(`unknown plots command '${command}'`, { hint: `usage: ${USAGE}` });
    }
    if (command === "show" && revs.length) {
      throw new ConfigError(`plots show takes no revision (got '${revs[0]}')`, {
        hint: "use `deno task plots diff REV` to compare with a revision",
      });
    }
    const { ws, spec } = await loadWorkspace(log);
    try {
      const plots = await collectPlots(ws, spec, {
        revs: command === "diff" ? (revs.length ? revs : ["HEAD"]) : [],
      });
      for (const file of plots.unavailable) log.warn("plots file not available", { file });
      if (plots.charts.length === 0 && plots.images.length === 0) {
        throw new ConfigError("no plots to show", {
          file: ws.pipelineFile,
          hint: "declare plots files under a stage's `plots:` and run `deno task repro`",
        });
      }
      if (values.json) return void console.log(JSON.stringify(plots, null, 1));
      const out = (values.out as string | undefined) ?? "plots.html";
      const path = isAbsolute(out) ? out : join(ws.root, out);
      const title = command === "diff"
        ? `plots diff: ${(revs.length ? revs : ["HEAD"]).join(", ")} vs workspace`
        : "plots";
      await writeFileAtomic(
        path,
        renderPlotsHtml({ title, ...plots, uplot: await uplotAssets() }),
      );
      log.info("plots written", {
        file: relative(ws.root, path) || path,
        charts: plots.charts.length,
        images: plots.images.length,
      });
    } finally {
      await ws.close();
    }
  });
}
