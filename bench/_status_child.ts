/**
 * The child process of `status_profile.ts`: one cold run of the steps of a
 * no-op `status`, timed, printed as one JSON line. Nothing is imported
 * statically, so the `imports` step counts every module status loads.
 *
 * @module
 */
async function child(): Promise<void> {
  const t0 = performance.now();
  const ms: Record<string, number> = {};
  let last = t0;
  const lap = (step: string) => {
    const now = performance.now();
    ms[step] = (ms[step] ?? 0) + now - last;
    last = now;
  };
  const [{ openWorkspace }, spec, { buildGraph, topoOrder }, { readLock }, hash, params, stale] =
    await Promise.all([
      import("../lib/pipeline/workspace.ts"),
      import("../lib/pipeline/spec.ts"),
      import("../lib/pipeline/graph.ts"),
      import("../lib/pipeline/lock.ts"),
      import("../lib/pipeline/hash.ts"),
      import("../lib/pipeline/params.ts"),
      import("../lib/pipeline/stale.ts"),
      import("../lib/pipeline/status.ts"),
      import("../tasks/_workspace.ts"),
    ]);
  const { nullLogger } = await import("../lib/log.ts");
  const { join } = await import("node:path");
  lap("imports");
  const ws = await openWorkspace({ root: Deno.cwd() }, nullLogger);
  lap("memo");
  const text = await Deno.readTextFile(join(ws.root, ws.pipelineFile));
  spec.parsePipeline(text, { file: ws.pipelineFile });
  lap("parsePipeline");
  const loaded = await spec.loadPipeline(ws.root, { file: ws.pipelineFile });
  const graph = buildGraph(loaded);
  lap("loadChecks");
  const lock = await readLock(ws.lockPath);
  lap("readLock");
  const dirs = new Set<string>();
  let observed = 0, files = 0;
  for (const name of topoOrder(graph)) {
    const stage = graph.stages.get(name)!;
    const deps = new Map<string, string | undefined>();
    const outs = new Map<string, string | undefined>();
    for (
      const [path, into] of [
        ...stage.deps.map((d) => [d, deps] as const),
        ...stage.outs.map((o) => [o.path, outs] as const),
      ]
    ) {
      const info = await hash.hashPath(join(ws.root, path), { memo: ws.memo });
      into.set(path, info?.hash);
      if (info?.isDir) {
        observed++;
        files += info.nfiles ?? 0;
        dirs.add(path);
        lap("observeDirs");
      } else lap("observeFiles");
    }
    const values = await params.resolveParams(ws.root, stage, {
      files: ws.paramFiles,
      pipelineFile: ws.pipelineFile,
    });
    stale.whyStale({ stage, locked: lock.stages[name], observed: { deps, outs, params: values } });
    lap("paramsVerdict");
  }
  await ws.close();
  // loadChecks above includes a second, warm parse of pipeline.yaml: take it out.
  const warm = performance.now();
  spec.parsePipeline(text, { file: ws.pipelineFile });
  ms.loadChecks = Math.max(0, ms.loadChecks - (performance.now() - warm));
  ms.total = Object.values(ms).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ ms, dirWalks: { observed, distinct: dirs.size, files } }));
}

await child();
