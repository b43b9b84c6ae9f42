/**
 * Deps from the module graph: a stage dep on a local TypeScript/JavaScript
 * entry point (`stages/train.ts`) stands for the entry and every local module
 * it imports, directly or not. Each file of that closure becomes a dep of its
 * own — hashed, compared and recorded in pipeline.lock like a listed one — so
 * pipeline.yaml lists entry points only and a change to any imported file
 * makes exactly the stages that import it stale. Remote and `npm:` modules
 * are not deps (their versions are pinned by deno.lock, itself a file a stage
 * may list).
 *
 * The closure comes from `deno info --json` (the same resolution `deno run`
 * uses: import maps, `.ts` extensions). It is cached in
 * `<cache>/module_deps.json` with the hash of every file in it; a cached
 * closure is reused while all its files keep their hashes (through the stat
 * memo: a no-op `status` only stats them), and recomputed when any changed,
 * since a changed file may import something new.
 *
 * @module
 */
import { isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../errors.ts";
import { writeFileAtomic } from "../../atomic.ts";
import { hashPath } from "../cache/hash.ts";
import type { HashMemo } from "../cache/hash_memo.ts";
import type { PipelineSpec, SpecLocation, StageSpec } from "./spec_types.ts";

/** File endings of deps that are expanded to their import closure. */
export const MODULE_EXTENSIONS = [".ts", ".tsx", ".mts", ".js", ".mjs"] as const;

/** Options of {@linkcode expandModuleDeps}. */
export interface ExpandModuleDepsOptions {
  /** The runner's cache folder: the closures are cached there (default: not cached). */
  cacheDir?: string;
  /** Stat memo of file hashes (validating a cached closure then only stats). */
  memo?: HashMemo;
  /** Resolve an entry's local closure (default: `deno info --json`); tests. */
  resolve?: (root: string, entry: string) => Promise<string[]>;
}

interface CacheFile {
  version: 1;
  /** entry -> (file in its closure -> content hash). */
  entries: Record<string, Record<string, string>>;
}

const CACHE_NAME = "module_deps.json";

/** Whether a dep path names a module entry point (by its file ending). */
export function isModuleDep(path: string): boolean {
  return MODULE_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/**
 * The spec with each stage's module deps expanded to their local import
 * closures (entry first, then the imported files sorted; a file listed by hand
 * too is kept once). Deps produced by a stage are left as they are. A module
 * graph that does not resolve (a missing import, a syntax error) is a
 * {@linkcode ConfigError} naming the entry and the stage.
 *
 * @example
 * ```ts ignore
 * import { loadPipeline } from "./spec.ts";
 * import { expandModuleDeps } from "./module_deps.ts";
 * const spec = await expandModuleDeps(".", await loadPipeline("."), { cacheDir: ".cache" });
 * spec.byName.get("train")!.deps; // ["stages/train.ts", "lib/cli.ts", "lib/errors.ts", …]
 * ```
 */
export async function expandModuleDeps(
  root: string,
  spec: PipelineSpec,
  options: ExpandModuleDepsOptions = {},
): Promise<PipelineSpec> {
  const produced = new Set(spec.stages.flatMap((s) => s.outs.map((o) => o.path)));
  const entries = [
    ...new Set(
      spec.stages.flatMap((s) => s.deps.filter((d) => isModuleDep(d) && !produced.has(d))),
    ),
  ];
  if (entries.length === 0) return spec;
  const cachePath = options.cacheDir ? join(options.cacheDir, CACHE_NAME) : undefined;
  const cache = await readCache(cachePath);
  const resolve = options.resolve ?? denoInfoClosure;
  let changed = false;
  const closures = new Map<string, string[]>();
  await Promise.all(entries.map(async (entry) => {
    const hashOf = async (p: string) =>
      (await hashPath(join(root, p), { memo: options.memo }))?.hash;
    const cached = cache.entries[entry];
    if (cached && await allSame(cached, hashOf)) {
      closures.set(entry, Object.keys(cached));
      return;
    }
    let files: string[];
    try {
      files = await resolve(root, entry);
    } catch (err) {
      const stage = spec.stages.find((s) => s.deps.includes(entry))!;
      throw new ConfigError(`the module graph of dep '${entry}' does not resolve`, {
        file: spec.file,
        stage: stage.name,
        field: "deps",
        ...depLocation(stage, entry),
        cause: err,
        hint: `${(err as Error).message.split("\n").slice(0, 3).join(" ")} ` +
          "(check with `deno info " + entry + "`)",
      });
    }
    const hashes: Record<string, string> = {};
    for (const f of [entry, ...files.filter((f) => f !== entry).sort()]) {
      const h = await hashOf(f);
      if (h) hashes[f] = h;
    }
    cache.entries[entry] = hashes;
    closures.set(entry, Object.keys(hashes));
    changed = true;
  }));
  const unused = Object.keys(cache.entries).filter((e) => !closures.has(e));
  for (const e of unused) delete cache.entries[e];
  if ((changed || unused.length > 0) && cachePath) {
    await writeFileAtomic(cachePath, JSON.stringify(cache) + "\n").catch(() => {
      // only a cache: the next command resolves again
    });
  }
  const stages = spec.stages.map((s) => expandStage(s, closures));
  return { ...spec, stages, byName: new Map(stages.map((s) => [s.name, s])) };
}

function expandStage(stage: StageSpec, closures: Map<string, string[]>): StageSpec {
  if (!stage.deps.some((d) => closures.has(d))) return stage;
  const deps: string[] = [];
  const depWhere: SpecLocation[] = [];
  const seen = new Set<string>();
  stage.deps.forEach((dep, i) => {
    for (const path of closures.get(dep) ?? [dep]) {
      if (seen.has(path)) continue;
      seen.add(path);
      deps.push(path);
      const where = stage.depWhere?.[i];
      if (where) depWhere.push(where);
    }
  });
  return { ...stage, deps, ...(stage.depWhere ? { depWhere } : {}) };
}

function depLocation(stage: StageSpec, dep: string): Partial<SpecLocation> {
  const where = stage.depWhere?.[stage.deps.indexOf(dep)];
  return where ? { line: where.line, column: where.column } : {};
}

async function allSame(
  hashes: Record<string, string>,
  hashOf: (p: string) => Promise<string | undefined>,
): Promise<boolean> {
  for (const [path, hash] of Object.entries(hashes)) {
    if (await hashOf(path) !== hash) return false;
  }
  return true;
}

async function readCache(path: string | undefined): Promise<CacheFile> {
  const empty: CacheFile = { version: 1, entries: {} };
  if (!path) return empty;
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return value?.version === 1 && typeof value.entries === "object" ? value : empty;
  } catch {
    return empty; // missing or unreadable: resolve again
  }
}

/**
 * The local files `entry` imports, directly or not, relative to `root`
 * (`deno info --json`, run in `root` so its deno.json import map applies).
 * Files outside `root` are left out.
 *
 * @example
 * ```ts ignore
 * import { denoInfoClosure } from "./module_deps.ts";
 * await denoInfoClosure(".", "stages/ingest.ts"); // ["lib/cli.ts", …, "stages/ingest.ts"]
 * ```
 */
export async function denoInfoClosure(root: string, entry: string): Promise<string[]> {
  const args = ["info", "--json", entry];
  const run = (bin: string) =>
    new Deno.Command(bin, { args, cwd: root, stdout: "piped", stderr: "piped", stdin: "null" })
      .output();
  let out: Deno.CommandOutput;
  try {
    out = await run("deno");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    out = await run(Deno.execPath());
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(new TextDecoder().decode(out.stderr).trim() || "deno info failed");
  }
  const info = JSON.parse(text) as { modules?: { specifier: string; error?: string }[] };
  const files: string[] = [];
  for (const m of info.modules ?? []) {
    if (m.error) throw new Error(`${m.specifier}: ${m.error}`);
    if (!m.specifier.startsWith("file://")) continue;
    const rel = relative(root, fileURLToPath(m.specifier));
    if (rel.startsWith("..") || isAbsolute(rel)) continue;
    files.push(rel.split(sep).join("/"));
  }
  return files.sort();
}
