// Opt-in multiclass in serve: a tiny release with a class model
// (multiclass.json, one-vs-rest trees as the train stage fits them) answers
// /v1/predict and /v1/predict/csv with `class` and `class_probability`, the
// same as the class model on the same encoded rows; /openapi.json lists the
// classes. A binary release answers without them.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { nullLogger } from "../log.ts";
import { csvRows } from "../scoring/_testing.ts";
import { writeMulticlassRelease } from "./_testing.ts";
import { createApp } from "./app.ts";
import { DEFAULT_LIMITS } from "./body.ts";
import { loadServedModel } from "./classes.ts";
import { createMetrics } from "./metrics.ts";
import { ModelHolder } from "./model_holder.ts";

const { dir, names: NAMES, csv, want } = await writeMulticlassRelease();
const binary = await loadServedModel(`${dir}/binary`, { log: nullLogger });
const multi = await loadServedModel(`${dir}/multi`, { log: nullLogger });
const [header, ...rows] = csvRows(csv);
const col = (r: string[], name: string) => r[header.indexOf(name)];

/** Rows with every field present, as JSON records. */
const picked = rows.map((r, i) => ({ r, i })).filter(({ r }) =>
  col(r, "bytes") !== "" && col(r, "proto") !== ""
).slice(0, 12);
const record = (r: string[]) => ({
  id: Number(col(r, "id")),
  bytes: Number(col(r, "bytes")),
  proto: col(r, "proto"),
  svc: col(r, "svc"),
  tri: Number(col(r, "tri")),
  flag: col(r, "flag") === "true",
});

function app(model: typeof multi) {
  const models = new ModelHolder({ log: nullLogger });
  models.swap(model, { source: "mem" });
  return {
    models,
    app: createApp({ models, limits: DEFAULT_LIMITS, log: nullLogger, metrics: createMetrics() }),
  };
}
const post = (a: ReturnType<typeof app>["app"], path: string, body: string, type: string) =>
  a.request(path, { method: "POST", headers: { "content-type": type }, body });

Deno.test("serve: a multiclass release answers /v1/predict with class and class_probability", async () => {
  const { app: a } = app(multi);
  ok(new Set(picked.map(({ i }) => want.classes[i])).size >= 2, "the fixture has several classes");
  const one =
    await (await post(a, "/v1/predict", JSON.stringify(record(picked[0].r)), "application/json"))
      .json();
  strictEqual(one.class, NAMES[want.classes[picked[0].i]]);
  strictEqual(one.class_probability, want.probabilities[picked[0].i]);
  strictEqual(one.probability, binary.scoreRecord(record(picked[0].r)).probability);
  const batch = await (await post(
    a,
    "/v1/predict",
    JSON.stringify(picked.map(({ r }) => record(r))),
    "application/json",
  )).json();
  deepStrictEqual(
    batch.predictions.map((p: { class: string; class_probability: number; id: number }) => [
      p.id,
      p.class,
      p.class_probability,
    ]),
    picked.map(({ r, i }) => [
      Number(col(r, "id")),
      NAMES[want.classes[i]],
      want.probabilities[i],
    ]),
  );
});

Deno.test("serve: a multiclass release adds class columns to /v1/predict/csv", async () => {
  const { app: a } = app(multi);
  const res = await post(a, "/v1/predict/csv", csv, "text/csv");
  strictEqual(res.status, 200);
  const [head, ...out] = csvRows(await res.text());
  deepStrictEqual(head, ["row", "id", "probability", "label", "class", "class_probability"]);
  deepStrictEqual(out.map((r) => r[4]), [...want.classes].map((k) => NAMES[k]));
  deepStrictEqual(out.map((r) => Number(r[5])), [...want.probabilities]);
});

Deno.test("serve: /openapi.json lists the classes; a binary release answers without them", async () => {
  const { app: a } = app(multi);
  const doc = await (await a.request("/openapi.json")).json();
  const props = doc.components.schemas.Prediction.properties;
  deepStrictEqual(props.class.enum, NAMES);
  ok(doc.components.schemas.Prediction.required.includes("class_probability"));
  const { app: b } = app(binary);
  const plain =
    await (await post(b, "/v1/predict", JSON.stringify(record(picked[0].r)), "application/json"))
      .json();
  deepStrictEqual(Object.keys(plain).sort(), ["id", "label", "model_version", "probability"]);
  const bdoc = await (await b.request("/openapi.json")).json();
  strictEqual(bdoc.components.schemas.Prediction.properties.class, undefined);
  const [head] = csvRows(await (await post(b, "/v1/predict/csv", csv, "text/csv")).text());
  deepStrictEqual(head, ["row", "id", "probability", "label"]);
});

globalThis.addEventListener("unload", () => {
  multi.dispose();
  binary.dispose();
  Deno.removeSync(dir, { recursive: true });
});
