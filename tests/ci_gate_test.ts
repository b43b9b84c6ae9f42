/**
 * `.ci/run` runs the whole gate — `deno task ok`: fmt, lint, type check and
 * the tests — not the tests alone (a lint failure once reached main because
 * CI ran only the tests), and still ends with the single plain
 * `N passed, N failed` line.
 */
import { ok } from "node:assert/strict";
import { join } from "node:path";
import { REPO } from "./_workspace.ts";

Deno.test("CI runs the whole gate (deno task ok) and prints one N passed, N failed line", async () => {
  const run = await Deno.readTextFile(join(REPO, ".ci", "run"));
  const commands = run.split("\n").filter((l) => !l.trimStart().startsWith("#"));
  ok(commands.some((l) => /\bdeno task ok\b/.test(l)), ".ci/run must run `deno task ok`");
  ok(!commands.some((l) => /\bdeno task test\b/.test(l)), ".ci/run must not run the tests alone");
  ok(commands.some((l) => l.includes('echo "${passed} passed, ${failed} failed"')));
  const tasks = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json"))).tasks;
  for (const step of ["deno fmt --check", "deno lint", "deno check .", "deno task test"]) {
    ok(tasks.ok.includes(step), `deno task ok must include '${step}'`);
  }
});
