/**
 * Benchmark `predict`: batch scoring of a CSV of `--rows` rows (default
 * 1,000,000) resampled (seeded) from data/phishing_websites.csv, end to end
 * as a user runs it — one process, start-up included:
 *
 * - ours: `deno run <the predict task's flags> tasks/predict.ts IN --out OUT
 *   --workers N` for each `--workers` value (default 2 and 1);
 * - the reference: `python bench/predict_reference.py predict` (pandas
 *   `read_csv`, a scikit-learn model of the released model's kind — an
 *   MLPClassifier of the network's hidden widths after a StandardScaler, a
 *   LogisticRegression, or HistGradientBoosting / ExtraTrees for the tree
 *   families — fitted beforehand on the dataset, `predict_proba`, `to_csv`),
 *   in a virtualenv outside the repository
 *   (`~/.cache/threatline/bench-venv`, pandas and scikit-learn installed from
 *   PyPI on first use).
 *
 * Figures per contender, over `--runs` alternating runs: wall time (median,
 * best), rows/s of the median, and peak RSS (GNU time's max RSS, or /proc
 * polling where GNU time is missing). Goals: ours ≥ 500,000 rows/s and ≥ 2x
 * the reference. Prints a table with the date, machine, load and command;
 * writes `bench/out/predict-<time>.json`.
 *
 * ```sh
 * deno task bench predict [--rows 1000000] [--runs 3] [--workers 2,1] [--model artifacts/model]
 *   [--venv DIR] [--no-reference] [--keep]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "../lib/args.ts";
import { runMain } from "../lib/cli.ts";
import type { Logger } from "../lib/log.ts";
import { createRng } from "../lib/rng.ts";
import { REPO_ROOT, taskFlags } from "./_contenders.ts";
import { summarize } from "./_measure.ts";
import { machineInfo } from "./_report.ts";

const USAGE = "deno task bench predict [--rows N] [--runs N] [--workers 2,1] [--model DIR] " +
  "[--venv DIR] [--no-reference] [--keep]";

/** The reference's packages, pinned (scikit-learn as the serve benchmark's). */
export const REFERENCE_PACKAGES = ["pandas==3.1.1", "scikit-learn==1.9.1"];

/** The proposed task flags, until deno.json has a `predict` task. */
const FALLBACK_FLAGS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env=LOG_TOKENS,LOG_STREAM,HOME,USERPROFILE,HOMEPATH,HOMEDRIVE,AWS_*,MLFLOW_*,_X_AMZN_TRACE_ID",
  "--allow-sys=osRelease",
];

/**
 * Write `rows` rows drawn with replacement (seeded) from the dataset.
 *
 * @example
 * ```ts ignore
 * await resampleCsv("data/phishing_websites.csv", "/tmp/in.csv", 1_000_000, 1);
 * ```
 */
export async function resampleCsv(
  source: string,
  target: string,
  rows: number,
  seed: number,
): Promise<void> {
  const lines = (await Deno.readTextFile(source)).trimEnd().split("\n");
  const body = lines.slice(1);
  const rng = createRng(seed);
  const file = await Deno.open(target, { write: true, create: true, truncate: true });
  const w = file.writable.getWriter();
  const enc = new TextEncoder();
  let block = lines[0] + "\n";
  for (let i = 0; i < rows; i++) {
    block += body[rng.int(body.length)] + "\n";
    if (block.length >= 1 << 20) {
      await w.write(enc.encode(block));
      block = "";
    }
  }
  await w.write(enc.encode(block));
  await w.close();
}

/** One timed run: wall seconds and peak RSS in MiB. */
interface Sample {
  seconds: number;
  rssMiB: number;
}

const GNU_TIME = "/usr/bin/time";

async function hasGnuTime(): Promise<boolean> {
  try {
    const r = await new Deno.Command(GNU_TIME, { args: ["-f", "%M", "true"], stderr: "piped" })
      .output();
    return r.success;
  } catch {
    return false;
  }
}

/** Run a command to completion: wall time from spawn to exit, and its peak RSS. */
async function timed(program: string, args: string[], cwd: string, gnuTime: boolean) {
  const rssFile = await Deno.makeTempFile();
  const [prog, argv] = gnuTime
    ? [GNU_TIME, ["-f", "%M", "-o", rssFile, program, ...args]]
    : [program, args];
  const t0 = performance.now();
  const child = new Deno.Command(prog, { args: argv, cwd, stdout: "null", stderr: "piped" })
    .spawn();
  let polled = 0;
  const poll = gnuTime ? undefined : setInterval(async () => {
    try {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      polled = Math.max(polled, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch { /* exited */ }
  }, 10);
  const out = await child.output();
  const seconds = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  const kib = gnuTime
    ? Number((await Deno.readTextFile(rssFile)).trim().split("\n").at(-1))
    : polled;
  await Deno.remove(rssFile);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${program} failed (${out.code}):\n${stderr.slice(-2000)}`);
  return { seconds, rssMiB: kib / 1024, stderr };
}

async function run(program: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
    const t = new TextDecoder();
    return { ok: r.success, out: (t.decode(r.stdout) + t.decode(r.stderr)).trim() };
  } catch (err) {
    return { ok: false, out: (err as Error).message };
  }
}

/** The reference virtualenv (created and installed on first use), or why there is none. */
async function ensureVenv(venv: string, log: Logger) {
  const python = join(venv, "bin", "python");
  const probe = 'import json, sys, pandas, sklearn, numpy; print(json.dumps({"python": ' +
    'sys.version.split()[0], "pandas": pandas.__version__, "scikit-learn": sklearn.__version__, ' +
    '"numpy": numpy.__version__}))';
  const versions = async () => {
    const r = await run(python, ["-c", probe]);
    return r.ok ? JSON.parse(r.out.split("\n").at(-1)!) as Record<string, string> : undefined;
  };
  let v = await versions();
  const pinned = (x: Record<string, string>) =>
    REFERENCE_PACKAGES.every((p) => x[p.split("==")[0]] === p.split("==")[1]);
  if (!v || !pinned(v)) {
    if (!(await run(python, ["--version"])).ok) {
      log.info("creating the reference virtualenv", { dir: venv });
      const made = await run("python3", ["-m", "venv", venv]);
      if (!made.ok) return { error: `python3 -m venv failed: ${made.out.slice(-300)}` };
    }
    log.info("installing the reference's packages from PyPI", { packages: REFERENCE_PACKAGES });
    const pip = await run(python, [
      ...["-m", "pip", "install", "--quiet", "--disable-pip-version-check"],
      ...REFERENCE_PACKAGES,
    ]);
    if (!pip.ok) return { error: `pip install failed: ${pip.out.slice(-300)}` };
    v = await versions();
    if (!v) return { error: "pandas/scikit-learn do not import after installing" };
  }
  return { python, versions: v };
}

/**
 * The reference's model kind for the release: an MLP of the network's hidden
 * widths (from its weights manifest), a logistic regression, or the tree
 * family with its size.
 */
async function referenceKind(modelDir: string): Promise<string> {
  const card = JSON.parse(await Deno.readTextFile(join(modelDir, "card.json")));
  const config = card.config ?? {};
  const family: string = card.family ?? config.family;
  if (family === "gbdt") return `gbdt:${config.maxIter ?? 100}`;
  if (family === "extra_trees") return `extra_trees:${config.trees ?? config.nTrees ?? 100}`;
  const json = JSON.parse(await Deno.readTextFile(join(modelDir, "model.json")));
  const kernels = json.weightsManifest
    .flatMap((g: { weights: { name: string; shape: number[] }[] }) => g.weights)
    .filter((w: { name: string }) => w.name.endsWith("/kernel"));
  const hidden = kernels.slice(0, -1).map((w: { shape: number[] }) => w.shape[1]);
  return hidden.length === 0 ? "logreg" : `mlp:${hidden.join(",")}`;
}

const int = (n: number) => Math.round(n).toLocaleString("en");

/**
 * Run the benchmark; returns an exit code (1 when a goal is missed).
 *
 * @example
 * ```ts ignore
 * import { main } from "./predict_bench.ts";
 * await main(["--rows", "200000", "--runs", "1", "--no-reference"], log);
 * ```
 */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    options: {
      rows: { type: "string" },
      runs: { type: "string" },
      workers: { type: "string" },
      model: { type: "string" },
      venv: { type: "string" },
      "no-reference": { type: "boolean" },
      keep: { type: "boolean" },
    },
    maxPositionals: 0,
  });
  const rows = Number(values.rows ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const workers = String(values.workers ?? "2,1").split(",").map(Number);
  const model = join(REPO_ROOT, (values.model as string | undefined) ?? "artifacts/model");
  const home = Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? "/tmp", ".cache");
  const venv = (values.venv as string | undefined) ?? join(home, "threatline", "bench-venv");
  const machine = await machineInfo();
  const dir = await Deno.makeTempDir({ prefix: "predict_bench_" });
  try {
    const input = join(dir, `input_${rows}.csv`);
    log.info("generating the input", { rows, file: input });
    await resampleCsv(join(REPO_ROOT, "data/phishing_websites.csv"), input, rows, 20261124);
    const size = (await Deno.stat(input)).size;
    let flags = FALLBACK_FLAGS;
    try {
      flags = (await taskFlags("predict")).flags;
    } catch { /* no task yet: the proposed flags */ }
    const ours = (w: number) => ({
      name: `ours, ${w} worker${w === 1 ? "" : "s"}`,
      program: Deno.execPath(),
      args: [
        "run",
        "--config",
        join(REPO_ROOT, "deno.json"),
        ...flags,
        join(REPO_ROOT, "tasks/predict.ts"),
        input,
        "--model",
        model,
        "--out",
        join(dir, `ours_${w}.csv`),
        "--workers",
        String(w),
      ],
    });
    const contenders = workers.map(ours);
    let referenceNote: string | undefined;
    if (!values["no-reference"]) {
      const ref = await ensureVenv(venv, log);
      if ("error" in ref) {
        referenceNote = `reference unavailable: ${ref.error}`;
        log.warn(referenceNote);
      } else {
        machine.versions = { ...machine.versions, ...ref.versions };
        const script = join(REPO_ROOT, "bench/predict_reference.py");
        const kind = await referenceKind(model);
        log.info("fitting the reference model (not timed)", { kind });
        const pkl = join(dir, "reference.pkl");
        const fit = await run(ref.python, [
          script,
          "fit",
          join(REPO_ROOT, "data/phishing_websites.csv"),
          kind,
          pkl,
        ]);
        if (!fit.ok) throw new Error(`reference fit failed: ${fit.out.slice(-1000)}`);
        contenders.push({
          name: `pandas + scikit-learn ${kind}`,
          program: ref.python,
          args: [script, "predict", pkl, input, join(dir, "reference.csv")],
        });
      }
    }
    const gnuTime = await hasGnuTime();
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    const loadBefore = Deno.loadavg();
    for (let r = 0; r < runs; r++) {
      for (const c of contenders) {
        const s = await timed(c.program, c.args, dir, gnuTime);
        samples.get(c.name)!.push(s);
        log.info("run", {
          contender: c.name,
          run: r + 1,
          seconds: s.seconds.toFixed(2),
          rss_mib: Math.round(s.rssMiB),
        });
      }
    }
    const loadAfter = Deno.loadavg();
    const results = contenders.map((c) => {
      const ss = samples.get(c.name)!;
      const wall = summarize(ss.map((s) => s.seconds));
      const rss = summarize(ss.map((s) => s.rssMiB));
      return { name: c.name, wall, rowsPerSecond: rows / wall.median, peakRssMiB: rss.median };
    });
    const reference = results.find((r) => r.name.startsWith("pandas"));
    const best = results.filter((r) => r.name.startsWith("ours"))
      .reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
    const date = new Date().toISOString();
    const lines = [
      `predict benchmark, ${date}: ${int(rows)} rows (${(size / 2 ** 20).toFixed(1)} MiB CSV, ` +
      `data/phishing_websites.csv resampled, seed 20261124), ${runs} alternating runs each`,
      `machine: ${machine.nproc} cores ${machine.cpu}, ${machine.memGiB} GiB; load ${
        loadBefore.map((v) => v.toFixed(2)).join(" ")
      } before, ${loadAfter.map((v) => v.toFixed(2)).join(" ")} after; ${
        Object.entries(machine.versions).map(([k, v]) => `${k} ${v}`).join(", ")
      }`,
      `command: deno task bench predict ${args.join(" ")}`.trimEnd(),
      "",
      "| contender | wall s (median / best) | rows/s (median) | peak RSS MiB | vs reference |",
      "| --- | --- | ---: | ---: | ---: |",
      ...results.map((r) =>
        `| ${r.name} | ${r.wall.median.toFixed(2)} / ${r.wall.best.toFixed(2)} | ${
          int(r.rowsPerSecond)
        } | ${int(r.peakRssMiB)} | ${
          reference ? `${(r.rowsPerSecond / reference.rowsPerSecond).toFixed(2)}x` : "—"
        } |`
      ),
      "",
    ];
    const goalRate = best.rowsPerSecond >= 500_000;
    const goalRatio = reference ? best.rowsPerSecond >= 2 * reference.rowsPerSecond : undefined;
    lines.push(
      `goal ≥ 500,000 rows/s end to end: ${goalRate ? "met" : "MISSED"} (${best.name}: ${
        int(best.rowsPerSecond)
      })`,
      reference
        ? `goal ≥ 2x the reference: ${goalRatio ? "met" : "MISSED"} (${
          (best.rowsPerSecond / reference.rowsPerSecond).toFixed(2)
        }x)`
        : `goal ≥ 2x the reference: not measured (${referenceNote ?? "--no-reference"})`,
    );
    console.log(lines.join("\n"));
    await Deno.mkdir(join(REPO_ROOT, "bench/out"), { recursive: true });
    const out = join(REPO_ROOT, "bench/out", `predict-${date.replace(/[:.]/g, "-")}.json`);
    await Deno.writeTextFile(
      out,
      JSON.stringify(
        { date, rows, bytes: size, runs, machine, loadBefore, loadAfter, results },
        null,
        2,
      ) +
        "\n",
    );
    log.info("results written", { file: out });
    return goalRate && goalRatio !== false ? 0 : 1;
  } finally {
    if (values.keep) log.info("kept", { dir });
    else await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await runMain(({ args, log }) => main(args, log));
