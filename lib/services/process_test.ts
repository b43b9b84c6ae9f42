import assert from "node:assert/strict";
import { ServiceError } from "../errors.ts";
import {
  commandLine,
  isAlive,
  logTail,
  runLogged,
  spawnLogged,
  stopProcessGroup,
} from "./process.ts";

Deno.test("spawnLogged + stopProcessGroup: a detached group stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const logFile = `${dir}/out.log`;
    // A shell with a child: both are in the new process group and both must go.
    const child = spawnLogged({
      cmd: "sh",
      args: ["-c", "echo started; sleep 30 & wait"],
      logFile,
      detached: true,
    });
    for (let i = 0; i < 100 && !logTail(logFile).includes("started"); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(isAlive(child.pid), true);
    assert.match(commandLine(child.pid) ?? "", /sleep 30/);
    assert.equal(await stopProcessGroup(child.pid, { graceMs: 5000 }), "term");
    assert.equal(isAlive(child.pid), false);
    await child.status;
    assert.equal(await stopProcessGroup(child.pid), "gone");
    assert.equal(logTail(logFile), "started");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stopProcessGroup: SIGKILL after the grace period when SIGTERM is ignored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const logFile = `${dir}/out.log`;
    const child = spawnLogged({
      cmd: "sh",
      args: ["-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
      logFile,
      detached: true,
    });
    for (let i = 0; i < 100 && !logTail(logFile).includes("ready"); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await stopProcessGroup(child.pid, { graceMs: 200 }), "kill");
    assert.equal(isAlive(child.pid), false);
    assert.equal((await child.status).signal, "SIGKILL");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runLogged: a failing command is a ServiceError with the log's tail", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const logFile = `${dir}/install.log`;
    await runLogged("ok step", { cmd: "sh", args: ["-c", "echo fine"], logFile });
    const err = await runLogged("build of x", {
      cmd: "sh",
      args: ["-c", "echo compiling; echo 'undefined: foo' >&2; exit 3"],
      logFile,
    }).catch((e) => e);
    assert.ok(err instanceof ServiceError);
    assert.match(err.message, /^build of x failed: .* exited with 3/);
    assert.match(err.message, /fine\ncompiling\nundefined: foo$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isAlive / logTail: edge cases", () => {
  assert.equal(isAlive(Deno.pid), true);
  assert.equal(isAlive(0), false);
  assert.equal(isAlive(-5), false);
  assert.equal(logTail("/nonexistent/threatline.log"), "");
});
