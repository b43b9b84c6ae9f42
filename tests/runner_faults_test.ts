/**
 * Regression tests of faults found in review (issue 11, section 3): each
 * drives the real runner on a small pipeline in a temporary folder.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { readRunHistory } from "../lib/runner/run/run_history.ts";
import { outcomes, REPO, tempWorkspace } from "./_workspace.ts";

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

/** Flip the bytes of a cache object in place, keeping its size. */
async function corrupt(root: string, hash: string): Promise<void> {
  const path = join(root, ".cache", "files", "sha256", hash.slice(0, 2), hash.slice(2));
  await Deno.chmod(path, 0o644);
  const bytes = await Deno.readFile(path);
  await Deno.writeFile(path, bytes.map((b) => b ^ 0xff));
}

Deno.test("a cache object corrupted without a size change is repaired by repro --force and cache verify --repair", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml":
      "stages:\n  s:\n    cmd: tr a-z A-Z < raw.txt > out.txt\n    deps: [raw.txt]\n" +
      "    outs: [out.txt]\n",
    "raw.txt": "hello\n",
  });
  try {
    deepStrictEqual((await w.repro()).summary.errors, []);
    const hash = (await w.lock()).stages.s.outs[0].hash;
    await corrupt(w.root, hash);
    await Deno.remove(join(w.root, "out.txt"));
    strictEqual((await w.task("checkout")).code, 6, "checkout finds the object corrupt");
    // repro --force stores the out again: the corrupt object is replaced, not skipped.
    strictEqual((await w.task("repro", ["--force"])).code, 0);
    await Deno.remove(join(w.root, "out.txt"));
    strictEqual((await w.task("checkout")).code, 0);
    strictEqual(await w.read("out.txt"), "HELLO\n");

    await corrupt(w.root, hash);
    const found = await w.task("cache", ["verify"]);
    strictEqual(found.code, 6, found.stderr);
    match(found.stderr, /1 of \d+ cache object\(s\) are corrupt/);
    const repaired = await w.task("cache", ["verify", "--repair"]);
    strictEqual(repaired.code, 0, repaired.stderr);
    match(repaired.stderr, /restored=1/);
    strictEqual((await w.task("cache", ["verify"])).code, 0);

    // No intact copy in the workspace: the object is removed; repro rebuilds it.
    await corrupt(w.root, hash);
    await Deno.remove(join(w.root, "out.txt"));
    match((await w.task("cache", ["verify", "--repair"])).stderr, /removed=1/);
    strictEqual((await w.task("repro")).code, 0);
    strictEqual((await w.task("cache", ["verify"])).code, 0);
    strictEqual(await w.read("out.txt"), "HELLO\n");
  } finally {
    await w.cleanup();
  }
});

/** Whether this process may mount a tmpfs (root on Linux with CAP_SYS_ADMIN, as in CI here). */
function canMountTmpfs(): boolean {
  try {
    const dir = Deno.makeTempDirSync({ prefix: "tmpfs-probe-" });
    const ok = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
    if (ok) new Deno.Command("umount", { args: [dir] }).outputSync();
    Deno.removeSync(dir);
    return ok;
  } catch {
    return false;
  }
}

const tmpfs = canMountTmpfs();

Deno.test({
  name:
    `a full cache disk ends with error[ENOSPC] naming the path, exit 8, and no workspace lock left${
      tmpfs ? "" : " (needs mount -t tmpfs: skipped)"
    }`,
  ignore: !tmpfs,
  async fn() {
    const w = await tempWorkspace({
      "pipeline.yaml":
        "stages:\n  big:\n    cmd: head -c 400000 /dev/zero | tr '\\\\0' x > big.bin\n" +
        "    outs: [big.bin]\n",
    });
    const cache = join(w.root, "small-cache");
    await Deno.mkdir(cache);
    const mounted = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=256k", "tmpfs", cache],
    }).output();
    ok(mounted.success);
    const env = { THREATLINE_CACHE_DIR: cache };
    try {
      const full = await w.task("repro", [], env);
      strictEqual(full.code, 8, full.stderr);
      match(full.stderr, /error\[ENOSPC\] .*small-cache.*no space left on device/);
      ok(!(await w.exists("small-cache/repro.lock")), "the workspace lock was left behind");
      // Not blocked by a lock: the same cause again.
      strictEqual((await w.task("repro", [], env)).code, 8);
      // At 0 bytes free the lock itself cannot be written: still no empty lock left behind.
      await Deno.writeFile(join(cache, "filler"), new Uint8Array(256 * 1024)).catch(() => {});
      const zero = await w.task("repro", [], env);
      strictEqual(zero.code, 8, zero.stderr);
      match(zero.stderr, /error\[ENOSPC\] .*small-cache/);
      ok(!(await w.exists("small-cache/repro.lock")), "an empty workspace lock was left behind");
    } finally {
      await new Deno.Command("umount", { args: [cache] }).output();
      await w.cleanup();
    }
  },
});

/** Whether process group `pgid` still has a live member. */
async function groupAlive(pgid: number): Promise<boolean> {
  const { success } = await new Deno.Command("kill", {
    args: ["-0", "--", `-${pgid}`],
    stderr: "null",
  }).output();
  return success;
}

Deno.test("a runner killed -9 leaves its stage running; the next repro ends that group before running", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml": `stages:
  slow:
    cmd: if [ -f second ]; then echo second > out.txt; else sleep 60; echo orphan > out.txt; fi
    outs: [out.txt]
`,
  });
  const runner = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "tasks", "repro.ts")],
    cwd: w.root,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let pgid: number | undefined;
  try {
    // Wait (bounded) until the lock names the running stage's process group.
    for (let i = 0; i < 400 && pgid === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const text = await w.read(".cache/repro.lock").catch(() => "");
      pgid = text ? JSON.parse(text).groups?.[0]?.pgid : undefined;
    }
    ok(pgid, "the workspace lock never recorded the stage's process group");
    Deno.kill(runner.pid, "SIGKILL");
    await runner.status;
    ok(await groupAlive(pgid), "the stage should outlive the killed runner (own session)");
    await w.write({ second: "" });
    const next = await w.task("repro");
    strictEqual(next.code, 0, next.stderr);
    match(next.stderr, /recovering a stale workspace lock/);
    match(next.stderr, /ending a stage command the previous run left running .*stage=slow/);
    ok(!(await groupAlive(pgid)), "the orphaned stage is still running");
    strictEqual(await w.read("out.txt"), "second\n");
  } finally {
    if (pgid && await groupAlive(pgid)) Deno.kill(-pgid, "SIGKILL");
    await w.cleanup();
  }
});

Deno.test("SIGHUP (a closed terminal) stops the stages like SIGTERM: exit 130, lock released, run recorded", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml":
      "stages:\n  slow:\n    cmd: sleep 60 && echo late > out.txt\n    outs: [out.txt]\n",
  });
  const runner = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "tasks", "repro.ts")],
    cwd: w.root,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let pgid: number | undefined;
  try {
    for (let i = 0; i < 400 && pgid === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const text = await w.read(".cache/repro.lock").catch(() => "");
      pgid = text ? JSON.parse(text).groups?.[0]?.pgid : undefined;
    }
    ok(pgid, "the workspace lock never recorded the stage's process group");
    Deno.kill(runner.pid, "SIGHUP");
    const { code, stderr } = await runner.output();
    strictEqual(code, 130, new TextDecoder().decode(stderr));
    // The group got SIGTERM; its last members may take a moment to exit.
    for (let i = 0; i < 100 && await groupAlive(pgid); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    ok(!(await groupAlive(pgid)), "the stage kept running after SIGHUP");
    ok(!(await w.exists(".cache/repro.lock")), "the workspace lock was left behind");
    const { runs } = await readRunHistory(join(w.root, ".cache"));
    deepStrictEqual(
      [runs[0].outcome, runs[0].stages.map((s) => [s.name, s.outcome])],
      ["interrupted", [["slow", "interrupted"]]],
    );
  } finally {
    if (pgid && await groupAlive(pgid)) Deno.kill(-pgid, "SIGKILL");
    await w.cleanup();
  }
});

Deno.test({
  name: `a read-only out folder ends with error[EROFS] naming the out, exit 8, lock released${
    tmpfs ? "" : " (needs mount: skipped)"
  }`,
  ignore: !tmpfs,
  async fn() {
    const w = await tempWorkspace({
      "pipeline.yaml": "stages:\n  s:\n    cmd: cp raw.txt out/copy.txt\n    deps: [raw.txt]\n" +
        "    outs: [out/copy.txt]\n",
      "raw.txt": "a\n",
      "out/copy.txt": "old\n",
    });
    const out = join(w.root, "out");
    // A read-only bind mount: root ignores permission bits, not a read-only mount.
    const bind = await new Deno.Command("mount", { args: ["--bind", out, out] }).output();
    ok(bind.success);
    try {
      const ro = await new Deno.Command("mount", { args: ["-o", "remount,bind,ro", out] })
        .output();
      ok(ro.success);
      const run = await w.task("repro");
      strictEqual(run.code, 8, run.stderr);
      match(run.stderr, /error\[EROFS\] .*out\/copy\.txt: read-only file system \(EROFS\)/);
      ok(!(await w.exists(".cache/repro.lock")), "the workspace lock was left behind");
    } finally {
      await new Deno.Command("umount", { args: [out] }).output();
      await w.cleanup();
    }
  },
});
