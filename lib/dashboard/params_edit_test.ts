import assert from "node:assert/strict";
import { parseOverrides, setParams } from "./params_edit.ts";

Deno.test("setParams keeps comments and refuses unknown keys", () => {
  const text = "# top\ntrain:\n  epochs: 60 # max epochs\n  hidden: [8]\n";
  const out = setParams(text, parseOverrides("train.epochs=5\ntrain.hidden=[4, 2]\n"));
  assert.equal(out, "# top\ntrain:\n  epochs: 5 # max epochs\n  hidden: [ 4, 2 ]\n");
  assert.throws(() => setParams(text, { "train.nope": 1 }), /no param 'train.nope'/);
  assert.throws(() => parseOverrides("epochs"), /line 1: expected key=value/);
});
