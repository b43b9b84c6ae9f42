/**
 * `deno task dag [--mermaid|--dot]`: print the stage graph.
 *
 * @module
 */
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import { toDot, toMermaid, toText } from "../lib/runner/spec/graph.ts";
import { loadWorkspace } from "./_workspace.ts";

const USAGE = "deno task dag [--mermaid|--dot]";

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: { mermaid: { type: "boolean" }, dot: { type: "boolean" } },
      maxPositionals: 0,
    });
    if (values.mermaid && values.dot) {
      throw new ConfigError("choose one of --mermaid and --dot", { hint: `usage: ${USAGE}` });
    }
    const { ws, graph } = await loadWorkspace(log);
    await ws.close();
    console.log(values.mermaid ? toMermaid(graph) : values.dot ? toDot(graph) : toText(graph));
  });
}
