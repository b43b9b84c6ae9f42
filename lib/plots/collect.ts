/**
 * The plots files a pipeline declares (`plots:` of its stages), read from
 * the workspace or as a git revision recorded them: the revision's
 * pipeline.lock names each file's object, read from the cache, or from git
 * when the file was committed.
 *
 * @module
 */
import { join } from "node:path";
import { gitShow } from "../git.ts";
import { isDirHash } from "../runner/cache/hash.ts";
import { lockAtRevision } from "../runner/run/revisions.ts";
import type { PipelineSpec } from "../runner/spec/spec.ts";
import type { Workspace } from "../runner/cache/workspace.ts";
import { mergePlots, type PlotFile, readPlotFile } from "./plot_data.ts";

/** What {@linkcode collectPlots} found. */
export interface CollectedPlots extends PlotFile {
  /** `label: path` of declared plots files that could not be read (not produced, not cached). */
  unavailable: string[];
}

/**
 * The declared plots files, in pipeline order.
 *
 * @example
 * ```ts ignore
 * declaredPlots(spec); // ["artifacts/evaluate/roc.json", "artifacts/evaluate/pr.json", …]
 * ```
 */
export function declaredPlots(spec: PipelineSpec): string[] {
  return spec.stages.flatMap((s) => s.outs.filter((o) => o.kind === "plot").map((o) => o.path));
}

/**
 * Read every declared plots file in the workspace (label `workspace`) and at
 * each of `revs`, overlaid chart by chart.
 *
 * @example
 * ```ts ignore
 * import { collectPlots } from "./collect.ts";
 * const { charts, images, unavailable } = await collectPlots(ws, spec, { revs: ["HEAD"] });
 * ```
 */
export async function collectPlots(
  ws: Workspace,
  spec: PipelineSpec,
  options: { revs?: string[]; workspace?: boolean } = {},
): Promise<CollectedPlots> {
  const paths = declaredPlots(spec);
  const files: PlotFile[] = [];
  const unavailable: string[] = [];
  for (const rev of options.revs ?? []) {
    const lock = await lockAtRevision(ws, rev);
    const hashes = new Map(
      Object.values(lock.stages).flatMap((e) => e.outs.map((o) => [o.path, o.hash] as const)),
    );
    for (const path of paths) {
      const hash = hashes.get(path);
      let bytes = hash && !isDirHash(hash) ? await ws.store.readObjectBytes(hash) : undefined;
      if (!bytes) {
        const text = await gitShow({ cwd: ws.root, rev, path });
        bytes = text === undefined ? undefined : new TextEncoder().encode(text);
      }
      if (bytes) files.push(readPlotFile(path, bytes, rev));
      else unavailable.push(`${rev}: ${path}`);
    }
  }
  if (options.workspace ?? true) {
    for (const path of paths) {
      try {
        files.push(readPlotFile(path, await Deno.readFile(join(ws.root, path)), "workspace"));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory)) {
          throw err;
        }
        unavailable.push(`workspace: ${path}`);
      }
    }
  }
  return { ...mergePlots(files), unavailable };
}
