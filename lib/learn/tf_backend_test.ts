import { deepStrictEqual, ok } from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { activateBackend, MEASURED_BACKEND, pickBackend, wasmBinaryDir } from "./tf_backend.ts";

Deno.test("pickBackend: auto is the measured choice, a name overrides it", () => {
  for (const use of ["training", "batch", "single"] as const) {
    deepStrictEqual(pickBackend(use), MEASURED_BACKEND[use]);
    deepStrictEqual(pickBackend(use, "cpu"), "cpu");
    deepStrictEqual(pickBackend(use, "wasm"), "wasm");
  }
});

Deno.test("wasmBinaryDir finds the .wasm files on disk", async () => {
  const dir = wasmBinaryDir();
  ok(dir, "resolves to a local folder");
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".wasm")) names.push(e.name);
  ok(names.includes("tfjs-backend-wasm-simd.wasm"), names.join(","));
});

Deno.test("activateBackend switches between wasm and cpu and both compute", async () => {
  for (const name of ["wasm", "cpu"] as const) {
    deepStrictEqual(await activateBackend(name), name);
    deepStrictEqual(tf.getBackend(), name);
    const y = tf.tidy(() =>
      tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1]])).dataSync()
    );
    deepStrictEqual(Array.from(y), [3, 7]);
  }
});
