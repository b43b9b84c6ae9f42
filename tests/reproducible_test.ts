/**
 * Byte reproducibility (issue 11, section 1): the real pipeline.yaml and
 * stages, run from scratch in two clones at different paths with different
 * `--jobs`, give byte-identical outs and pipeline.lock — no wall-clock time,
 * duration, absolute path or worker count in anything the lock hashes. A
 * small dataset (tests/fixtures/flows) and a small search keep it fast.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { cp } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { readLock } from "../lib/runner/cache/lock.ts";
import { readRunHistory } from "../lib/runner/run/run_history.ts";
import { REPO } from "./_workspace.ts";

const FIXTURE = join(REPO, "tests", "fixtures", "flows");

const TRAIN_PARAMS = `
train:
  seed: 5
  validation_size: 0.25
  selection_metric: roc_auc
  target_fpr: 0.05
  backend: cpu
  refit: true
  ensemble: 1
  epochs: 4
  patience: 2
  batch_size: 32
  search:
    strategy: grid
    samples: 3
    logreg: { learning_rate: [0.05], l2: [0] }
    mlp: { hidden: [[6]], learning_rate: [0.01], l2: [0], dropout: [0] }
    gbdt:
      learning_rate: [0.2]
      max_iter: [10]
      max_leaf_nodes: [5]
      min_samples_leaf: [5]
      l2: [0]
      n_iter_no_change: [5]

evaluate:
  backend: cpu
  curve_points: 20

push:
  s3: { enabled: false }
  mlflow: { enabled: false }
`;

/** A clone of the project at `root`: code, deno.json, the flows data and params. */
async function clone(root: string): Promise<void> {
  await Deno.mkdir(join(root, "data"), { recursive: true });
  for (const dir of ["lib", "stages"]) {
    await cp(join(REPO, dir), join(root, dir), { recursive: true });
  }
  for (const file of ["deno.json", "deno.lock"]) await cp(join(REPO, file), join(root, file));
  // The main model's stages (the URL model's, after its marker comment, read data/urls.csv).
  const pipeline = (await Deno.readTextFile(join(REPO, "pipeline.yaml")))
    .split("\n  # --- the URL model")[0];
  const params = (await Deno.readTextFile(join(FIXTURE, "params.yaml")))
    .replace("tests/fixtures/flows/flows.csv", "data/flows.csv") + TRAIN_PARAMS;
  await Deno.writeTextFile(join(root, "pipeline.yaml"), pipeline);
  await Deno.writeTextFile(join(root, "params.yaml"), params);
  await cp(join(FIXTURE, "schema.yaml"), join(root, "schema.yaml"));
  await cp(join(FIXTURE, "flows.csv"), join(root, "data", "flows.csv"));
}

async function reproIn(root: string, jobs: number): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "tasks", "repro.ts"), "--jobs", String(jobs)],
    cwd: root,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  strictEqual(out.code, 0, new TextDecoder().decode(out.stderr));
}

/** Every file under `path` (or the file itself), relative to `root`, with its bytes. */
async function files(root: string, path: string): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  const walk = async (p: string) => {
    const info = await Deno.stat(join(root, p));
    if (info.isDirectory) {
      for await (const e of Deno.readDir(join(root, p))) await walk(join(p, e.name));
    } else found.set(p, await Deno.readFile(join(root, p)));
  };
  await walk(path);
  return found;
}

function equalBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test({
  name: "two clones at different paths and --jobs give byte-identical outs and pipeline.lock",
  async fn() {
    const base = await Deno.makeTempDir({ prefix: "threatline-repro-" });
    const a = join(base, "a");
    const b = join(base, "somewhere", "much", "deeper", "b");
    try {
      await clone(a);
      await clone(b);
      await reproIn(a, 1);
      await reproIn(b, 3);
      const lock = await readLock(join(a, "pipeline.lock"));
      const outs = Object.values(lock.stages).flatMap((s) => s.outs.map((o) => o.path));
      ok(outs.includes("artifacts/model") && outs.includes("artifacts/push/pushed.json"));
      for (const out of outs) {
        const [fa, fb] = [await files(a, out), await files(b, out)];
        deepStrictEqual([...fb.keys()].sort(), [...fa.keys()].sort(), out);
        for (const [path, bytes] of fa) {
          ok(equalBytes(fb.get(path), bytes), `${path} differs between the clones`);
          const text = new TextDecoder().decode(bytes);
          ok(!text.includes(a) && !text.includes(base), `${path} holds an absolute path`);
        }
      }
      const lockA = await Deno.readTextFile(join(a, "pipeline.lock"));
      strictEqual(
        await Deno.readTextFile(join(b, "pipeline.lock")),
        lockA,
        "pipeline.lock differs",
      );
      // The times went to the run history instead, outside the outs.
      const history = await readRunHistory(join(a, ".cache"));
      strictEqual(history.total, 1);
      ok(history.runs[0].stages.some((s) => s.name === "train" && s.seconds > 0));
      strictEqual(relative(dirname(b), b), "b");
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});
