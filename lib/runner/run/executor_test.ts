import { ok, rejects, strictEqual } from "node:assert/strict";
import { InterruptedError, StageFailedError } from "../../errors.ts";
import { runStageCommands } from "./executor.ts";

Deno.test("runStageCommands runs commands in order in cwd and streams lines", async () => {
  const dir = await Deno.makeTempDir();
  const lines: string[] = [];
  await runStageCommands({
    stage: "s",
    cmds: ["echo one > a.txt", "cat a.txt; echo two >&2"],
    cwd: dir,
    onLine: (l, stream) => lines.push(`${stream}:${l}`),
  });
  strictEqual(await Deno.readTextFile(`${dir}/a.txt`), "one\n");
  ok(lines.includes("stdout:one") && lines.includes("stderr:two"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a failing command reports stage, status and the stderr tail; later commands do not run", async () => {
  const dir = await Deno.makeTempDir();
  const err = await rejects(
    runStageCommands({
      stage: "train",
      cmds: ["for i in 1 2 3 4 5; do echo line$i >&2; done; exit 3", "touch never"],
      cwd: dir,
      tailLines: 2,
    }),
    (e) => {
      ok(e instanceof StageFailedError);
      strictEqual(e.status, 3);
      strictEqual(e.where.stage, "train");
      strictEqual(e.stderrTail, "line4\nline5");
      ok(e.message.includes("exited with status 3"));
      return true;
    },
  );
  strictEqual(err, undefined);
  await rejects(Deno.stat(`${dir}/never`), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("abort kills the whole process group of the running command", async () => {
  const dir = await Deno.makeTempDir();
  const abort = new AbortController();
  const run = runStageCommands({
    stage: "slow",
    // A background grandchild that would write a file if it survived.
    cmds: ["(sleep 0.4; touch survived) & echo started; sleep 30"],
    cwd: dir,
    signal: abort.signal,
    onLine: (l) => {
      if (l === "started") abort.abort("SIGINT");
    },
  });
  await rejects(run, InterruptedError);
  await new Promise((r) => setTimeout(r, 900));
  await rejects(Deno.stat(`${dir}/survived`), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
