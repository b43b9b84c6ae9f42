import { deepStrictEqual, ok } from "node:assert/strict";
import { refitCandidate, trainCandidate } from "./fit.ts";
import { scoreReport } from "../reports/metrics.ts";
import { predictProba } from "./models.ts";
import { activateBackend } from "./tf_backend.ts";
import { TOY_MLP, toyMatrix } from "./_testing.ts";

const toy = toyMatrix;
const MLP = TOY_MLP;

Deno.test("trainCandidate learns, stops early, and is deterministic", async () => {
  await activateBackend("cpu");
  const train = toy(240, 5);
  const val = toy(80, 6);
  const run = () =>
    trainCandidate({
      config: MLP,
      train,
      val,
      seed: 11,
      epochs: 12,
      patience: 3,
      batchSize: 32,
      metric: "log_loss",
    });
  const a = await run();
  const b = await run();
  try {
    deepStrictEqual(a.valScores, b.valScores);
    deepStrictEqual(a.history, b.history);
    ok(a.history.length >= a.bestEpoch && a.history.length <= 12);
    ok(scoreReport(val.labels, a.valScores).accuracy > 0.85, "learns x0 + x1 > 0");
    // The returned inference model scores what early stopping saw.
    deepStrictEqual(predictProba(a.model, val.data, val.rows), a.valScores);
  } finally {
    a.model.dispose();
    b.model.dispose();
  }
});

Deno.test("refitCandidate trains a fixed number of epochs reproducibly", async () => {
  await activateBackend("cpu");
  const all = toy(200, 8);
  const opts = { config: MLP, train: all, seed: 2, epochs: 3, batchSize: 50 };
  const a = await refitCandidate(opts);
  const b = await refitCandidate(opts);
  try {
    deepStrictEqual(predictProba(a, all.data, all.rows), predictProba(b, all.data, all.rows));
    deepStrictEqual(a.layers.length, 2);
  } finally {
    a.dispose();
    b.dispose();
  }
});
