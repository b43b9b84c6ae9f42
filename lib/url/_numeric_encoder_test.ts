import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { loadPreprocess } from "../learn/preprocess.ts";
import { numericSpec, numericSpecFromJson } from "./_numeric_encoder.ts";
import { writeTestUrlModel } from "./_testing.ts";

Deno.test("numericSpecFromJson: the generic loader's columns and numbers, or undefined", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTestUrlModel(dir, ["lengths", "structure"]);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/preprocess.json`));
    delete json.reference;
    const pre = loadPreprocess(json);
    const light = numericSpecFromJson(json)!;
    deepStrictEqual(light.names, pre.inputs);
    deepStrictEqual(light.numeric, numericSpec(pre));
    // Anything but plain numeric columns: the generic loader's business.
    const oneHot = structuredClone(json);
    oneHot.features[0] = { ...oneHot.features[0], kind: "one_hot", categories: ["1"] };
    strictEqual(numericSpecFromJson(oneHot), undefined);
    const bad = structuredClone(json);
    bad.features[1].scale = 0;
    strictEqual(numericSpecFromJson(bad), undefined);
    strictEqual(numericSpecFromJson({ ...json, format: "preprocess/2" }), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
