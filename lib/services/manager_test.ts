/**
 * The manager against fake services: small Deno HTTP servers started exactly
 * like the real ones (detached, logged, probed), so up/release/down/status
 * are tested without building anything.
 */
import assert from "node:assert/strict";
import { ServiceError } from "../errors.ts";
import { memoryLogger } from "../log.ts";
import type { ServicesConfig } from "./config.ts";
import {
  serviceEnvVars,
  servicesDown,
  servicesRelease,
  servicesStatus,
  servicesUp,
} from "./manager.ts";
import { isAlive } from "./process.ts";
import type { ServiceDef } from "./servers.ts";
import { readState, type ServiceName } from "./state.ts";

const SERVE = "Deno.serve({ hostname: '127.0.0.1', port: PORT, onListen() {} }, () => " +
  "new Response('ok'));";

function fake(name: ServiceName, script = SERVE): ServiceDef {
  return {
    name,
    server: `fake ${name}`,
    portNames: ["http"],
    readyTimeoutMs: 20_000,
    install: () => Promise.resolve(Deno.execPath()),
    launch: (_exe, ports) => ({
      args: ["eval", "--no-check", script.replace("PORT", String(ports.http))],
      env: {},
    }),
    url: (ports) => `http://127.0.0.1:${ports.http}`,
    async probe(rec, signal) {
      const res = await fetch(rec.url, { signal });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    env: (rec) => ({ [`FAKE_${name.toUpperCase()}_URL`]: rec.url }),
  };
}

async function withWorkspace(fn: (config: ServicesConfig) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const config = {
    workspace: dir,
    stateDir: `${dir}/.cache/services`,
    toolCache: `${dir}/tools`,
    python: "python3",
  };
  try {
    await fn(config);
  } finally {
    await servicesDown({ config, log: memoryLogger() }).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("manager: up, reuse, release by the last holder stops everything", async () => {
  await withWorkspace(async (config) => {
    const services = [fake("s3"), fake("mongodb")];
    const log = memoryLogger();
    const first = await servicesUp({ config, log, services, holder: Deno.pid });
    assert.deepEqual(first.started, ["s3", "mongodb"]);
    const pids = services.map((s) => first.state.services[s.name]!.pid);
    assert.ok(pids.every(isAlive));
    assert.deepEqual(Object.keys(serviceEnvVars(first.state, services)), [
      "FAKE_S3_URL",
      "FAKE_MONGODB_URL",
    ]);
    assert.deepEqual((await servicesStatus({ config, log, services })).map((s) => s.status), [
      "up",
      "up",
    ]);

    // A second run (another live holder) reuses them; the first leaving keeps them up.
    const otherRun = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      const second = await servicesUp({ config, log, services, holder: otherRun.pid });
      assert.deepEqual(second.reused, ["s3", "mongodb"]);
      assert.deepEqual(second.started, []);
      assert.deepEqual(await servicesRelease({ config, log, holder: Deno.pid }), []);
      assert.ok(pids.every(isAlive));
      assert.deepEqual(await servicesRelease({ config, log, holder: otherRun.pid }), [
        "s3",
        "mongodb",
      ]);
    } finally {
      otherRun.kill();
      await otherRun.status;
    }
    assert.ok(!pids.some(isAlive));
    assert.equal(await readState(config.stateDir), undefined);
    assert.deepEqual((await servicesStatus({ config, log, services })).map((s) => s.status), [
      "down",
      "down",
    ]);
  });
});

Deno.test("manager: pinned services survive release; down stops them", async () => {
  await withWorkspace(async (config) => {
    const services = [fake("mlflow")];
    const log = memoryLogger();
    const up = await servicesUp({ config, log, services }); // by hand: pinned
    const pid = up.state.services.mlflow!.pid;
    assert.deepEqual(await servicesRelease({ config, log, holder: Deno.pid }), []);
    assert.ok(isAlive(pid));
    assert.deepEqual(await servicesDown({ config, log, services }), ["mlflow"]);
    assert.ok(!isAlive(pid));
  });
});

Deno.test("manager: a dead recorded server is restarted by up", async () => {
  await withWorkspace(async (config) => {
    const services = [fake("s3")];
    const log = memoryLogger();
    const first = await servicesUp({ config, log, services });
    const old = first.state.services.s3!.pid;
    Deno.kill(old, "SIGKILL");
    for (let i = 0; i < 100 && isAlive(old); i++) await new Promise((r) => setTimeout(r, 20));
    const second = await servicesUp({ config, log, services });
    assert.deepEqual(second.started, ["s3"]);
    assert.notEqual(second.state.services.s3!.pid, old);
    assert.ok(log.records.some((r) => r.level === "warn" && /not healthy/.test(r.msg)));
  });
});

Deno.test("manager: a server that dies at start fails up with its log; nothing is left", async () => {
  await withWorkspace(async (config) => {
    const good = fake("s3");
    const bad = fake("mongodb", "console.error('boom: cannot open data dir'); Deno.exit(3);");
    const log = memoryLogger();
    const err = await servicesUp({ config, log, services: [good, bad], holder: Deno.pid })
      .catch((e) => e);
    assert.ok(err instanceof ServiceError);
    assert.match(err.message, /^mongodb \(fake mongodb, pid \d+, http:\/\/127\.0\.0\.1:\d+\)/);
    assert.match(err.message, /its process exited before it answered/);
    assert.match(err.message, /boom: cannot open data dir/);
    assert.equal(await readState(config.stateDir), undefined);
  });
});
