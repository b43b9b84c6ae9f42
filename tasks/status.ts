/**
 * `deno task status [STAGE...] [--json] [--lock-only]`: what is stale and why.
 * Exits 0 when everything is fresh, 1 when anything is stale.
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { EXIT } from "../lib/errors.ts";
import { selectStages } from "../lib/runner/spec/graph.ts";
import { readLock } from "../lib/runner/cache/lock.ts";
import { pipelineStatus } from "../lib/runner/run/status.ts";
import { loadWorkspace } from "./_workspace.ts";

const USAGE = "deno task status [STAGE...] [--json] [--lock-only]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values, positionals } = parseArgs(args, {
      usage: USAGE,
      options: { json: { type: "boolean" }, "lock-only": { type: "boolean" } },
    });
    const { ws, graph } = await loadWorkspace(log);
    try {
      const lock = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
      const stages = positionals.length ? selectStages(graph, positionals) : undefined;
      const rows = await pipelineStatus(ws, graph, lock, {
        lockOnly: values["lock-only"] as boolean | undefined,
        stages,
      });
      const stale = rows.filter((r) => r.state === "stale");
      if (values.json) {
        console.log(JSON.stringify({ fresh: stale.length === 0, stages: rows }, null, 2));
      } else if (stale.length === 0) {
        console.log("Everything is up to date.");
      } else {
        for (const r of stale) console.log(`${r.stage}: ${r.description}`);
        const frozen = rows.filter((r) => r.state === "frozen").map((r) => r.stage);
        if (frozen.length) console.log(`(frozen, not checked: ${frozen.join(", ")})`);
      }
      return stale.length === 0 ? EXIT.ok : EXIT.stale;
    } finally {
      await ws.close();
    }
  });
}
