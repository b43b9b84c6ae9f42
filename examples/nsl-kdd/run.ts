/**
 * NSL-KDD with its official protocol, in one command (run from the repository root):
 *
 * ```sh
 * deno run -A examples/nsl-kdd/run.ts [--data DIR] [--workspace DIR]
 * ```
 *
 * Builds a workspace (default `examples/nsl-kdd/work/`, git-ignored) holding
 * the repository's pipeline.yaml, stages and lib unchanged, this folder's
 * schema.yaml and params.yaml, and the data files copied from `--data`
 * (default `../shared/data/nsl-kdd/` next to the repository); runs
 * `deno task repro` there (train on KDDTrain+.txt, test on KDDTest+.txt),
 * then scores KDDTest-21.txt with `deno task predict` as a second
 * evaluation, and prints accuracy on both test files. Test files never
 * choose anything: selection uses a validation split of KDDTrain+.
 * Writes `<workspace>/results.json`.
 *
 * @module
 */
import { cp, mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "../../lib/args.ts";
import { runMain } from "../../lib/cli.ts";
import { ConfigError, DataError } from "../../lib/errors.ts";
import { parseCsv } from "../../lib/data/csv.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "../..");
const FILES = ["KDDTrain+.txt", "KDDTest+.txt", "KDDTest-21.txt"];
const USAGE = "deno run -A examples/nsl-kdd/run.ts [--data DIR] [--workspace DIR]";

async function run(cwd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) {
    throw new DataError(`'deno ${args.join(" ")}' failed with exit code ${out.code}`, {
      file: cwd,
    });
  }
}

/** Accuracy of predict's labels against the file's own labels (`normal` is benign). */
async function accuracyOf(predictions: string, data: string): Promise<Record<string, number>> {
  const truth = parseCsv(await Deno.readTextFile(data)).rows;
  const [header, ...rows] = parseCsv(await Deno.readTextFile(predictions)).rows;
  const rowCol = header.indexOf("row"), labelCol = header.indexOf("label");
  let right = 0, tp = 0, fp = 0, tn = 0, fn = 0;
  for (const r of rows) {
    const fields = truth[Number(r[rowCol]) - 1];
    const threat = fields[41] !== "normal";
    const said = r[labelCol] === "1";
    if (threat === said) right++;
    if (threat && said) tp++;
    else if (threat) fn++;
    else if (said) fp++;
    else tn++;
  }
  return {
    rows: rows.length,
    scored_of: truth.length,
    accuracy: right / rows.length,
    recall: tp / (tp + fn),
    fpr: fp / (fp + tn),
  };
}

if (import.meta.main) {
  await runMain(async ({ args }) => {
    const { values } = parseArgs(args, {
      usage: USAGE,
      options: { data: { type: "string" }, workspace: { type: "string" } },
    });
    const data = resolve((values.data as string) ?? join(REPO, "../shared/data/nsl-kdd"));
    const ws = resolve((values.workspace as string) ?? join(HERE, "work"));
    for (const f of FILES) {
      await Deno.stat(join(data, f)).catch(() => {
        throw new ConfigError(`no ${f} in ${data}`, {
          field: "--data",
          hint: "point --data at the folder holding NSL-KDD's KDDTrain+.txt, KDDTest+.txt, " +
            "KDDTest-21.txt (https://www.unb.ca/cic/datasets/nsl.html)",
        });
      });
    }
    await mkdir(join(ws, "data/nsl-kdd"), { recursive: true });
    for (const f of FILES) await cp(join(data, f), join(ws, "data/nsl-kdd", f));
    // The whole pipeline.yaml (the URL model's stages too: loading checks every stage's deps).
    for (
      const f of ["pipeline.yaml", "deno.json", "deno.lock", "url.params.yaml", "url.schema.yaml"]
    ) {
      await cp(join(REPO, f), join(ws, f));
    }
    await mkdir(join(ws, "data"), { recursive: true });
    await cp(join(REPO, "data/urls.csv"), join(ws, "data/urls.csv"));
    for (const d of ["lib", "stages", "tasks"]) {
      await cp(join(REPO, d), join(ws, d), { recursive: true, force: true });
    }
    for (const f of ["schema.yaml", "params.yaml"]) await cp(join(HERE, f), join(ws, f));
    const cacheEnv = ["--config", join(ws, "deno.json")];
    // `push` and everything upstream: the NSL-KDD model's stages, not the URL model's.
    await run(ws, ["task", ...cacheEnv, "repro", "push"]);
    const metrics = JSON.parse(await Deno.readTextFile(join(ws, "artifacts/metrics.json")));
    await run(ws, [
      "task",
      ...cacheEnv,
      "predict",
      "data/nsl-kdd/KDDTest-21.txt",
      "--model",
      "artifacts/model",
      "--out",
      "artifacts/kddtest21.csv",
    ]);
    const test21 = await accuracyOf(
      join(ws, "artifacts/kddtest21.csv"),
      join(ws, "data/nsl-kdd/KDDTest-21.txt"),
    );
    const classes = await Deno.readTextFile(join(ws, "artifacts/evaluate/multiclass.json"))
      .then(JSON.parse, () => undefined);
    const results = {
      // At the released threshold (chosen on the validation split: train.target_fpr), as predict uses it.
      kddtest_plus: {
        accuracy: metrics.accuracy_at_threshold,
        recall: metrics.recall_at_threshold,
        fpr: metrics.fpr_at_threshold,
        accuracy_at_0_5: metrics.accuracy,
        roc_auc: metrics.roc_auc,
      },
      kddtest_21: test21,
      kddtest_plus_5class: classes &&
        { macro_f1: classes.macro_f1, accuracy: classes.accuracy, per_class: classes.per_class },
    };
    await Deno.writeTextFile(join(ws, "results.json"), JSON.stringify(results, null, 2) + "\n");
    console.log(JSON.stringify(results, null, 2));
    return 0;
  });
}
