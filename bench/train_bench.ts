/**
 * `deno task bench train [--sets nslkdd,synth] [--runs 3] [--rows 1000000] [--nsl-kdd DIR]`:
 * our whole train stage, and our gbdt learner alone, against scikit-learn's
 * HistGradientBoostingClassifier (default settings, early stopping on) on
 * the same rows, each in its own process, alternating contenders run by run.
 *
 * Sets (bench/_train_data.ts): NSL-KDD `KDDTrain+.txt` (read from the shared
 * data folder, never from the product: `--nsl-kdd`, default the first of
 * `../shared/data/nsl-kdd`, `../../shared/data/nsl-kdd` that exists; its 3
 * categorical columns are category codes for every contender, declared
 * native to HGB) and a synthetic 1,000,000 x 80 numeric matrix. 20% of each
 * set's rows are held out; every contender fits on the other 80% and is
 * scored (ROC-AUC) on the held-out rows.
 *
 * Contenders:
 * - `stage`: `deno run stages/train.ts` on a train.mat of the fit rows with
 *   the repo's params.yaml `train` section (the whole budgeted search, the
 *   validation split, refit, release); seconds = the process, spawn to exit;
 * - `stage-base`: the same stage from another checkout (`--base DIR`, e.g.
 *   `git archive main | tar -x -C /tmp/base`), for before/after ratios in
 *   one invocation; both stages' logs give seconds per rung and family
 *   (bench/_train_phases.ts, in each run's record);
 * - `learner`: bench/_train_learner.ts, our gbdt with HGB's default settings,
 *   histogram workers on every core; seconds = binning + boosting;
 *   `learner-1t`: the same on one thread (the default is the cores, lib/learn/_gbdt.ts);
 * - `hgb`: bench/train_reference.py; seconds = the `fit` call; `hgb-1t`: the
 *   same with OMP_NUM_THREADS=1 (our learner is single-threaded; on a shared
 *   machine HGB's OpenMP threads also suffer most from other load).
 *
 * Peak RSS is each process's (VmHWM / ru_maxrss). The one-minute load
 * average is recorded before every run: the machine may be shared, so read
 * the ratios of alternated runs, not single numbers. Results go to
 * `bench/out/train/results.json`.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { stringify } from "yaml";
import { parseArgs, positiveInt } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import { ConfigError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { writeMatrix } from "../lib/learn/matrix.ts";
import { rocAuc } from "../lib/reports/metrics.ts";
import { loadReleasedModel } from "../lib/learn/model_io.ts";
import { takeRows } from "../lib/learn/models.ts";
import { readYaml } from "../lib/yaml.ts";
import { summarize } from "./_measure.ts";
import { nslKdd, readBenchData, synthetic, writeBenchData } from "./_train_data.ts";
import { stagePhases } from "./_train_phases.ts";

const USAGE =
  "deno task bench train [--sets nslkdd,synth] [--runs 3] [--rows 1000000] [--nsl-kdd DIR] [--contenders stage,stage-base,learner,learner-1t,hgb,hgb-1t] [--base DIR]";
const OUT = "bench/out/train";

interface Sample {
  set: string;
  contender: string;
  run: number;
  load1: number;
  seconds: number;
  peak_rss_mib: number;
  roc_auc: number;
  trees?: number;
  /** `stage`, `stage-base`: seconds per rung and family, and after the search (bench/_train_phases.ts). */
  phases?: Record<string, number>;
}

async function prepare(set: string, rows: number, nslDir: string, log: Logger): Promise<string> {
  const stem = `${OUT}/${set === "synth" ? `synth${rows}` : "nslkdd"}`;
  if (!existsSync(`${stem}.json`)) {
    log.info("writing bench data", { set, stem });
    const d = set === "synth" ? synthetic(rows, 80, 1) : await nslKdd(nslDir);
    await writeBenchData(stem, d);
  }
  // The stage's input: train.mat of the fit rows, and a stand-in preprocess.json
  // (the stage only copies it into the release).
  const dir = `${stem}-stage`;
  if (!existsSync(`${dir}/train.mat`) || !existsSync(`${dir}/preprocess.json`)) {
    const { matrix, holdout } = await readBenchData(stem);
    const held = new Uint8Array(matrix.rows);
    for (const i of holdout) held[i] = 1;
    const fit: number[] = [];
    for (let i = 0; i < matrix.rows; i++) if (!held[i]) fit.push(i);
    await Deno.mkdir(dir, { recursive: true });
    await writeMatrix(`${dir}/train.mat`, takeRows(matrix, fit));
    // The multiclass hook reads the schema's target: binary here.
    const stand = { bench: set, schema: { target: { column: "label", mode: "binary" } } };
    await Deno.writeTextFile(`${dir}/preprocess.json`, JSON.stringify(stand) + "\n");
  }
  return stem;
}

async function run(program: string, args: string[], env?: Record<string, string>) {
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "peak_kb=%M", program, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const stdout = new TextDecoder().decode(out.stdout),
    stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) {
    throw new Error(`${program} ${args.join(" ")} failed:\n${stderr.slice(-2000)}`);
  }
  const peak = Number(/peak_kb=(\d+)/.exec(stderr)?.[1] ?? 0) * 1024;
  return { seconds, stdout, stderr, peak };
}

/** `base`: another checkout whose stages/train.ts runs (contender `stage-base`), for before/after. */
async function stage(
  stem: string,
  base?: string,
): Promise<Omit<Sample, "set" | "contender" | "run" | "load1">> {
  const dir = `${stem}-stage`, tag = base ? "-base" : "";
  const params = await readYaml("params.yaml");
  const train = (params.value as { train: unknown }).train;
  await Deno.writeTextFile(`${dir}/params.yaml`, stringify({ train }));
  const r = await run(Deno.execPath(), [
    "run",
    "-A",
    base ? `${base}/stages/train.ts` : "stages/train.ts",
    "--params",
    `${dir}/params.yaml`,
    "--data",
    dir,
    "--model",
    `${dir}/model${tag}`,
    "--out",
    `${dir}/out${tag}`,
  ], { LOG_STREAM: "stderr" });
  await Deno.writeTextFile(`${dir}/stage${tag}.log`, r.stderr);
  const { matrix, holdout } = await readBenchData(stem);
  const test = takeRows(matrix, holdout);
  const model = await loadReleasedModel(`${dir}/model${tag}`);
  const auc = rocAuc(test.labels, model.predictProba(test.data, test.rows));
  const phases = stagePhases(r.stderr);
  return { seconds: r.seconds, peak_rss_mib: r.peak / 2 ** 20, roc_auc: auc, phases };
}

async function child(contender: string, stem: string) {
  const r = contender.startsWith("learner")
    ? await run(Deno.execPath(), [
      "run",
      "-A",
      "bench/_train_learner.ts",
      stem,
      contender === "learner-1t" ? "1" : String(navigator.hardwareConcurrency || 1),
    ])
    : await run("python3", ["bench/train_reference.py", stem], {
      ...(contender === "hgb-1t" ? { OMP_NUM_THREADS: "1" } : {}),
    });
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return {
    seconds: j.fit_seconds as number,
    peak_rss_mib: r.peak / 2 ** 20,
    roc_auc: j.roc_auc as number,
    trees: j.trees as number,
  };
}

/**
 * Run the benchmark; prints a table per set.
 *
 * @example
 * ```ts ignore
 * await main(["--sets", "nslkdd", "--runs", "1"], log);
 * ```
 */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    maxPositionals: 0,
    options: {
      sets: { type: "string" },
      runs: { type: "string" },
      rows: { type: "string" },
      "nsl-kdd": { type: "string" },
      contenders: { type: "string" },
      base: { type: "string" },
    },
  });
  const sets = ((values.sets as string | undefined) ?? "nslkdd,synth").split(",");
  const runs = values.runs ? positiveInt(values.runs as string, "--runs") : 3;
  const rows = values.rows ? positiveInt(values.rows as string, "--rows") : 1_000_000;
  const contenders =
    ((values.contenders as string | undefined) ?? "stage,learner,learner-1t,hgb,hgb-1t")
      .split(",");
  const nslDir = (values["nsl-kdd"] as string | undefined) ??
    ["../shared/data/nsl-kdd", "../../shared/data/nsl-kdd"].find((d) => existsSync(d)) ??
    "../shared/data/nsl-kdd";
  await Deno.mkdir(OUT, { recursive: true });
  const base = values.base as string | undefined;
  if (contenders.includes("stage-base") && !base) {
    throw new ConfigError("contender stage-base needs --base DIR (a checkout to compare with)");
  }
  const samples: Sample[] = [];
  for (const set of sets) {
    const stem = await prepare(set, rows, nslDir, log);
    for (let r = 0; r < runs; r++) {
      // Rotate the order run by run, so no contender always goes first.
      const order = contenders.map((_, k) => contenders[(k + r) % contenders.length]);
      for (const c of order) {
        const load1 = Deno.loadavg()[0];
        const s = c === "stage"
          ? await stage(stem)
          : c === "stage-base"
          ? await stage(stem, base)
          : await child(c, stem);
        samples.push({ set, contender: c, run: r + 1, load1, ...s });
        log.info("run", { set, contender: c, run: r + 1, load1, ...s });
      }
    }
  }
  const lines: string[] = [];
  for (const set of sets) {
    const of = (c: string) => samples.filter((s) => s.set === set && s.contender === c);
    const hgbRuns = of("hgb").map((s) => s.seconds);
    const hgb = hgbRuns.length > 0 ? summarize(hgbRuns).median : 0;
    lines.push(
      `${set}: median of ${runs} alternated runs (load avg 1 min: ${
        samples.filter((s) => s.set === set).map((s) => s.load1.toFixed(1)).join(" ")
      })`,
    );
    lines.push("  contender   seconds  x hgb   peak MiB  ROC-AUC (held out)");
    for (const c of contenders) {
      const ss = of(c);
      if (ss.length === 0) continue;
      const sec = summarize(ss.map((s) => s.seconds)).median;
      const mib = summarize(ss.map((s) => s.peak_rss_mib)).median;
      const auc = summarize(ss.map((s) => s.roc_auc)).median;
      lines.push(
        `  ${c.padEnd(10)} ${sec.toFixed(2).padStart(8)} ${
          hgb ? (sec / hgb).toFixed(2).padStart(6) : "     -"
        } ${mib.toFixed(0).padStart(10)}  ${auc.toFixed(6)}`,
      );
    }
  }
  for (const l of lines) console.log(l);
  const file = `${OUT}/results.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({ date: new Date().toISOString(), samples, table: lines }, null, 1) + "\n",
  );
  log.info("results", { file });
  return 0;
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
