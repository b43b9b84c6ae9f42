/**
 * The child process of `status_profile.ts`: one cold run of the steps of a
 * no-op `status`, timed, printed as one JSON line. It calls the same
 * functions `tasks/status.ts` does (parse cache, one observation per path),
 * step by step. Nothing is imported statically, so the `imports` step counts
 * every module status loads.
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
  const [{ openWorkspace }, spec, { buildGraph, topoOrder }, { readLock }, observe, stale] =
    await Promise.all([
      import("../lib/runner/cache/workspace.ts"),
      import("../lib/runner/spec/spec.ts"),
      import("../lib/runner/spec/graph.ts"),
      import("../lib/runner/cache/lock.ts"),
      import("../lib/runner/run/observe.ts"),
      import("../lib/runner/run/stale.ts"),
      import("../lib/runner/run/status.ts"),
      import("../tasks/_workspace.ts"),
    ]);
  const { nullLogger } = await import("../lib/log.ts");
  lap("imports");
  const ws = await openWorkspace({ root: Deno.cwd() }, nullLogger);
  lap("memo");
  const loaded = await spec.loadPipeline(ws.root, {
    file: ws.pipelineFile,
    cacheDir: ws.cacheDir,
    paramFiles: ws.paramFiles,
  });
  const graph = buildGraph(loaded);
  lap("loadPipeline");
  const lock = await readLock(ws.lockPath, { cacheDir: ws.cacheDir });
  lap("readLock");
  const dirs = new Set<string>();
  let observed = 0, files = 0;
  for (const name of topoOrder(graph)) {
    const stage = graph.stages.get(name)!;
    const obs = await observe.observeStage(ws, stage);
    for (const [path, info] of [...obs.depInfo, ...obs.outInfo]) {
      if (!info?.isDir) continue;
      observed++;
      if (!dirs.has(path)) files += info.nfiles ?? 0;
      dirs.add(path);
    }
    lap("observe");
    stale.whyStale({ stage, locked: lock.stages[name], observed: obs });
    lap("verdict");
  }
  await ws.close();
  lap("memoSave");
  ms.total = Object.values(ms).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ ms, dirWalks: { observed, distinct: dirs.size, files } }));
}

await child();
