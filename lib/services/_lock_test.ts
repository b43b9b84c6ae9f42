import assert from "node:assert/strict";
import { LockedError } from "../errors.ts";
import { nullLogger } from "../log.ts";
import { withFileLock } from "./_lock.ts";

Deno.test("withFileLock: runs, releases, and takes over a lock of a dead pid", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/x.lock`;
    const opts = { log: nullLogger, what: "x" };
    assert.equal(await withFileLock(path, opts, () => Promise.resolve(7)), 7);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    await Deno.writeTextFile(path, "999999999\n"); // no such pid
    assert.equal(await withFileLock(path, opts, () => Promise.resolve("took over")), "took over");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withFileLock: a lock held by a live process times out with LockedError", async () => {
  const dir = await Deno.makeTempDir();
  const holder = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const path = `${dir}/x.lock`;
    await Deno.writeTextFile(path, `${holder.pid}\n`);
    await assert.rejects(
      withFileLock(
        path,
        { log: nullLogger, what: "the build of x", timeoutMs: 100 },
        () => Promise.resolve(),
      ),
      (err: Error) => err instanceof LockedError && err.message.includes(`pid ${holder.pid}`),
    );
  } finally {
    holder.kill();
    await holder.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withFileLock: waiting for a live holder ends when the signal aborts", async () => {
  const dir = await Deno.makeTempDir();
  const holder = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const path = `${dir}/x.lock`;
    await Deno.writeTextFile(path, `${holder.pid}\n`);
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error("SIGINT")), 50);
    await assert.rejects(
      withFileLock(
        path,
        { log: nullLogger, what: "x", signal: abort.signal },
        () => Promise.resolve(),
      ),
      /SIGINT/,
    );
  } finally {
    holder.kill();
    await holder.status;
    await Deno.remove(dir, { recursive: true });
  }
});
