/**
 * `deno task metrics [show]` and `deno task metrics diff [REV] [--all] [--json]`.
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { currentMetrics, metricsAtRevision } from "../lib/runner/run/revisions.ts";
import { cell, diffValues, formatTable } from "../lib/reports/diff_table.ts";
import { loadWorkspace } from "./_workspace.ts";

const USAGE = "deno task metrics [show] [--json] | deno task metrics diff [REV] [--all] [--json]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: { json: { type: "boolean" }, all: { type: "boolean" } },
      maxPositionals: 2,
    });
    const [command = "show", rev = "HEAD"] = positionals;
    if (command !== "show" && command !== "diff") {
      throw new ConfigError(`unknown metrics command '${command}'`, { hint: `usage: ${USAGE}` });
    }
    const { ws, spec } = await loadWorkspace(log);
    try {
      const now = await currentMetrics(ws, spec);
      if (command === "show") {
        if (values.json) return void console.log(JSON.stringify(now, null, 2));
        const rows = Object.entries(now).flatMap(([file, kv]) =>
          Object.entries(kv).map(([k, v]) => [file, k, cell(v)])
        );
        console.log(
          rows.length ? formatTable(["file", "metric", "value"], rows) : "No metrics found.",
        );
        return;
      }
      const old = await metricsAtRevision(ws, spec, rev);
      const rows = diffValues(old.values, now, { all: values.all as boolean | undefined });
      if (values.json) {
        console.log(JSON.stringify({ rev, rows, unavailable: old.unavailable }, null, 2));
      } else {
        console.log(
          rows.length
            ? formatTable(
              ["file", "metric", rev, "workspace", "change"],
              rows.map((r) => [r.file, r.key, cell(r.old), cell(r.new), cell(r.change)]),
            )
            : `No metric changed since ${rev}.`,
        );
      }
      for (const f of old.unavailable) {
        log.warn(`metrics of ${rev} not in the cache nor in git`, { file: f });
      }
    } finally {
      await ws.close();
    }
  });
}
