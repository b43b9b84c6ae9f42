/**
 * No-op `status` on THIS project's own pipeline against `dvc status` on the
 * same file as `dvc.yaml` (issue 11's goal: at least 10x faster).
 *
 * ```sh
 * deno task bench status-own [--runs 15] [--keep] [--dvc-venv DIR]
 * ```
 *
 * Workspace: a copy of the repository's files (`git ls-files`) in a temp
 * folder, a git repository of its own. The stages, deps, outs and params keys
 * are the project's; only `params.yaml`'s training search is shrunk (tiny
 * networks, 2 epochs, no ensemble or refit) so that the one full `repro` the
 * setup needs takes seconds instead of minutes. A no-op status never reads
 * param values or out contents beyond their stat, so this does not change
 * what is timed. Ours: a full `repro`, then `status` with the `status` task's
 * permissions. DVC: a `cp -a` of the reproduced workspace, `dvc init`,
 * `pipeline.yaml` renamed `dvc.yaml`, `dvc commit -f` to record the outs
 * (nothing re-runs), then `dvc status`. Both must report "up to date". Runs
 * alternate between the two; medians and best; ratio DVC/ours.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { dvcContender, oursContender, REPO_ROOT } from "./_contenders.ts";
import { defaultVenvDir, ensureDvc, initDvcRepo } from "./_dvc.ts";
import { summarize, timeChecked } from "./_measure.ts";

const SHRINK: [RegExp, string][] = [
  [/^(\s*ensemble:)\s*\d+/m, "$1 1"],
  [/^(\s*epochs:)\s*\d+/m, "$1 2"],
  [/^(\s*refit:)\s*true/m, "$1 false"],
  [/^(\s*hidden:)\s*\[.*\]$/m, "$1 [[16]]"],
  [/^(\s*max_iter:)\s*\[.*\]$/m, "$1 [5]"],
  [/^(\s*n_estimators:)\s*\[.*\]$/m, "$1 [3]"],
];

async function sh(cwd: string, cmd: string): Promise<void> {
  const out = await new Deno.Command("sh", { args: ["-c", cmd], cwd, stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Run the benchmark; prints a table. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: "deno task bench status-own [--runs N] [--keep] [--dvc-venv DIR]",
    options: {
      runs: { type: "string" },
      keep: { type: "boolean" },
      "dvc-venv": { type: "string" },
    },
    maxPositionals: 0,
  });
  const runs = values.runs === undefined ? 15 : positiveInt(values.runs as string, "--runs");
  const tool = await ensureDvc({
    venvDir: (values["dvc-venv"] as string) ?? defaultVenvDir(),
    log,
  });
  if ("error" in tool) throw new Error(`DVC unavailable: ${tool.error}`);
  const tmp = await Deno.makeTempDir({ prefix: "threatline-status-own-" });
  try {
    const oursDir = join(tmp, "ours");
    const dvcDir = join(tmp, "dvc");
    await Deno.mkdir(oursDir);
    await sh(REPO_ROOT, `git ls-files -z | xargs -0 cp --parents -t '${oursDir}'`);
    let params = await Deno.readTextFile(join(oursDir, "params.yaml"));
    for (const [re, to] of SHRINK) params = params.replace(re, to);
    await Deno.writeTextFile(join(oursDir, "params.yaml"), params);
    await sh(
      oursDir,
      "git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm base",
    );
    await Deno.writeTextFile(join(tmp, "empty.ts"), "");
    const ours = await oursContender(oursDir, join(tmp, "empty.ts"));
    log.info("reproducing the project's pipeline once (shrunk search)", { dir: oursDir });
    await timeChecked(ours.repro, "repro");
    await sh(
      tmp,
      `cp -a ours dvc && cd dvc && rm -rf .cache pipeline.lock && mv pipeline.yaml dvc.yaml`,
    );
    await initDvcRepo(tool, dvcDir, { git: false, siteCacheDir: join(tmp, "dvc-site") });
    const dvc = dvcContender(dvcDir, tool, join(tmp, "dvc-site"));
    await timeChecked({ ...dvc.status, args: ["commit", "-f", "-q"] }, "dvc commit");
    const samples = { ours: [] as number[], dvc: [] as number[] };
    for (let i = 0; i < runs + 1; i++) {
      for (const c of [ours, dvc]) {
        const r = await timeChecked(c.status, `${c.name} status`, c.statusCodes);
        if (!c.statusIsNoop(r)) throw new Error(`${c.name} status is not a no-op:\n${r.stdout}`);
        if (i > 0) samples[c.name].push(r.seconds * 1000); // the first round warms both up
      }
    }
    const o = summarize(samples.ours), d = summarize(samples.dvc);
    const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "? ? ?")).split(" ")[0];
    console.log(`no-op status on the project's pipeline, ${runs} alternating runs, load ${load}:`);
    console.log(`  ours  median ${o.median.toFixed(0)} ms, best ${o.best.toFixed(0)} ms`);
    console.log(
      `  DVC   median ${d.median.toFixed(0)} ms, best ${d.best.toFixed(0)} ms (${tool.version})`,
    );
    console.log(
      `  DVC/ours: ${(d.median / o.median).toFixed(1)}x median, ${
        (d.best / o.best).toFixed(1)
      }x best`,
    );
    return 0;
  } finally {
    if (values.keep) log.info("kept", { dir: tmp });
    else await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
