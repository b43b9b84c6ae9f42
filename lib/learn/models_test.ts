import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  averageLogits,
  buildModel,
  describeConfig,
  gatherRows,
  predictProba,
  takeRows,
} from "./models.ts";
import { createRng } from "../rng.ts";
import { activateBackend } from "./tf_backend.ts";
import { TOY_MLP, toyMatrix } from "./_testing.ts";

const toy = toyMatrix;
const MLP = TOY_MLP;

Deno.test("gatherRows and takeRows copy the named rows", () => {
  deepStrictEqual(
    gatherRows(new Float32Array([1, 2, 3, 4, 5, 6]), 2, [2, 0]),
    new Float32Array([5, 6, 1, 2]),
  );
  const m = toy(5, 1);
  const t = takeRows(m, [4, 1]);
  deepStrictEqual([t.rows, t.cols, t.columns], [2, 4, m.columns]);
  deepStrictEqual(t.labels, new Uint8Array([m.labels[4], m.labels[1]]));
  deepStrictEqual(t.data.subarray(0, 4), m.data.subarray(16, 20));
});

Deno.test("describeConfig labels a config", () => {
  deepStrictEqual(describeConfig(MLP), "mlp[8] lr=0.05 l2=0.0001 dropout=0.2");
});

Deno.test("buildModel: seeded, and no dropout layer without a dropout RNG", async () => {
  await activateBackend("cpu");
  const a = buildModel(MLP, 4, { seed: 3 });
  const b = buildModel(MLP, 4, { seed: 3 });
  const withDropout = buildModel(MLP, 4, { seed: 3, dropoutRng: createRng(1) });
  try {
    deepStrictEqual(a.layers.length, 2);
    deepStrictEqual(withDropout.layers.length, 3);
    const x = toy(6, 2);
    deepStrictEqual(predictProba(a, x.data, x.rows), predictProba(b, x.data, x.rows));
    // Dropout is inactive when predicting.
    deepStrictEqual(predictProba(withDropout, x.data, x.rows), predictProba(a, x.data, x.rows));
    throws(() => predictProba(a, x.data, x.rows + 1), RangeError);
    // Chunked scoring equals one call.
    deepStrictEqual(predictProba(a, x.data, x.rows, 4), predictProba(a, x.data, x.rows));
  } finally {
    a.dispose();
    b.dispose();
    withDropout.dispose();
  }
});

Deno.test("averageLogits: one Dense stack scoring sigmoid(mean of the members' logits)", async () => {
  await activateBackend("cpu");
  const x = toy(7, 4);
  const logit = (p: number) => Math.log(p / (1 - p));
  for (
    const config of [{ ...MLP, hidden: [5, 3] }, { ...MLP, family: "logreg" as const, hidden: [] }]
  ) {
    const members = [1, 2, 3].map((seed) => buildModel(config, 4, { seed }));
    const ensemble = averageLogits(members, config);
    try {
      const each = members.map((m) => predictProba(m, x.data, x.rows));
      const got = predictProba(ensemble, x.data, x.rows);
      got.forEach((p, i) => {
        const z = (logit(each[0][i]) + logit(each[1][i]) + logit(each[2][i])) / 3;
        ok(Math.abs(p - 1 / (1 + Math.exp(-z))) < 1e-5, `row ${i}`);
      });
      deepStrictEqual(
        ensemble.layers.map((l) => l.getClassName()),
        members[0].layers.map(() => "Dense"),
      );
      deepStrictEqual(ensemble.layers.map((l) => (l.getConfig() as { units: number }).units), [
        ...config.hidden.map((h) => 3 * h),
        1,
      ]);
      deepStrictEqual(averageLogits([members[0]], config), members[0]);
    } finally {
      ensemble.dispose();
      members.forEach((m) => m.dispose());
    }
  }
});
