import { ok, strictEqual } from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { serializeModel } from "../learn/model_io.ts";
import { createRng } from "../rng.ts";
import { activateBackend } from "../learn/tf_backend.ts";
import { compileDense, readDenseStack } from "./_dense.ts";

async function stackOf(model: tf.LayersModel) {
  const { modelJson, weights } = await serializeModel(model);
  return readDenseStack(JSON.parse(new TextDecoder().decode(modelJson)), weights);
}

function rows(n: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(n * cols);
  for (let i = 0; i < x.length; i++) x[i] = rng.int(4) === 0 ? 0 : Math.fround(rng.next() * 4 - 2);
  return x;
}

Deno.test("SIMD and JavaScript passes match TensorFlow.js: odd widths, tanh/sigmoid/linear, no bias, zero blocks", async () => {
  await activateBackend("cpu");
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [7], units: 19, activation: "tanh" }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: 5, activation: "sigmoid", useBias: false }));
  m.add(tf.layers.dense({ units: 17, activation: "relu" }));
  m.add(tf.layers.dense({ units: 3, activation: "linear" }));
  m.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  // Zero out a block of the first kernel (as an ensemble's block-diagonal layers have).
  const [k0, ...rest] = m.getWeights();
  const k = k0.arraySync() as number[][];
  for (let j = 0; j < 4; j++) for (let o = 0; o < 16; o++) k[j][o] = 0;
  m.setWeights([tf.tensor2d(k), ...rest]);
  const stack = await stackOf(m);
  ok(typeof stack !== "string", String(stack));
  const x = rows(601, 7, 3);
  const want = (m.predict(tf.tensor2d(x, [601, 7])) as tf.Tensor).dataSync();
  for (const prefer of ["auto", "js"] as const) {
    const runner = compileDense(stack, prefer);
    strictEqual(runner.kind, prefer === "auto" ? "wasm-simd" : "js");
    const got = runner.predict(x, 601);
    let worst = 0;
    for (let i = 0; i < 601; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    ok(worst <= 1e-6, `${runner.kind}: ${worst}`);
    strictEqual(runner.predict(x.subarray(0, 7), 1)[0], got[0]);
  }
  m.dispose();
});

Deno.test("readDenseStack names what it cannot run", async () => {
  await activateBackend("cpu");
  const cases: [tf.Sequential, RegExp][] = [];
  const a = tf.sequential();
  a.add(tf.layers.dense({ inputShape: [3], units: 2, activation: "softmax" }));
  cases.push([a, /activation softmax/]);
  const b = tf.sequential();
  b.add(tf.layers.dense({ inputShape: [3], units: 2 }));
  cases.push([b, /2 units, not 1/]);
  const c = tf.sequential();
  c.add(tf.layers.dense({ inputShape: [3], units: 4 }));
  c.add(tf.layers.batchNormalization());
  c.add(tf.layers.dense({ units: 1 }));
  cases.push([c, /BatchNormalization/]);
  for (const [model, reason] of cases) {
    const s = await stackOf(model);
    ok(typeof s === "string" && reason.test(s), String(s));
    model.dispose();
  }
  ok(/not Sequential/.test(String(readDenseStack({ modelTopology: {} }, new Uint8Array()))));
});
