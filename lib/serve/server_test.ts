import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { memoryLogger } from "../log.ts";
import { isLoopback, ServerHandle } from "./server.ts";

Deno.test("isLoopback", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) {
    strictEqual(isLoopback(h), true, h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.org", "128.0.0.1"]) {
    strictEqual(isLoopback(h), false, h);
  }
});

Deno.test("ServerHandle: a free port, the url, draining, graceful shutdown", async () => {
  const log = memoryLogger();
  const server = ServerHandle.start({
    fetch: () => new Response("hi"),
    hostname: "127.0.0.1",
    port: 0,
    auth: false,
    log,
  });
  ok(server.addr.port > 0);
  strictEqual(server.url, `http://127.0.0.1:${server.addr.port}`);
  strictEqual(await (await fetch(server.url)).text(), "hi");
  strictEqual(server.draining, false);
  const stop = server.shutdown();
  strictEqual(server.draining, true);
  strictEqual(server.shutdown(), stop);
  await stop;
  await server.finished;
  deepStrictEqual(log.records.filter((r) => r.level === "warn"), []);
  ok(log.records.some((r) => r.msg === "listening"));
});

Deno.test("ServerHandle: a loud warning for a non-loopback address without a key, none with one", async () => {
  for (const auth of [false, true]) {
    const log = memoryLogger();
    const server = ServerHandle.start({
      fetch: () => new Response("hi"),
      hostname: "0.0.0.0",
      port: 0,
      auth,
      log,
    });
    await server.shutdown();
    const warned = log.records.some((r) => r.level === "warn" && /WITHOUT AN API KEY/.test(r.msg));
    strictEqual(warned, !auth);
  }
});

Deno.test("ServerHandle.shutdown: drains (new requests 503 SHUTTING_DOWN), waits for the one in flight", async () => {
  const log = memoryLogger();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const server = ServerHandle.start({
    fetch: async (req) => {
      if (new URL(req.url).pathname === "/slow") {
        entered();
        await gate;
      }
      return new Response("done");
    },
    hostname: "127.0.0.1",
    port: 0,
    auth: false,
    log,
  });
  const slow = fetch(`${server.url}/slow`);
  await inside;
  strictEqual(server.inFlight, 1);
  let stopped = false;
  const stop = server.shutdown().then(() => (stopped = true));
  const late = await fetch(`${server.url}/other`);
  strictEqual(late.status, 503);
  strictEqual(late.headers.get("connection"), "close");
  strictEqual((await late.json()).error.code, "SHUTTING_DOWN");
  strictEqual(stopped, false);
  release();
  strictEqual(await (await slow).text(), "done");
  await stop;
  strictEqual(stopped, true);
});

Deno.test("ServerHandle.shutdown: a request still running after graceMs is warned about", async () => {
  const log = memoryLogger();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const server = ServerHandle.start({
    fetch: async () => {
      entered();
      await gate;
      return new Response("late");
    },
    hostname: "127.0.0.1",
    port: 0,
    auth: false,
    log,
  });
  const slow = fetch(server.url).then((r) => r.text());
  await inside;
  const stop = server.shutdown({ graceMs: 1 });
  // Deno's shutdown waits for the handler itself; let it finish.
  while (!log.records.some((r) => r.level === "warn")) await new Promise((r) => setTimeout(r, 1));
  release();
  strictEqual(await slow, "late");
  await stop;
  ok(log.records.some((r) => r.level === "warn" && r.fields.in_flight === 1));
});
