/**
 * The runner's run history: every `deno task repro` (ok, failed or
 * interrupted) appends a record with the git state, the params changed
 * against the lock, metrics, model versions, and per stage its outcome,
 * seconds, reason and the JSON files it wrote to THREATLINE_RUN_RECORD_DIR.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { readRunHistory } from "../lib/runner/run/run_history.ts";
import { tempWorkspace } from "./_workspace.ts";

const PIPELINE = `stages:
  train:
    cmd: >-
      r=$(grep rate params.yaml | tr -dc 0-9) && mkdir -p model &&
      echo "{\\"version\\": \\"v$r\\"}" > model/card.json &&
      echo "{\\"auc\\": 0.9, \\"nested\\": {\\"n\\": $r}}" > metrics.json &&
      echo '{"candidates": [{"id": "a", "seconds": 1.5}]}' > "$THREATLINE_RUN_RECORD_DIR/times.json"
    params: [train]
    outs: [model]
    metrics: [metrics.json]
  report:
    cmd: test -f fail.flag && exit 4 || cp metrics.json report.json
    deps: [metrics.json]
    outs: [report.json]
`;

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

Deno.test("repro appends a run record: git state, changed params, metrics, models, stage records", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml": PIPELINE,
    "params.yaml": "train:\n  rate: 1\n  seed: 7\n",
    ".gitignore": ".cache/\nmodel/\nmetrics.json\nreport.json\nfail.flag\n",
  });
  const cache = join(w.root, ".cache");
  try {
    await git(w.root, "init", "-q");
    await git(w.root, "add", "-A");
    await git(w.root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");

    const first = await w.task("repro");
    strictEqual(first.code, 0, first.stderr);
    let { runs, total } = await readRunHistory(cache);
    strictEqual(total, 1);
    const run = runs[0];
    deepStrictEqual([run.kind, run.outcome, run.error], ["repro", "ok", undefined]);
    match(run.git?.commit ?? "", /^[0-9a-f]{40}$/);
    deepStrictEqual([run.git?.dirty, run.git?.diffHash], [false, undefined]);
    deepStrictEqual(run.changedParams, {});
    deepStrictEqual(run.metrics, { "metrics.json": { auc: 0.9, "nested.n": 1 } });
    deepStrictEqual(run.models, { model: "v1" });
    deepStrictEqual(run.stages.map((s) => [s.name, s.outcome]), [["train", "ran"], [
      "report",
      "ran",
    ]]);
    strictEqual(run.stages[0].reason, "new stage (not in pipeline.lock)");
    deepStrictEqual(run.stages[0].records, {
      "times.json": { candidates: [{ id: "a", seconds: 1.5 }] },
    });
    ok(run.seconds >= 0 && Date.parse(run.ended) >= Date.parse(run.started));
    // The stage's record folder is gone; no run metadata went into the outs.
    deepStrictEqual([...Deno.readDirSync(join(cache, "runs", "records"))], []);

    // A param change (uncommitted: dirty) and a failing downstream stage.
    await w.write({ "params.yaml": "train:\n  rate: 2\n  seed: 7\n", "fail.flag": "" });
    const second = await w.task("repro");
    strictEqual(second.code, 4, second.stderr);
    ({ runs, total } = await readRunHistory(cache));
    strictEqual(total, 2);
    const failed = runs[0];
    strictEqual(failed.outcome, "failed");
    match(failed.error ?? "", /report/);
    strictEqual(failed.git?.dirty, true);
    match(failed.git?.diffHash ?? "", /^[0-9a-f]{64}$/);
    deepStrictEqual(failed.changedParams, { "params.yaml": { "train.rate": [1, 2] } });
    deepStrictEqual(failed.models, { model: "v2" });
    deepStrictEqual(failed.stages.map((s) => [s.name, s.outcome]), [["train", "ran"], [
      "report",
      "failed",
    ]]);
    strictEqual(failed.stages[0].reason, "param 'train.rate' (params.yaml) changed 1 -> 2");

    // A dry run is not a run.
    strictEqual((await w.task("repro", ["--dry"])).code, 0);
    strictEqual((await readRunHistory(cache)).total, 2);
  } finally {
    await w.cleanup();
  }
});
