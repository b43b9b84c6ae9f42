/**
 * `deno run -A bench/repro_bench.ts [--base REV] [--runs 2] [--base-jobs N] [--head-jobs N]`: the whole
 * `deno task repro` of the bundled data as issue 10 measures it — a fresh
 * `git clone` of this repository at REV (default `main`) and at HEAD, each
 * with an empty `THREATLINE_CACHE_DIR` under /tmp, alternated `--runs` times
 * each (base first). Prints each run's per-stage seconds (the runner's `done
 * stage=… seconds=…` lines) and wall seconds, then fails unless every run
 * wrote the same artifacts (md5 of every file under `artifacts/`). With
 * `--base-jobs` / `--head-jobs`, that side runs `deno task repro --jobs N`
 * (e.g. `--base HEAD --head-jobs 2`: one revision, serial against two
 * stages at a time). Meant to
 * run under `flock /work/wt/bench.lock` on this shared machine.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createHash } from "node:crypto";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string", default: "main" },
    runs: { type: "string", default: "2" },
    "base-jobs": { type: "string" },
    "head-jobs": { type: "string" },
  },
});
const git = (args: string[], cwd = ".") => {
  const out = new Deno.Command("git", { args, cwd, stdout: "piped" }).outputSync();
  if (!out.success) throw new Error(`git ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout).trim();
};
const repo = git(["rev-parse", "--show-toplevel"]);
const revs = { base: git(["rev-parse", values.base!]), head: git(["rev-parse", "HEAD"]) };

function artifactSums(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const e of [...Deno.readDirSync(d)].sort((a, b) => a.name < b.name ? -1 : 1)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else lines.push(`${createHash("md5").update(Deno.readFileSync(p)).digest("hex")} ${p}`);
    }
  };
  walk(`${dir}/artifacts`);
  return lines.map((l) => l.replace(`${dir}/`, "")).join("\n");
}

const sums = new Set<string>();
for (let run = 1; run <= Number(values.runs); run++) {
  for (const [name, rev] of Object.entries(revs)) {
    const dir = `/tmp/repro_bench-${name}`, cache = `/tmp/repro_bench-${name}-cache`;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(cache, { recursive: true }).catch(() => {});
    git(["clone", "-q", repo, dir]);
    git(["checkout", "-q", rev], dir);
    const load = Deno.loadavg()[0].toFixed(2);
    const start = performance.now();
    const jobs = values[`${name}-jobs` as "base-jobs" | "head-jobs"];
    const out = await new Deno.Command("deno", {
      args: ["task", "repro", ...(jobs ? ["--jobs", jobs] : [])],
      cwd: dir,
      env: { THREATLINE_CACHE_DIR: cache },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const wall = (performance.now() - start) / 1000;
    const log = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    if (!out.success) throw new Error(`${name} run ${run} failed:\n${log.slice(-2000)}`);
    const stages = [...log.matchAll(/done stage=(\S+) progress=\S+ seconds=([\d.]+)/g)]
      .map((m) => `${m[1]} ${Number(m[2]).toFixed(1)}`);
    console.log(
      `${name} ${rev.slice(0, 7)}${jobs ? ` --jobs ${jobs}` : ""} run ${run}: wall ${
        wall.toFixed(1)
      } s, load ${load} at start`,
    );
    console.log(`  ${stages.join(", ")}`);
    sums.add(artifactSums(dir));
  }
}
console.log(sums.size === 1 ? "artifacts identical in every run" : "ARTIFACTS DIFFER");
if (sums.size !== 1) Deno.exit(1);
