/**
 * pipeline.yaml must declare, as deps of each stage, every local module that
 * the stage's script imports — otherwise a code change would not make the
 * stage stale. The module graph comes from `deno info --json`.
 */
import { deepStrictEqual } from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPipeline } from "../lib/pipeline/spec.ts";
import { isInside } from "../lib/pipeline/paths.ts";
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

Deno.test("every stage declares the local modules its script imports as deps", async () => {
  const spec = await loadPipeline(REPO);
  const missing: Record<string, string[]> = {};
  for (const stage of spec.stages) {
    const scripts = stage.cmd.join(" ").match(/stages\/[\w.-]+\.ts/g) ?? [];
    for (const script of scripts) {
      for (const mod of await localModules(script)) {
        const covered = stage.deps.some((d) => d === mod || isInside(mod, d));
        if (!covered) (missing[stage.name] ??= []).push(mod);
      }
    }
  }
  deepStrictEqual(missing, {}, "add these to the stages' deps in pipeline.yaml");
});
