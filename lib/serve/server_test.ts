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
