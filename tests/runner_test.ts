/**
 * End-to-end tests of the runner on small pipelines in temporary folders:
 * each staleness rule, the run-cache, failures, parallelism and selection.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { outcomes, tempWorkspace } from "./_workspace.ts";

// Every command appends its stage name to runs.log, so tests can see what ran.
const PIPELINE = `stages:
  prepare:
    cmd: echo prepare >> runs.log && tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  count:
    cmd: >-
      echo count >> runs.log &&
      echo "{\\"chars\\": $(wc -c < upper.txt), \\"factor\\": $(grep factor params.yaml | cut -d: -f2)}" > metrics.json &&
      wc -l < upper.txt > count.txt
    deps: [upper.txt]
    params: [count.factor]
    outs: [count.txt]
    metrics: [metrics.json]
  side:
    cmd: echo side >> runs.log && mkdir -p side && echo x > side/a.txt && echo y > side/b.txt
    deps: [raw.txt]
    outs: [side]
`;
const PARAMS = "count:\n  factor: 2\nother:\n  unused: 1\n";

async function setup() {
  return await tempWorkspace({
    "pipeline.yaml": PIPELINE,
    "params.yaml": PARAMS,
    "raw.txt": "hello\n",
  });
}

async function runs(w: { read(p: string): Promise<string> }): Promise<string[]> {
  const text = await w.read("runs.log").catch(() => "");
  return text.split("\n").filter(Boolean);
}

Deno.test("first repro runs every stage in order; a second does nothing", async () => {
  const w = await setup();
  const first = await w.repro();
  deepStrictEqual(first.summary.errors, []);
  deepStrictEqual(outcomes(first.summary), { prepare: "ran", count: "ran", side: "ran" });
  strictEqual(await w.read("upper.txt"), "HELLO\n");
  const lock = await w.lock();
  deepStrictEqual(Object.keys(lock.stages).sort(), ["count", "prepare", "side"]);
  strictEqual(lock.stages.side.outs[0].nfiles, 2);
  deepStrictEqual(lock.stages.count.params, { "params.yaml": { "count.factor": 2 } });
  const second = await w.repro();
  deepStrictEqual(outcomes(second.summary), { prepare: "fresh", count: "fresh", side: "fresh" });
  deepStrictEqual((await runs(w)).sort(), ["count", "prepare", "side"]);
  await w.cleanup();
});

Deno.test("a changed dep re-runs its stage; unchanged outputs stop the cascade", async () => {
  const w = await setup();
  await w.repro();
  // Same text after upper-casing: prepare re-runs, count sees the same dep hash.
  await w.write({ "raw.txt": "HELLO\n" });
  const r = await w.repro();
  deepStrictEqual(outcomes(r.summary), { prepare: "ran", count: "fresh", side: "ran" });
  strictEqual(r.summary.results.find((x) => x.stage === "prepare")?.reason?.kind, "dep_changed");
  await w.write({ "raw.txt": "bye\n" });
  const r2 = await w.repro();
  deepStrictEqual(outcomes(r2.summary), { prepare: "ran", count: "ran", side: "ran" });
  await w.cleanup();
});

Deno.test("only the declared param's value matters; a reverted value restores from the run-cache", async () => {
  const w = await setup();
  await w.repro();
  await w.write({ "params.yaml": "count:\n  factor: 2\nother:\n  unused: 99\n" });
  deepStrictEqual(outcomes((await w.repro()).summary), {
    prepare: "fresh",
    count: "fresh",
    side: "fresh",
  });
  await w.write({ "params.yaml": "count:\n  factor: 3\nother:\n  unused: 99\n" });
  const changed = await w.repro();
  deepStrictEqual(outcomes(changed.summary), { prepare: "fresh", count: "ran", side: "fresh" });
  strictEqual(
    changed.summary.results.find((x) => x.stage === "count")?.reason?.kind,
    "param_changed",
  );
  ok(
    (await w.read("metrics.json")).includes('"factor":  3') ||
      (await w.read("metrics.json")).includes("3}"),
  );
  // Revert: the signature was seen before, so outs come back from the cache.
  await w.write({ "params.yaml": PARAMS });
  const before = (await runs(w)).length;
  const reverted = await w.repro();
  deepStrictEqual(outcomes(reverted.summary), {
    prepare: "fresh",
    count: "restored",
    side: "fresh",
  });
  strictEqual((await runs(w)).length, before, "count must not run again");
  ok((await w.read("metrics.json")).includes("2}"));
  ok(reverted.log.records.some((r) => r.msg.includes("run-cache")));
  await w.cleanup();
});

Deno.test("a changed cmd re-runs the stage", async () => {
  const w = await setup();
  await w.repro();
  await w.write({ "pipeline.yaml": PIPELINE.replace("echo side >>", "echo side  >>") });
  const r = await w.repro();
  deepStrictEqual(outcomes(r.summary), { prepare: "fresh", count: "fresh", side: "ran" });
  strictEqual(r.summary.results.find((x) => x.stage === "side")?.reason?.kind, "cmd_changed");
  await w.cleanup();
});

Deno.test("a missing or modified out makes the stage stale; it is restored from the cache", async () => {
  const w = await setup();
  await w.repro();
  await Deno.remove(join(w.root, "side"), { recursive: true });
  await w.write({ "upper.txt": "edited by hand\n" });
  const r = await w.repro();
  const reasons = Object.fromEntries(r.summary.results.map((x) => [x.stage, x.reason?.kind]));
  deepStrictEqual(reasons, { prepare: "out_changed", count: undefined, side: "out_missing" });
  deepStrictEqual(outcomes(r.summary), { prepare: "restored", count: "fresh", side: "restored" });
  strictEqual(await w.read("upper.txt"), "HELLO\n");
  strictEqual(await w.read("side/b.txt"), "y\n");
  deepStrictEqual((await runs(w)).sort(), ["count", "prepare", "side"]);
  await w.cleanup();
});

Deno.test("always_changed always runs; frozen never runs; --force runs everything selected", async () => {
  const w = await setup();
  await w.write({
    "pipeline.yaml": PIPELINE.replace(
      "    outs: [side]\n",
      "    outs: [side]\n    always_changed: true\n",
    )
      .replace(
        "    deps: [raw.txt]\n    outs: [upper.txt]\n",
        "    deps: [raw.txt]\n    outs: [upper.txt]\n    frozen: true\n",
      ),
  });
  await w.write({ "upper.txt": "PRE-EXISTING\n" });
  const r1 = await w.repro();
  deepStrictEqual(outcomes(r1.summary), { prepare: "frozen", count: "ran", side: "ran" });
  const r2 = await w.repro();
  deepStrictEqual(outcomes(r2.summary), { prepare: "frozen", count: "fresh", side: "ran" });
  const r3 = await w.repro({ force: true, targets: ["count"] });
  deepStrictEqual(outcomes(r3.summary), { prepare: "frozen", count: "ran" });
  await w.cleanup();
});

Deno.test("targets select upstream stages; --downstream selects dependents; --dry runs nothing", async () => {
  const w = await setup();
  const dry = await w.repro({ dry: true });
  deepStrictEqual(outcomes(dry.summary), {
    prepare: "would-run",
    count: "would-run",
    side: "would-run",
  });
  strictEqual(await w.exists("runs.log"), false);
  deepStrictEqual(outcomes((await w.repro({ targets: ["count"] })).summary), {
    prepare: "ran",
    count: "ran",
  });
  await w.write({ "raw.txt": "other\n" });
  deepStrictEqual(
    outcomes((await w.repro({ targets: ["prepare"], downstream: true })).summary),
    { prepare: "ran", count: "ran" },
  );
  await w.cleanup();
});

Deno.test("a failing stage stops its dependents, independent branches finish, the lock keeps successes", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml": `stages:
  ok1:
    cmd: echo 1 > one.txt
    outs: [one.txt]
  bad:
    cmd: echo 'something broke' >&2; exit 7
    deps: [one.txt]
    outs: [bad.txt]
  after_bad:
    cmd: cat bad.txt > after.txt
    deps: [bad.txt]
    outs: [after.txt]
  independent:
    cmd: echo i > i.txt
    outs: [i.txt]
`,
  });
  const r = await w.repro();
  deepStrictEqual(outcomes(r.summary), {
    ok1: "ran",
    bad: "failed",
    after_bad: "skipped",
    independent: "ran",
  });
  strictEqual(r.summary.errors.length, 1);
  deepStrictEqual(Object.keys((await w.lock()).stages).sort(), ["independent", "ok1"]);
  // As a task: exit status 4, the stage, its exit code and the stderr tail.
  const t = await w.task("repro");
  strictEqual(t.code, 4);
  ok(t.stderr.includes("stage 'bad' failed"), t.stderr);
  ok(t.stderr.includes("exited with status 7"));
  ok(t.stderr.includes("something broke"));
  ok(!t.stderr.includes("    at "), "no stack trace without --verbose");
  await w.cleanup();
});

Deno.test("a stage that does not produce a declared out fails", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml": "stages:\n  lazy:\n    cmd: 'true'\n    outs: [never.txt]\n",
  });
  const r = await w.repro();
  deepStrictEqual(outcomes(r.summary), { lazy: "failed" });
  ok(String((r.summary.errors[0] as Error).message).includes("did not produce out 'never.txt'"));
  deepStrictEqual((await w.lock()).stages, {});
  await w.cleanup();
});

Deno.test("--jobs 2 runs independent stages at the same time", async () => {
  // Each stage waits (bounded) for the other to start: both succeed only in parallel.
  const wait = (me: string, other: string) =>
    `touch ${me}.started; for i in $(seq 100); do [ -f ${other}.started ] && break; sleep 0.05; done; ` +
    `[ -f ${other}.started ] && echo ok > ${me}.txt`;
  const w = await tempWorkspace({
    "pipeline.yaml": `stages:
  a:
    cmd: ${JSON.stringify(wait("a", "b"))}
    outs: [a.txt]
  b:
    cmd: ${JSON.stringify(wait("b", "a"))}
    outs: [b.txt]
`,
  });
  const r = await w.repro({ jobs: 2 });
  deepStrictEqual(r.summary.errors, []);
  deepStrictEqual(outcomes(r.summary), { a: "ran", b: "ran" });
  await w.cleanup();
});
