/**
 * `deno task params diff [REV] [--all] [--json]`: declared params now versus
 * the values pipeline.lock recorded at REV (default HEAD).
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { currentParams, lockAtRevision, lockedParams } from "../lib/runner/run/revisions.ts";
import { cell, diffValues, formatTable } from "../lib/reports/diff_table.ts";
import { loadWorkspace } from "./_workspace.ts";

const USAGE = "deno task params diff [REV] [--all] [--json]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: { json: { type: "boolean" }, all: { type: "boolean" } },
      maxPositionals: 2,
    });
    const [command, rev = "HEAD"] = positionals;
    if (command !== "diff") {
      throw new ConfigError(`unknown params command '${command ?? ""}'`, {
        hint: `usage: ${USAGE}`,
      });
    }
    const { ws, spec } = await loadWorkspace(log);
    try {
      const old = lockedParams(await lockAtRevision(ws, rev));
      const rows = diffValues(old, await currentParams(ws, spec), {
        all: values.all as boolean | undefined,
      });
      if (values.json) return void console.log(JSON.stringify({ rev, rows }, null, 2));
      console.log(
        rows.length
          ? formatTable(
            ["file", "param", rev, "workspace"],
            rows.map((r) => [r.file, r.key, cell(r.old), cell(r.new)]),
          )
          : `No param changed since ${rev}.`,
      );
    } finally {
      await ws.close();
    }
  });
}
