/**
 * `deno task bench nsl-kdd [--data DIR] [--seeds 1,2,3] [--trees 100] [--ours FILE]`:
 * the scikit-learn RandomForest reference on NSL-KDD's official protocol
 * (bench/nsl_kdd_reference.py: train KDDTrain+, test KDDTest+ and
 * KDDTest-21; binary accuracy and 5-class macro-F1; medians over seeds),
 * printed next to this project's numbers from `examples/nsl-kdd/run.ts`
 * (`--ours`, default examples/nsl-kdd/work/results.json, when present).
 * Writes bench/out/nsl_kdd.json. Needs python3 with numpy and scikit-learn.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "../lib/args.ts";
import { ServiceError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "deno task bench nsl-kdd [--data DIR] [--seeds 1,2,3] [--trees 100] [--ours FILE]";

/** Run the reference and print the comparison. */
export async function main(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs(args, {
    usage: USAGE,
    maxPositionals: 0,
    options: {
      data: { type: "string" },
      seeds: { type: "string" },
      trees: { type: "string" },
      ours: { type: "string" },
    },
  });
  const data = resolve((values.data as string) ?? join(REPO, "../shared/data/nsl-kdd"));
  const seeds = (values.seeds as string) ?? "1,2,3";
  const trees = (values.trees as string) ?? "100";
  log.info("nsl-kdd: running the RandomForest reference", { data, seeds, trees });
  const out = await new Deno.Command("python3", {
    args: [join(REPO, "bench/nsl_kdd_reference.py"), data, "--seeds", seeds, "--trees", trees],
    stdout: "piped",
    stderr: "inherit",
  }).output().catch((err) => {
    throw new ServiceError(`cannot run python3: ${(err as Error).message}`, {
      hint: "install python3 with numpy and scikit-learn",
    });
  });
  if (!out.success) {
    throw new ServiceError(`bench/nsl_kdd_reference.py failed (exit ${out.code})`, {});
  }
  const reference = JSON.parse(new TextDecoder().decode(out.stdout));
  const oursFile = (values.ours as string) ?? join(REPO, "examples/nsl-kdd/work/results.json");
  const ours = await Deno.readTextFile(oursFile).then(JSON.parse, () => undefined);
  const m = reference.median;
  const f = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(4));
  const rows = [
    ["binary accuracy, KDDTest+", f(ours?.kddtest_plus?.accuracy), f(m.kddtest_plus_accuracy)],
    ["binary accuracy, KDDTest-21", f(ours?.kddtest_21?.accuracy), f(m.kddtest_21_accuracy)],
    [
      "5-class macro-F1, KDDTest+",
      f(ours?.kddtest_plus_5class?.macro_f1),
      f(m.kddtest_plus_macro_f1),
    ],
  ];
  console.log(`| metric | threatline (${oursFile.replace(REPO + "/", "")}) | ${reference.model} |`);
  console.log("|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  await Deno.mkdir(join(REPO, "bench/out"), { recursive: true });
  await Deno.writeTextFile(
    join(REPO, "bench/out/nsl_kdd.json"),
    JSON.stringify({ date: new Date().toISOString(), reference, ours }, null, 2) + "\n",
  );
  return 0;
}
