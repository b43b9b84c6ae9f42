import assert from "node:assert/strict";
import { classDistributions } from "./class_distributions.ts";
import type { Table } from "../data/table.ts";

Deno.test("classDistributions: discrete values and numeric bins by class, missing counted", () => {
  const table = {
    file: "t.csv",
    columns: [
      { name: "proto", type: "categorical", nullable: true },
      { name: "bytes", type: "number", nullable: true },
    ],
    cells: [["tcp", "udp", "tcp", null, "icmp"], [0, 10, 5, null, 10]],
    lines: [2, 3, 4, 5, 6],
    labels: new Uint8Array([1, 0, 1, 0, 255]),
    rows: 5,
  } as unknown as Table;
  const d = classDistributions(table, ["proto", "bytes", "absent"], { maxValues: 1, bins: 2 });
  assert.deepEqual(d.proto, {
    kind: "discrete",
    bins: ["tcp", "(other)", "(missing)"],
    byClass: { threat: [2, 0, 0], benign: [0, 1, 1] },
  });
  assert.deepEqual(d.bytes, {
    kind: "numeric",
    bins: ["[0, 5)", "[5, 10)", "(missing)"],
    byClass: { threat: [1, 1, 0], benign: [0, 1, 1] },
  });
  assert.equal(d.absent, undefined);
});
