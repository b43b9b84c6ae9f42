import assert from "node:assert/strict";
import { freePorts, isListening, LOOPBACK } from "./ports.ts";

Deno.test("freePorts: distinct loopback ports that can be bound right away", () => {
  const ports = freePorts(3);
  assert.equal(new Set(ports).size, 3);
  for (const port of ports) {
    assert.ok(port > 0 && port < 65536);
    const listener = Deno.listen({ hostname: LOOPBACK, port });
    listener.close();
  }
  assert.deepEqual(freePorts(0), []);
  assert.throws(() => freePorts(-1), RangeError);
});

Deno.test("isListening: true while a listener is open, false after", async () => {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const accepted = listener.accept().then((conn) => conn.close());
  assert.equal(await isListening(listener.addr.port), true);
  await accepted;
  listener.close();
  assert.equal(await isListening(listener.addr.port), false);
});
