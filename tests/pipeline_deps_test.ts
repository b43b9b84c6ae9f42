/**
 * pipeline.yaml lists each stage's entry point (its script) and the runner
 * expands it to the script's local import closure (lib/runner/spec/module_deps.ts),
 * so a code change makes exactly the stages that import it stale. Checked
 * here against `deno info --json` run independently: every local module of
 * every stage script is a dep of the loaded stage, and pipeline.yaml itself
 * lists no imported module by hand.
 */
import { deepStrictEqual } from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadPipeline } from "../lib/runner/spec/spec.ts";
import { REPO } from "./_workspace.ts";

async function localModules(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules
    .map((m) => m.specifier)
    .filter((s) => s.startsWith("file://"))
    .map((s) => relative(REPO, fileURLToPath(s)))
    .sort();
}

Deno.test("each stage's script expands to every local module it imports, and only those", async () => {
  const spec = await loadPipeline(REPO);
  const raw = parse(await Deno.readTextFile(`${REPO}/pipeline.yaml`)) as {
    stages: Record<string, { deps?: string[] }>;
  };
  const params = parse(await Deno.readTextFile(`${REPO}/params.yaml`));
  // `${a.b}` names a params value: a path, or a list of paths (flattened, as the runner does).
  const interpolate = (dep: string): string[] => {
    const key = dep.match(/^\$\{([\w.]+)\}$/)?.[1];
    if (!key) return [dep];
    const value = key.split(".").reduce((v, k) => v?.[k], params);
    return Array.isArray(value) ? value.map(String) : [String(value)];
  };
  for (const stage of spec.stages) {
    const listed = (raw.stages[stage.name].deps ?? []).flatMap(interpolate);
    const scripts: string[] = stage.cmd.join(" ").match(/stages\/[\w.-]+\.ts/g) ?? [];
    const expected = new Set(listed.filter((d) => !d.endsWith(".ts")));
    for (const script of scripts) for (const mod of await localModules(script)) expected.add(mod);
    deepStrictEqual(
      [...stage.deps].sort(),
      [...expected].sort(),
      `stage ${stage.name}: deps should be its listed data deps plus its scripts' module graph`,
    );
    deepStrictEqual(
      listed.filter((d) => d.endsWith(".ts") && !scripts.includes(d)),
      [],
      `stage ${stage.name}: list entry points only in pipeline.yaml`,
    );
  }
});
