/**
 * The remote cache end to end. In-process, with a second LocalStore as the
 * remote: repro restores a stage from the remote run-cache instead of running
 * it, and an unreachable remote only costs a warning. Against MinIO, through
 * the tasks as a user runs them: push → wipe → pull → status is fresh; a
 * second workspace restores from the remote run-cache; a server that is down
 * fails push fast with exit 7 naming the endpoint.
 *
 * MinIO tests need the test services (`deno task test` starts them); run
 * alone without the variables they are skipped, as their names say.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { ServiceError } from "../lib/errors.ts";
import { memoryLogger } from "../lib/log.ts";
import { buildGraph } from "../lib/runner/spec/graph.ts";
import { LocalStore } from "../lib/runner/cache/local_store.ts";
import type { ObjectStore } from "../lib/runner/cache/object_store.ts";
import { repro } from "../lib/runner/run/repro.ts";
import { loadPipeline } from "../lib/runner/spec/spec.ts";
import { pushCache } from "../lib/runner/cache/sync.ts";
import { S3Bucket } from "../lib/s3/bucket.ts";
import { openWorkspace } from "../lib/runner/cache/workspace.ts";
import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
import { outcomes, REPO, type TempWorkspace, tempWorkspace } from "./_workspace.ts";

// Every command appends its stage name to runs.log, so a test can see what ran.
const PIPELINE = `stages:
  prepare:
    cmd: echo prepare >> runs.log && tr a-z A-Z < raw.txt > upper.txt
    deps: [raw.txt]
    outs: [upper.txt]
  side:
    cmd: echo side >> runs.log && mkdir -p side && cp upper.txt side/a.txt && echo y > side/b.txt
    deps: [upper.txt]
    outs: [side]
`;
const SOURCES = { "pipeline.yaml": PIPELINE, "raw.txt": "hello\n" };

async function runs(w: TempWorkspace): Promise<string[]> {
  return (await w.read("runs.log").catch(() => "")).split("\n").filter(Boolean);
}

/** Reproduce `w` in-process with `remote` as the workspace's remote. */
async function reproWith(w: TempWorkspace, remote: ObjectStore) {
  const log = memoryLogger();
  const ws = await openWorkspace({ root: w.root, remote }, log);
  try {
    const summary = await repro(ws, buildGraph(await loadPipeline(w.root)));
    return { summary, log, ws };
  } finally {
    await ws.close();
  }
}

Deno.test("repro restores a stage from the remote run-cache instead of running it", async () => {
  const first = await tempWorkspace(SOURCES);
  const second = await tempWorkspace(SOURCES);
  const remote = new LocalStore(join(first.root, "remote"));
  try {
    const a = await reproWith(first, remote);
    deepStrictEqual(outcomes(a.summary), { prepare: "ran", side: "ran" });
    await pushCache(a.ws.store, remote, { lock: await first.lock(), log: memoryLogger() });

    const b = await reproWith(second, remote);
    deepStrictEqual(b.summary.errors, []);
    deepStrictEqual(outcomes(b.summary), { prepare: "restored", side: "restored" });
    deepStrictEqual(await runs(second), [], "nothing ran in the second workspace");
    strictEqual(await second.read("side/a.txt"), "HELLO\n");
    deepStrictEqual(await second.lock(), await first.lock());
    const restored = b.log.records.filter((r) => r.msg === "restored from remote run-cache");
    deepStrictEqual(restored.map((r) => r.fields.stage), ["prepare", "side"]);
    ok(await b.ws.store.getRun((await Array.fromAsync(remote.listRuns()))[0].signature));
  } finally {
    await first.cleanup();
    await second.cleanup();
  }
});

/** A remote whose run-cache lookups fail as an unreachable server's would. */
class DownStore extends LocalStore {
  lookups = 0;
  override getRun(): never {
    this.lookups++;
    throw new ServiceError("cannot reach S3 at http://127.0.0.1:1 (ECONNREFUSED)");
  }
}

Deno.test("repro with an unreachable remote warns once and runs the stages", async () => {
  const w = await tempWorkspace(SOURCES);
  try {
    const remote = new DownStore(join(w.root, "remote"));
    const { summary, log } = await reproWith(w, remote);
    deepStrictEqual(outcomes(summary), { prepare: "ran", side: "ran" });
    strictEqual(remote.lookups, 1, "not asked again after the first failure");
    const warned = log.records.filter((r) => r.level === "warn");
    deepStrictEqual(warned.map((r) => r.msg), ["remote run-cache unavailable; stages run locally"]);
  } finally {
    await w.cleanup();
  }
});

// ---- Against MinIO, through the tasks ----

const env = servicesFromEnv();
const s3 = serviceGate(env, {
  S3_ENDPOINT_URL: env.s3EndpointUrl,
  AWS_ACCESS_KEY_ID: env.awsAccessKeyId,
  AWS_SECRET_ACCESS_KEY: env.awsSecretAccessKey,
  THREATLINE_TEST_BUCKET: env.testBucket,
});
const runId = crypto.randomUUID().slice(0, 8);

/** The permissions proposed for the `push` and `pull` lines of deno.json. */
const SYNC_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env=THREATLINE_CACHE_DIR,THREATLINE_REMOTE_URL,LOG_TOKENS,LOG_STREAM,AWS_*,HOME," +
  "USERPROFILE,HOMEPATH,HOMEDRIVE,_X_AMZN_TRACE_ID",
  "--allow-sys=hostname,osRelease",
  "--allow-run=kill,deno",
];

/**
 * Run `tasks/NAME.ts` in `w` (push and pull with the permissions proposed for
 * their task lines, others with -A), MLflow tracking off, plus `vars`.
 */
async function task(w: TempWorkspace, name: string, vars: Record<string, string> = {}) {
  const perms = name === "push" || name === "pull" ? SYNC_PERMISSIONS : ["-A"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...perms, join(REPO, "tasks", `${name}.ts`)],
    cwd: w.root,
    env: { NO_COLOR: "1", MLFLOW_TRACKING_URI: "", ...vars },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * A workspace whose threatline.yaml points at a fresh prefix of the test
 * bucket; its cleanup also empties that prefix.
 */
async function s3Workspace(name: string): Promise<TempWorkspace> {
  s3.check();
  const prefix = `remote-test/${runId}/${name}/`;
  const w = await tempWorkspace({
    ...SOURCES,
    "threatline.yaml": `remote:\n  url: s3://${env.testBucket}/${prefix}\n` +
      `  endpoint_url: ${env.s3EndpointUrl}\n  region: ${env.awsRegion ?? "us-east-1"}\n`,
  });
  const removeFolder = w.cleanup;
  w.cleanup = async () => {
    const bucket = new S3Bucket({
      endpoint: env.s3EndpointUrl,
      region: env.awsRegion ?? "us-east-1",
      credentials: { accessKeyId: env.awsAccessKeyId!, secretAccessKey: env.awsSecretAccessKey! },
      bucket: env.testBucket!,
    });
    try {
      for await (const { key } of bucket.list(prefix)) await bucket.delete(key);
    } finally {
      bucket.close();
      await removeFolder();
    }
  };
  return w;
}

/** The variables the subprocesses see: the endpoint from the file, not from the caller. */
const NO_ENDPOINT_OVERRIDE = { AWS_ENDPOINT_URL_S3: "", AWS_ENDPOINT_URL: "" };

Deno.test({
  name: `push, wipe the cache and outs, pull: status is fresh ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    const w = await s3Workspace("roundtrip");
    try {
      strictEqual((await task(w, "repro")).code, 0);
      const pushed = await task(w, "push", NO_ENDPOINT_OVERRIDE);
      strictEqual(pushed.code, 0, pushed.stderr);
      // upper.txt and side/a.txt are one object; side/b.txt and side's manifest the others.
      ok(pushed.stderr.includes("push done copied=3"), pushed.stderr);
      for (const path of [".cache", "upper.txt", "side"]) {
        await Deno.remove(join(w.root, path), { recursive: true });
      }
      strictEqual((await task(w, "status")).code, 1, "stale without its outs");
      const pulled = await task(w, "pull", NO_ENDPOINT_OVERRIDE);
      strictEqual(pulled.code, 0, pulled.stderr);
      ok(pulled.stderr.includes("runs_copied=2"), pulled.stderr);
      const status = await task(w, "status");
      strictEqual(status.code, 0, status.stdout + status.stderr);
      strictEqual(await w.read("side/a.txt"), "HELLO\n");
      const again = await task(w, "push", NO_ENDPOINT_OVERRIDE);
      ok(again.stderr.includes("copied=0 skipped=2"), again.stderr);
    } finally {
      await w.cleanup();
    }
  },
});

Deno.test({
  name: `a second workspace restores from the remote run-cache without running ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    const first = await s3Workspace("second");
    let second: TempWorkspace | undefined;
    try {
      strictEqual((await task(first, "repro")).code, 0);
      strictEqual((await task(first, "push", NO_ENDPOINT_OVERRIDE)).code, 0);
      // A clone of the first: sources, config and lock, but no cache and no outs.
      second = await tempWorkspace({
        ...SOURCES,
        "threatline.yaml": await first.read("threatline.yaml"),
        "pipeline.lock": await first.read("pipeline.lock"),
      });
      const r = await task(second, "repro", NO_ENDPOINT_OVERRIDE);
      strictEqual(r.code, 0, r.stderr);
      ok(r.stderr.includes("restored from remote run-cache stage=prepare"), r.stderr);
      ok(r.stderr.includes("ran=0 restored=2"), r.stderr);
      deepStrictEqual(await runs(second), [], "no stage command ran");
      strictEqual((await task(second, "status")).code, 0);
    } finally {
      await first.cleanup();
      await second?.cleanup();
    }
  },
});

Deno.test({
  name: `push to an S3 endpoint that is down fails fast with exit 7 ${s3.label}`,
  ignore: s3.ignore,
  async fn() {
    const w = await s3Workspace("down");
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const endpoint = `http://127.0.0.1:${closed.addr.port}`;
    closed.close();
    try {
      strictEqual((await task(w, "repro")).code, 0);
      const pushed = await task(w, "push", { AWS_ENDPOINT_URL_S3: endpoint });
      strictEqual(pushed.code, 7, pushed.stderr);
      ok(pushed.stderr.includes(`error[SERVICE]`), pushed.stderr);
      ok(pushed.stderr.includes(`cannot reach S3 at ${endpoint}`), pushed.stderr);
    } finally {
      await w.cleanup();
    }
  },
});

Deno.test("push and pull without a remote: exit 2 saying how to configure one", async () => {
  const w = await tempWorkspace(SOURCES);
  try {
    for (const name of ["push", "pull"]) {
      const r = await task(w, name, { THREATLINE_REMOTE_URL: "" });
      strictEqual(r.code, 2, r.stderr);
      ok(r.stderr.includes(`${name} needs a remote cache`), r.stderr);
      ok(r.stderr.includes("THREATLINE_REMOTE_URL"), r.stderr);
    }
  } finally {
    await w.cleanup();
  }
});
