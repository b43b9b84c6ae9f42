/**
 * The `deno task` entry points as a user runs them (subprocesses in temporary
 * workspaces): exit codes, status output, the workspace lock, interruption,
 * corrupt-cache detection, dag, gc, metrics and params diffs.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { REPO, tempWorkspace } from "./_workspace.ts";

const PIPELINE = `stages:
  prepare:
    cmd: tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  score:
    cmd: >-
      echo "{\\"accuracy\\": $(grep acc params.yaml | cut -d' ' -f4)}" > metrics.json
    deps: [upper.txt]
    params: [score.acc]
    metrics: [metrics.json]
`;

async function setup() {
  return await tempWorkspace({
    "pipeline.yaml": PIPELINE,
    "params.yaml": "score:\n  acc: 0.5\n",
    "raw.txt": "hello\n",
  });
}

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@t", ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

Deno.test("status: exit 1 with the reason while stale, 0 when fresh; --json", async () => {
  const w = await setup();
  const before = await w.task("status");
  strictEqual(before.code, 1);
  ok(before.stdout.includes("prepare: new stage"), before.stdout);
  strictEqual((await w.task("repro")).code, 0);
  const after = await w.task("status");
  strictEqual(after.code, 0, after.stderr);
  ok(after.stdout.includes("up to date"));
  await w.write({ "params.yaml": "score:\n  acc: 0.75\n" });
  const json = await w.task("status", ["--json"]);
  strictEqual(json.code, 1);
  const parsed = JSON.parse(json.stdout);
  strictEqual(parsed.fresh, false);
  deepStrictEqual(parsed.stages.map((s: { state: string }) => s.state), ["fresh", "stale"]);
  strictEqual(parsed.stages[1].reason.kind, "param_changed");
  await w.cleanup();
});

Deno.test("status --lock-only checks a fresh clone without artifacts against the lock", async () => {
  const w = await setup();
  await w.task("repro");
  await Deno.remove(join(w.root, "upper.txt"));
  await Deno.remove(join(w.root, "metrics.json"));
  strictEqual((await w.task("status")).code, 1, "outs are missing");
  const lockOnly = await w.task("status", ["--lock-only"]);
  strictEqual(lockOnly.code, 0, lockOnly.stdout + lockOnly.stderr);
  await w.write({ "raw.txt": "changed\n" });
  const stale = await w.task("status", ["--lock-only"]);
  strictEqual(stale.code, 1);
  ok(stale.stdout.includes("dep 'raw.txt' changed"));
  await w.cleanup();
});

Deno.test("a second repro on the same workspace is refused while the first runs", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml":
      "stages:\n  slow:\n    cmd: touch started; sleep 5; echo done > out.txt\n    outs: [out.txt]\n",
  });
  const first = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "tasks", "repro.ts")],
    cwd: w.root,
    stdout: "null",
    stderr: "null",
  }).spawn();
  while (!(await w.exists("started"))) await new Promise((r) => setTimeout(r, 50));
  const second = await w.task("repro");
  strictEqual(second.code, 5, second.stderr);
  ok(second.stderr.includes(`pid ${first.pid}`), second.stderr);
  first.kill("SIGTERM");
  const status = await first.status;
  strictEqual(status.code, 130);
  // The lock was released: a new run is accepted (and re-runs the interrupted stage).
  await w.write({
    "pipeline.yaml": "stages:\n  slow:\n    cmd: echo done > out.txt\n    outs: [out.txt]\n",
  });
  strictEqual((await w.task("repro")).code, 0);
  await w.cleanup();
});

Deno.test("SIGINT stops the running stage, keeps finished stages in the lock, exits 130", async () => {
  const w = await tempWorkspace({
    "pipeline.yaml": `stages:
  quick:
    cmd: echo q > q.txt
    outs: [q.txt]
  slow:
    cmd: (sleep 1; touch orphan) & touch started; sleep 30; echo s > s.txt
    deps: [q.txt]
    outs: [s.txt]
`,
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "tasks", "repro.ts")],
    cwd: w.root,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  while (!(await w.exists("started"))) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGINT");
  const out = await child.output();
  strictEqual(out.code, 130);
  ok(new TextDecoder().decode(out.stderr).includes("interrupted by SIGINT"));
  deepStrictEqual(Object.keys((await w.lock()).stages), ["quick"]);
  await new Promise((r) => setTimeout(r, 1300));
  strictEqual(await w.exists("orphan"), false, "the stage's whole process group was stopped");
  strictEqual(await w.exists(".cache/repro.lock"), false);
  await w.cleanup();
});

Deno.test("a corrupt cache object is detected and never restored", async () => {
  const w = await setup();
  await w.task("repro");
  const lock = await w.lock();
  const hash = lock.stages.prepare.outs[0].hash;
  // Find the object file and tamper with it.
  let objectPath: string | undefined;
  for await (const e of walk(join(w.root, ".cache"))) if (e.endsWith(hash.slice(2))) objectPath = e;
  ok(objectPath, "object file found in the cache");
  await Deno.chmod(objectPath!, 0o644).catch(() => {});
  await Deno.writeTextFile(objectPath!, "TAMPERED\n");
  await Deno.remove(join(w.root, "upper.txt"));
  const co = await w.task("checkout");
  strictEqual(co.code, 6, co.stderr);
  ok(co.stderr.includes("corrupt"));
  strictEqual(await w.exists("upper.txt"), false);
  // repro does not restore it either: it runs the stage and gets the right content.
  const r = await w.task("repro");
  strictEqual(r.code, 0, r.stderr);
  strictEqual(await w.read("upper.txt"), "HELLO\n");
  await w.cleanup();
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}

Deno.test("dag prints text, mermaid and dot", async () => {
  const w = await setup();
  const mermaid = await w.task("dag", ["--mermaid"]);
  strictEqual(mermaid.code, 0);
  ok(mermaid.stdout.includes("flowchart"));
  ok(
    mermaid.stdout.includes('s0["prepare"]') && mermaid.stdout.includes('s1["score"]'),
    mermaid.stdout,
  );
  ok(mermaid.stdout.includes("s0 --> s1"), mermaid.stdout);
  const dot = await w.task("dag", ["--dot"]);
  ok(dot.stdout.includes("digraph"));
  strictEqual((await w.task("dag", ["--mermaid", "--dot"])).code, 2);
  await w.cleanup();
});

Deno.test("gc removes objects the lock no longer references", async () => {
  const w = await setup();
  await w.task("repro");
  await w.write({ "raw.txt": "second version\n" });
  await w.task("repro");
  const count = async () => {
    let n = 0;
    for await (const _ of walk(join(w.root, ".cache", "files"))) n++;
    return n;
  };
  const before = await count();
  const gc = await w.task("gc");
  strictEqual(gc.code, 0, gc.stderr);
  ok((await count()) < before, "objects were removed");
  strictEqual((await w.task("status")).code, 0, "the workspace is still fresh");
  await Deno.remove(join(w.root, "upper.txt"));
  strictEqual((await w.task("checkout")).code, 0, "current outs are still in the cache");
  await w.cleanup();
});

Deno.test("metrics show/diff and params diff compare against a git revision", async () => {
  const w = await setup();
  await w.write({ ".gitignore": ".cache/\nupper.txt\nmetrics.json\n" });
  await w.task("repro");
  await git(w.root, "init", "-q");
  await git(w.root, "add", "-A");
  await git(w.root, "commit", "-qm", "first");
  await w.write({ "params.yaml": "score:\n  acc: 0.75\n" });
  await w.task("repro");
  const show = await w.task("metrics", ["show"]);
  ok(show.stdout.includes("accuracy") && show.stdout.includes("0.75"), show.stdout);
  const diff = await w.task("metrics", ["diff", "HEAD", "--json"]);
  strictEqual(diff.code, 0, diff.stderr);
  deepStrictEqual(JSON.parse(diff.stdout).rows, [
    { file: "metrics.json", key: "accuracy", old: 0.5, new: 0.75, change: 0.25 },
  ]);
  const params = await w.task("params", ["diff", "--json"]);
  deepStrictEqual(JSON.parse(params.stdout).rows, [
    { file: "params.yaml", key: "score.acc", old: 0.5, new: 0.75, change: 0.25 },
  ]);
  const bad = await w.task("metrics", ["diff", "no-such-rev"]);
  strictEqual(bad.code, 2);
  ok(bad.stderr.includes("'no-such-rev' is not a git revision"));
  await w.cleanup();
});

Deno.test("bad command lines exit 2 with the usage", async () => {
  const w = await setup();
  const r = await w.task("repro", ["--jobs", "zero"]);
  strictEqual(r.code, 2);
  ok(r.stderr.includes("--jobs must be a positive integer"));
  const u = await w.task("status", ["--bogus"]);
  strictEqual(u.code, 2);
  ok(u.stderr.includes("usage: deno task status"));
  const unknown = await w.task("repro", ["nope"]);
  strictEqual(unknown.code, 2);
  ok(unknown.stderr.includes("nope"));
  await w.cleanup();
});
