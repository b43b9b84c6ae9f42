/**
 * `source_check` (issue 11, MongoDB-backed pipelines): a stage reading an
 * external source is fresh while its cheap check prints what the lock
 * recorded, so a no-op `status` says "up to date" and a no-op `repro` runs
 * nothing; a changed check output re-runs it (never from the run-cache), and
 * a failing check is the stage's failure with its exit code. Here the
 * "source" is a file no stage declares as a dep, and the check counts its lines.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { parseLock, serializeLock } from "../lib/runner/cache/lock.ts";
import { outcomes, tempWorkspace } from "./_workspace.ts";

const PIPELINE = `stages:
  fingerprint:
    cmd: echo fp >> runs.log && cp source.txt fp.txt
    source_check: wc -l < source.txt
    outs: [fp.txt]
  ingest:
    cmd: echo ingest >> runs.log && cp fp.txt data.txt
    deps: [fp.txt]
    outs: [data.txt]
`;

Deno.test("source_check: fresh while the check prints the same, stale when it changes", async () => {
  const w = await tempWorkspace({ "pipeline.yaml": PIPELINE, "source.txt": "a\nb\n" });
  const sub = w;
  try {
    const first = await sub.repro();
    deepStrictEqual(first.summary.errors, []);
    deepStrictEqual(outcomes(first.summary), { fingerprint: "ran", ingest: "ran" });
    strictEqual((await sub.lock()).stages.fingerprint.source_check, "2");

    const status = await sub.task("status");
    strictEqual(status.code, 0, status.stdout + status.stderr);
    ok(status.stdout.includes("Everything is up to date."));
    const noop = await sub.repro();
    deepStrictEqual(outcomes(noop.summary), { fingerprint: "fresh", ingest: "fresh" });

    await Deno.writeTextFile(`${w.root}/source.txt`, "a\nb\nc\n");
    const stale = await sub.task("status");
    strictEqual(stale.code, 1);
    ok(
      stale.stdout.includes("fingerprint: the source changed (source_check: 2 -> 3)"),
      stale.stdout,
    );
    const again = await sub.repro();
    deepStrictEqual(outcomes(again.summary), { fingerprint: "ran", ingest: "ran" });

    // Back to two lines: the signature is the same as the first run's, yet the
    // stage runs (its outs depend on what the signature does not cover);
    // ingest, whose dep is back to a known content, comes from the run-cache.
    await Deno.writeTextFile(`${w.root}/source.txt`, "a\nb\n");
    const back = await sub.repro();
    deepStrictEqual(outcomes(back.summary), { fingerprint: "ran", ingest: "restored" });
    deepStrictEqual(
      (await sub.read("runs.log")).split("\n").filter(Boolean),
      ["fp", "ingest", "fp", "ingest", "fp"],
    );

    await Deno.remove(`${w.root}/source.txt`);
    const failed = await sub.task("status");
    strictEqual(failed.code, 4, failed.stderr);
    ok(failed.stderr.includes("the source_check of stage 'fingerprint' failed"), failed.stderr);
  } finally {
    await w.cleanup();
  }
});

Deno.test("source_check output round-trips through pipeline.lock, outside the signature", () => {
  const text = serializeLock({
    version: 1,
    stages: { a: { cmd: ["x"], deps: [], params: {}, outs: [], source_check: '{"count":3}' } },
  });
  ok(text.includes("source_check:"));
  strictEqual(parseLock(text, "pipeline.lock").stages.a.source_check, '{"count":3}');
});
