import { deepStrictEqual, rejects } from "node:assert/strict";
import { runLanes } from "./_search_lanes.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

Deno.test("runLanes: networks on the caller, trees on the lanes, results keyed by candidate", async () => {
  const where: string[] = [];
  const out = await runLanes({
    jobs: [0, 1, 2, 3],
    callerOnly: (i) => i % 2 === 0,
    lanes: ["a"],
    run: async (i, lane) => {
      await tick();
      where.push(`${i}@${lane ?? "caller"}`);
      return i * 10;
    },
    mayStart: () => true,
  });
  deepStrictEqual([...out.entries()].sort((a, b) => a[0] - b[0]), [[0, 0], [1, 10], [2, 20], [
    3,
    30,
  ]]);
  deepStrictEqual(where.sort(), ["0@caller", "1@a", "2@caller", "3@a"]);
});

Deno.test("runLanes: without lanes the caller runs every candidate in order", async () => {
  const order: number[] = [];
  await runLanes({
    jobs: [2, 0, 1],
    callerOnly: () => false,
    lanes: [],
    run: (i) => Promise.resolve(order.push(i)),
    mayStart: () => true,
  });
  deepStrictEqual(order, [2, 0, 1]);
});

Deno.test("runLanes: a failure starts nothing more, discards the finished and throws", async () => {
  const discarded: number[] = [];
  let starts = 0;
  await rejects(
    runLanes({
      jobs: [0, 1, 2, 3],
      callerOnly: () => false,
      lanes: ["a"],
      run: async (i) => {
        starts++;
        await tick();
        if (i === 1) throw new Error("boom");
        return i;
      },
      mayStart: () => true,
      discard: (t) => discarded.push(t),
    }),
    /boom/,
  );
  deepStrictEqual([starts, discarded], [2, [0]]);
});
