import { deepStrictEqual, throws } from "node:assert/strict";
import { DataError } from "../errors.ts";
import { decodeMatrix, encodeMatrix, type Matrix } from "./matrix.ts";

Deno.test("matrix: categorical column counts round-trip; all-numeric files carry none", () => {
  const m: Matrix = {
    rows: 2,
    cols: 2,
    columns: ["bytes", "service"],
    data: Float32Array.of(1.5, 0, 2.5, 3),
    labels: Uint8Array.of(0, 1),
    categorical: [0, 70],
  };
  deepStrictEqual(decodeMatrix(encodeMatrix(m)), m);
  const numeric = { ...m, categorical: [0, 0] };
  deepStrictEqual(decodeMatrix(encodeMatrix(numeric)).categorical, undefined);
  const { categorical: _, ...plain } = m;
  deepStrictEqual(decodeMatrix(encodeMatrix(plain)), plain);
});

Deno.test("matrix: a bad categorical header is a DataError naming the file", () => {
  const bytes = encodeMatrix({
    rows: 1,
    cols: 1,
    columns: ["a"],
    data: Float32Array.of(1),
    labels: Uint8Array.of(0),
    categorical: [3],
  });
  const text = new TextDecoder().decode(bytes);
  const bad = new TextEncoder().encode(text.replace('"categorical":[3]', '"categorical":[-1]'));
  throws(
    () => decodeMatrix(bad, "x.mat"),
    (e: unknown) =>
      e instanceof DataError &&
      /x\.mat/.test(String(e.message) + JSON.stringify((e as DataError).where)),
  );
});
