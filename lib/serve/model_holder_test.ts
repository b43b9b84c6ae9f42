import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { memoryLogger } from "../log.ts";
import { fakeModel, testPreprocess } from "./_testing.ts";
import { ModelHolder } from "./model_holder.ts";

const pre = await testPreprocess();

Deno.test("ModelHolder: empty until the first swap", () => {
  const holder = new ModelHolder();
  strictEqual(holder.ready, false);
  strictEqual(holder.acquire(), undefined);
  holder.swap(fakeModel("v1", pre), { source: "dir" });
  strictEqual(holder.ready, true);
  strictEqual(holder.version, "v1");
  const lease = holder.acquire()!;
  deepStrictEqual([lease.model.version, lease.info.source], ["v1", "dir"]);
  lease.release();
});

Deno.test("ModelHolder: a swap keeps the old model alive until its last lease is released", () => {
  const log = memoryLogger();
  const holder = new ModelHolder({ log });
  const swaps: unknown[] = [];
  holder.onSwap(({ from, to }) => swaps.push([from, to]));
  const v1 = fakeModel("v1", pre);
  const v2 = fakeModel("v2", pre);
  holder.swap(v1, { source: "a" });
  const a = holder.acquire()!;
  const b = holder.acquire()!;
  strictEqual(holder.swap(v2, { source: "b" }), true);
  strictEqual(holder.version, "v2");
  const c = holder.acquire()!;
  strictEqual(c.model, v2);
  strictEqual(v1.disposed, 0);
  a.release();
  a.release(); // a second release is a no-op
  strictEqual(v1.disposed, 0);
  b.release();
  strictEqual(v1.disposed, 1);
  c.release();
  strictEqual(v2.disposed, 0);
  deepStrictEqual(swaps, [[undefined, "v1"], ["v1", "v2"]]);
  ok(log.records.some((r) => r.msg === "model answering" && r.fields.version === "v2"));
});

Deno.test("ModelHolder: an unused old model is disposed at once; the same version is not a swap", () => {
  const holder = new ModelHolder();
  const v1 = fakeModel("v1", pre);
  holder.swap(v1, { source: "a" });
  const again = fakeModel("v1", pre);
  strictEqual(holder.swap(again, { source: "a" }), false);
  deepStrictEqual([again.disposed, v1.disposed], [1, 0]);
  holder.swap(fakeModel("v2", pre), { source: "a" });
  strictEqual(v1.disposed, 1);
});

Deno.test("ModelHolder: close stops lending and resolves once every lease is back", async () => {
  const holder = new ModelHolder();
  const v1 = fakeModel("v1", pre);
  holder.swap(v1, { source: "a" });
  const lease = holder.acquire()!;
  let closed = false;
  const done = holder.close().then(() => (closed = true));
  strictEqual(holder.ready, false);
  strictEqual(holder.acquire(), undefined);
  await Promise.resolve();
  strictEqual(closed, false);
  lease.release();
  await done;
  deepStrictEqual([closed, v1.disposed], [true, 1]);
  const late = fakeModel("v9", pre);
  throws(() => holder.swap(late, { source: "a" }), RangeError);
  strictEqual(late.disposed, 1);
});
