/**
 * Experiments end to end, as a user runs them (`deno task exp` subprocesses
 * in a temporary workspace): a run with -S leaves the workspace untouched and
 * reuses the shared cache for unchanged stages; --queue then --run-all
 * --jobs 2; show as a table and --json; apply brings params, lock and outs
 * in; cache gc keeps experiments' outs; exp gc and bad input.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { tempWorkspace } from "./_workspace.ts";

// `prep` does not read params (unchanged across experiments); `score` does.
const PIPELINE = `stages:
  prep:
    cmd: echo prep >> runs.log && tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  score:
    cmd: >-
      echo score >> runs.log &&
      echo "{\\"acc\\": $(awk '/acc:/ {print $2}' params.yaml)}" > metrics.json &&
      cp upper.txt scored.txt
    deps: [upper.txt]
    params: [score.acc]
    outs: [scored.txt]
    metrics: [metrics.json]
`;
const PARAMS = "score:\n  acc: 0.5 # the metric it reports\n";

async function setup() {
  const w = await tempWorkspace({
    "pipeline.yaml": PIPELINE,
    "params.yaml": PARAMS,
    "raw.txt": "hi\n",
  });
  strictEqual((await w.task("repro")).code, 0);
  return w;
}

const runs = async (w: { read(p: string): Promise<string> }) =>
  (await w.read("runs.log")).split("\n").filter(Boolean);

Deno.test("exp run -S: isolated, shares the cache, shows and applies", async () => {
  const w = await setup();
  try {
    const lockBefore = await w.read("pipeline.lock");
    const r = await w.task("exp", ["run", "-S", "score.acc=0.75", "--name", "hi-acc"]);
    strictEqual(r.code, 0, r.stderr);
    // The user's files are untouched; nothing ran in the workspace.
    strictEqual(await w.read("params.yaml"), PARAMS);
    strictEqual(await w.read("pipeline.lock"), lockBefore);
    strictEqual(await w.read("metrics.json"), '{"acc": 0.5}\n');
    deepStrictEqual(await runs(w), ["prep", "score"]);

    const json = await w.task("exp", ["show", "--json"]);
    strictEqual(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout);
    deepStrictEqual(rows.map((x: { id: string }) => x.id), ["workspace", "hi-acc"]);
    deepStrictEqual(rows[0].metrics, { "metrics.json": { acc: 0.5 } });
    deepStrictEqual(rows[1].status, "done");
    deepStrictEqual(rows[1].params, { "params.yaml:score.acc": { value: 0.75, was: 0.5 } });
    deepStrictEqual(rows[1].metrics, { "metrics.json": { acc: 0.75 } });

    const table = await w.task("exp", ["show"]);
    strictEqual(table.code, 0, table.stderr);
    ok(/hi-acc\s+done\s+0\.75\s+0\.75/.test(table.stdout), table.stdout);

    const applied = await w.task("exp", ["apply", "hi-acc"]);
    strictEqual(applied.code, 0, applied.stderr);
    strictEqual(await w.read("params.yaml"), "score:\n  acc: 0.75 # the metric it reports\n");
    strictEqual(await w.read("metrics.json"), '{"acc": 0.75}\n');
    const status = await w.task("status");
    strictEqual(status.code, 0, `fresh after apply: ${status.stdout}${status.stderr}`);
    deepStrictEqual(await runs(w), ["prep", "score"], "apply ran nothing");
  } finally {
    await w.cleanup();
  }
});

Deno.test("exp run --queue, then --run-all --jobs 2; cache gc keeps their outs; exp gc", async () => {
  const w = await setup();
  try {
    for (const acc of ["0.6", "0.7"]) {
      const q = await w.task("exp", [
        "run",
        "--queue",
        "-S",
        `score.acc=${acc}`,
        "--name",
        `q${acc}`,
      ]);
      strictEqual(q.code, 0, q.stderr);
    }
    const queued = JSON.parse((await w.task("exp", ["show", "--json"])).stdout);
    deepStrictEqual(queued.slice(1).map((x: { status: string }) => x.status), ["queued", "queued"]);
    // Edits after queueing do not leak into queued experiments.
    await w.write({ "raw.txt": "changed\n" });
    const all = await w.task("exp", ["run", "--run-all", "--jobs", "2"]);
    strictEqual(all.code, 0, all.stderr);
    const rows = JSON.parse((await w.task("exp", ["show", "--json"])).stdout);
    deepStrictEqual(
      rows.slice(1).map((x: { id: string; metrics: unknown }) => [x.id, x.metrics]),
      [["q0.6", { "metrics.json": { acc: 0.6 } }], ["q0.7", { "metrics.json": { acc: 0.7 } }]],
    );
    await w.write({ "raw.txt": "hi\n" });

    strictEqual((await w.task("gc")).code, 0);
    const applied = await w.task("exp", ["apply", "q0.7"]);
    strictEqual(applied.code, 0, applied.stderr);
    ok(applied.stderr.includes("missing=0"), "gc kept the experiment's outs: " + applied.stderr);
    strictEqual(await w.read("metrics.json"), '{"acc": 0.7}\n');

    const gc = await w.task("exp", ["gc", "--all"]);
    strictEqual(gc.code, 0, gc.stderr);
    strictEqual((await w.task("exp", ["show"])).stdout.trim(), "No experiments.");
  } finally {
    await w.cleanup();
  }
});

Deno.test("exp: bad input exits 2 naming the problem; a failing experiment exits with its error's code", async () => {
  const w = await setup();
  try {
    const typo = await w.task("exp", ["run", "-S", "score.accc=1"]);
    strictEqual(typo.code, 2, typo.stderr);
    ok(typo.stderr.includes("-S score.accc: no such key in params.yaml"), typo.stderr);
    const shape = await w.task("exp", ["run", "-S", "nonsense"]);
    strictEqual(shape.code, 2, shape.stderr);
    const unknown = await w.task("exp", ["apply", "nope"]);
    strictEqual(unknown.code, 2, unknown.stderr);
    ok(unknown.stderr.includes("no experiment 'nope'"), unknown.stderr);

    // A value the stage turns into a metrics file that is not JSON: the experiment fails.
    const failed = await w.task("exp", ["run", "-S", "score.acc=oops", "--name", "broken"]);
    strictEqual(failed.code, 3, failed.stderr);
    ok(failed.stderr.includes("experiment 'broken' failed"), failed.stderr);
    const rows = JSON.parse((await w.task("exp", ["show", "--json"])).stdout);
    strictEqual(rows[1].status, "failed");
    const apply = await w.task("exp", ["apply", "broken"]);
    strictEqual(apply.code, 2, apply.stderr);
    strictEqual((await w.task("exp", ["gc"])).code, 0);
    strictEqual(JSON.parse((await w.task("exp", ["show", "--json"])).stdout).length, 1);
  } finally {
    await w.cleanup();
  }
});
