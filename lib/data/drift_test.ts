import { ok, strictEqual } from "node:assert/strict";
import { columnDrift, isDiscrete } from "./drift.ts";
import { createRng } from "../rng.ts";
import type { ColumnSpec } from "./schema.ts";

const num: ColumnSpec = { name: "x", type: "number", nullable: true };
const cat: ColumnSpec = { name: "p", type: "categorical", nullable: false };
const opts = { pValue: 0.01, psi: 0.2 };

function normals(n: number, mean: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const u = rng.next() || 1e-12, v = rng.next();
    return mean + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  });
}

Deno.test("isDiscrete: categorical, boolean and columns with declared values", () => {
  ok(isDiscrete(cat));
  ok(isDiscrete({ name: "b", type: "boolean", nullable: false }));
  ok(isDiscrete({ name: "t", type: "integer", values: [-1, 1], nullable: false }));
  ok(!isDiscrete({ name: "n", type: "integer", min: 0, nullable: false }));
});

Deno.test("numeric drift: same distribution passes, a shifted one is flagged by KS and PSI", () => {
  const base = normals(2000, 0, 1);
  const same = columnDrift(num, base, normals(800, 0, 2), opts);
  strictEqual(same.test, "ks");
  ok(!same.drifted && same.pValue > 0.01 && same.psi < 0.1, JSON.stringify(same));
  const shifted = columnDrift(num, base, normals(800, 0.5, 3), opts);
  ok(shifted.drifted && shifted.pValue < 1e-6 && shifted.psi > 0.1, JSON.stringify(shifted));
});

Deno.test("numeric drift counts missing values as their own PSI bin", () => {
  const base = normals(1000, 0, 4);
  const holes = normals(1000, 0, 4).map((v, i) => (i % 2 ? null : v));
  const d = columnDrift(num, base, holes, opts);
  ok(d.psi > 1, JSON.stringify(d));
});

Deno.test("categorical drift: chi-square with df, PSI, new categories", () => {
  const a = Array.from({ length: 600 }, (_, i) => ["tcp", "udp", "icmp"][i % 3]);
  const same = columnDrift(cat, a, a.slice(0, 300), opts);
  ok(!same.drifted && same.df === 2 && same.pValue > 0.99, JSON.stringify(same));
  const b = Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? "gre" : "tcp"));
  const moved = columnDrift(cat, a, b, opts);
  ok(moved.drifted && moved.df === 3 && moved.pValue < 1e-10, JSON.stringify(moved));
});
