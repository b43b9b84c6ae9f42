/**
 * `source_check`: how a stage that reads an external source (a database
 * collection, an API) can be fresh. The command runs on every `status` and
 * `repro` (in the workspace root, like a stage's cmd) and prints a short
 * description of the source, e.g. its row count, largest id and collection
 * metadata. The output is recorded in pipeline.lock when the stage runs; the
 * stage is stale when the output differs. The stage itself (a full
 * fingerprint, say) then runs only when the cheap check saw a change.
 *
 * The check is as good as what it prints: one that prints a count and a max
 * id misses an in-place update that keeps both. `repro --force STAGE` re-runs
 * the stage regardless.
 *
 * @module
 */
import { PipelineError, StageFailedError } from "../../errors.ts";
import { hashBytes } from "../cache/hash.ts";
import { runStageCommands } from "./executor.ts";
import type { StageSpec } from "../spec/spec.ts";

/** Outputs longer than this are recorded by their hash. */
const MAX_RECORDED = 2000;

/**
 * Run a stage's `source_check` and return what it printed (trimmed; longer
 * outputs as `sha256:<hex>`). A failing check throws the stage failure (exit
 * 7 when the check reports a service failure, e.g. the database is down).
 *
 * @example
 * ```ts ignore
 * import { runSourceCheck } from "./source_check.ts";
 * const now = await runSourceCheck(ws.root, stage); // '{"count":11055,"max_id":11054,...}'
 * ```
 */
export async function runSourceCheck(
  root: string,
  stage: StageSpec,
  options: { signal?: AbortSignal } = {},
): Promise<string | undefined> {
  if (stage.sourceCheck === undefined) return undefined;
  const lines: string[] = [];
  try {
    await runStageCommands({
      stage: stage.name,
      cmds: [stage.sourceCheck],
      cwd: root,
      signal: options.signal,
      onLine: (line, stream) => {
        if (stream === "stdout") lines.push(line);
      },
    });
  } catch (err) {
    if (!(err instanceof StageFailedError)) throw err;
    throw new PipelineError(`the source_check of stage '${stage.name}' failed: ${err.message}`, {
      code: "SOURCE_CHECK_FAILED",
      exitCode: err.exitCode,
      stage: stage.name,
      field: "source_check",
      cause: err,
      hint: err.stderrTail.trim().split("\n").at(-1),
    });
  }
  const out = lines.join("\n").trim();
  return out.length > MAX_RECORDED ? `sha256:${hashBytes(new TextEncoder().encode(out))}` : out;
}
