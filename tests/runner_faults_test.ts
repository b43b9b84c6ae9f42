/**
 * Regression tests of faults found in review (issue 11, section 3): each
 * drives the real runner on a small pipeline in a temporary folder.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { outcomes, tempWorkspace } from "./_workspace.ts";

const TWO_STAGES = `stages:
  keep:
    cmd: tr a-z A-Z < raw.txt > kept.txt
    deps: [raw.txt]
    outs: [kept.txt]
  gone:
    cmd: cp raw.txt gone.txt
    deps: [raw.txt]
    outs: [gone.txt]
`;

Deno.test("a stage removed from pipeline.yaml leaves the lock at a no-op repro; checkout skips it", async () => {
  const w = await tempWorkspace({ "pipeline.yaml": TWO_STAGES, "raw.txt": "hello\n" });
  try {
    deepStrictEqual((await w.repro()).summary.errors, []);
    deepStrictEqual(Object.keys((await w.lock()).stages).sort(), ["gone", "keep"]);
    await w.write({ "pipeline.yaml": TWO_STAGES.slice(0, TWO_STAGES.indexOf("  gone:")) });
    const { summary } = await w.repro();
    deepStrictEqual(outcomes(summary), { keep: "fresh" });
    deepStrictEqual(Object.keys((await w.lock()).stages), ["keep"]);
    // Put the removed stage's lock entry back: checkout must still not restore it.
    await w.write({ "pipeline.yaml": TWO_STAGES });
    deepStrictEqual((await w.repro()).summary.errors, []);
    await w.write({ "pipeline.yaml": TWO_STAGES.slice(0, TWO_STAGES.indexOf("  gone:")) });
    await Deno.remove(`${w.root}/gone.txt`);
    await Deno.remove(`${w.root}/kept.txt`);
    const co = await w.task("checkout");
    strictEqual(co.code, 0, co.stderr);
    strictEqual(await w.read("kept.txt"), "HELLO\n");
    ok(!(await w.exists("gone.txt")), "the removed stage's out was restored");
  } finally {
    await w.cleanup();
  }
});
