import assert from "node:assert/strict";
import { historyMetrics, lockParams, MAX_PARAM_VALUE, toMetrics } from "./run_data.ts";

Deno.test("lockParams: mappings flatten to dotted keys, lists stay JSON, other files prefixed", () => {
  const params = lockParams({
    "params.yaml": {
      "split.seed": 42,
      train: { seed: 7, search: { mlp: { hidden: [[64, 32]], dropout: 0.1 } }, backend: "auto" },
      "validate.na": null,
    },
    "conf/extra.yaml": { flag: true },
  });
  assert.deepEqual(params, [
    { key: "split.seed", value: "42" },
    { key: "train.seed", value: "7" },
    { key: "train.search.mlp.hidden", value: "[[64,32]]" },
    { key: "train.search.mlp.dropout", value: "0.1" },
    { key: "train.backend", value: "auto" },
    { key: "validate.na", value: "null" },
    { key: "conf/extra.yaml:flag", value: "true" },
  ]);
  const long = lockParams({ "params.yaml": { big: "x".repeat(MAX_PARAM_VALUE + 10) } });
  assert.equal(long[0].value.length, MAX_PARAM_VALUE);
});

Deno.test("toMetrics: numbers and booleans; strings, nulls, NaN left out; names made legal", () => {
  assert.deepEqual(
    toMetrics(
      { accuracy: 0.9, ok: false, name: "x", roc_auc: null, bad: NaN, "f1@0.5": 0.8 },
      { timestamp: 5, prefix: "evaluate/" },
    ),
    [
      { key: "evaluate/accuracy", value: 0.9, timestamp: 5, step: 0 },
      { key: "evaluate/ok", value: 0, timestamp: 5, step: 0 },
      { key: "evaluate/f1_0.5", value: 0.8, timestamp: 5, step: 0 },
    ],
  );
});

Deno.test("historyMetrics: stages/train.ts's history.json as per-epoch steps", () => {
  const history = {
    selection_metric: "roc_auc",
    chosen: "c2",
    candidates: [
      {
        id: "c1",
        label: "logreg",
        validation: { roc_auc: 0.97 },
        epochs: [
          { epoch: 1, loss: 0.27, val_roc_auc: 0.976 },
          { epoch: 2, loss: 0.19, val_roc_auc: 0.979 },
        ],
      },
      { id: "c2", epochs: [{ epoch: 1, loss: 0.3, val_log_loss: 0.2 }] },
    ],
  };
  const got = historyMetrics(history, 9).map((m) => `${m.key}@${m.step}=${m.value}`);
  assert.deepEqual(got, [
    "c1/loss@1=0.27",
    "c1/val_roc_auc@1=0.976",
    "c1/loss@2=0.19",
    "c1/val_roc_auc@2=0.979",
    "c2/loss@1=0.3",
    "c2/val_log_loss@1=0.2",
    "chosen/loss@1=0.3",
    "chosen/val_log_loss@1=0.2",
  ]);
  assert.deepEqual(historyMetrics({ something: "else" }, 1), []);
  assert.deepEqual(historyMetrics(null, 1), []);
  assert.deepEqual(historyMetrics({ candidates: [{ id: "c", epochs: [{ loss: 1 }] }] }, 1), []);
});
