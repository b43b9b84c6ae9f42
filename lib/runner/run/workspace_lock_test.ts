import { ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { LockedError } from "../../errors.ts";
import { memoryLogger } from "../../log.ts";
import { type LockHolder, WORKSPACE_LOCK_FILE, WorkspaceLock } from "./workspace_lock.ts";

const linux = Deno.build.os === "linux";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "workspace_lock_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true", { stdout: "null", stderr: "null" }).spawn();
  await child.status;
  return child.pid;
}

async function plantLock(dir: string, holder: Partial<LockHolder>): Promise<void> {
  const full: LockHolder = {
    pid: Deno.pid,
    command: "repro train",
    host: Deno.hostname(),
    startedAt: "2026-01-01T00:00:00.000Z",
    token: "planted",
    ...holder,
  };
  await Deno.writeTextFile(join(dir, WORKSPACE_LOCK_FILE), JSON.stringify(full));
}

Deno.test("WorkspaceLock: a second acquire is refused while held, allowed after release", async () => {
  await withDir(async (dir) => {
    const first = await WorkspaceLock.acquire(dir, { command: "repro train" });
    await rejects(
      WorkspaceLock.acquire(dir, { command: "repro" }),
      (e: unknown) => {
        ok(e instanceof LockedError);
        ok(e.message.includes(`pid ${Deno.pid}`), e.message);
        ok(e.message.includes("'repro train'"), e.message);
        ok(e.message.includes(first.holder.startedAt), e.message);
        strictEqual(e.where.file, join(dir, WORKSPACE_LOCK_FILE));
        return true;
      },
    );
    await first.release();
    await first.release(); // idempotent
    const second = await WorkspaceLock.acquire(dir, { command: "gc" });
    strictEqual(JSON.parse(await Deno.readTextFile(second.path)).command, "gc");
    await second.release();
    await rejects(Deno.stat(second.path), Deno.errors.NotFound);
  });
});

Deno.test("WorkspaceLock: a lock left by a dead process is recovered with a warning", async () => {
  await withDir(async (dir) => {
    const pid = await deadPid();
    await plantLock(dir, { pid, command: "repro (crashed)" });
    const log = memoryLogger();
    const held = await WorkspaceLock.acquire(dir, { command: "repro", log });
    strictEqual(held.holder.pid, Deno.pid);
    const warn = log.records.find((r) => r.level === "warn");
    ok(warn && String(warn.fields.holder).includes(`pid ${pid}`), JSON.stringify(log.records));
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    strictEqual(names.join(","), WORKSPACE_LOCK_FILE); // nothing left aside
    await held.release();
  });
});

Deno.test({
  name: "WorkspaceLock: a live pid that belongs to another process now (PID reuse) is stale",
  ignore: !linux,
  fn: () =>
    withDir(async (dir) => {
      await plantLock(dir, { pid: Deno.pid, procStart: "1" }); // our pid, wrong start time
      const held = await WorkspaceLock.acquire(dir, { command: "repro", log: memoryLogger() });
      await held.release();
    }),
});

Deno.test("WorkspaceLock: a lock from another host is never broken", async () => {
  await withDir(async (dir) => {
    await plantLock(dir, { pid: await deadPid(), host: "some-other-host" });
    await rejects(WorkspaceLock.acquire(dir, { command: "repro" }), LockedError);
  });
});

Deno.test("WorkspaceLock: release leaves a lock that is no longer ours alone", async () => {
  await withDir(async (dir) => {
    const log = memoryLogger();
    const held = await WorkspaceLock.acquire(dir, { command: "repro", log });
    await plantLock(dir, { token: "someone else" });
    await held.release();
    strictEqual(JSON.parse(await Deno.readTextFile(held.path)).token, "someone else");
    ok(log.records.some((r) => r.level === "warn"));
  });
});

Deno.test("WorkspaceLock: await using releases at the end of the block", async () => {
  await withDir(async (dir) => {
    {
      await using _held = await WorkspaceLock.acquire(dir, { command: "checkout" });
      await rejects(WorkspaceLock.acquire(dir, { command: "gc" }), LockedError);
    }
    await rejects(Deno.stat(join(dir, WORKSPACE_LOCK_FILE)), Deno.errors.NotFound);
  });
});

Deno.test("WorkspaceLock: another process holding the lock refuses us until it exits", async () => {
  await withDir(async (dir) => {
    const script = `
      import { WorkspaceLock } from ${JSON.stringify(import.meta.resolve("./workspace_lock.ts"))};
      const held = await WorkspaceLock.acquire(${
      JSON.stringify(dir)
    }, { command: "repro (child)" });
      console.log("held");
      for await (const _ of Deno.stdin.readable) { /* hold until stdin closes */ }
      await held.release();
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      cwd: new URL("../../..", import.meta.url).pathname,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    strictEqual((await reader.read()).value?.trim(), "held");
    await rejects(WorkspaceLock.acquire(dir, { command: "repro" }), (e: unknown) => {
      ok(e instanceof LockedError && e.message.includes(`pid ${child.pid}`), String(e));
      ok(e.message.includes("repro (child)"), e.message);
      return true;
    });
    await child.stdin.close();
    strictEqual((await child.status).code, 0);
    await reader.cancel();
    const held = await WorkspaceLock.acquire(dir, { command: "repro" });
    await held.release();
  });
});
