import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { DataError } from "../errors.ts";
import type { Matrix } from "./matrix.ts";
import {
  CARD_FORMAT,
  loadReleasedModel,
  MODEL_FILES,
  type ModelCard,
  saveReleasedModel,
} from "./model_io.ts";
import { trainCandidate } from "./fit.ts";
import { type ModelConfig, predictProba } from "./models.ts";
import { createRng } from "../rng.ts";
import { activateBackend } from "./tf_backend.ts";

function toy(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * 3);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 3; j++) data[i * 3 + j] = rng.next() * 2 - 1;
    labels[i] = data[i * 3] - data[i * 3 + 2] > 0.1 ? 1 : 0;
  }
  return { rows, cols: 3, columns: ["f1", "f2", "f3"], data, labels };
}

const CONFIG: ModelConfig = {
  family: "mlp",
  hidden: [6, 4],
  dropout: 0.1,
  l2: 0,
  learningRate: 0.05,
};

function draft(features: string[]): Omit<ModelCard, "format" | "version" | "family"> {
  return {
    created: "2026-01-01T00:00:00.000Z",
    config: CONFIG,
    description: "mlp[6,4]",
    features,
    threshold: 0.62,
    threshold_choice: { target_fpr: 0.01, validation_fpr: 0.01, validation_tpr: 0.9 },
    validation: { accuracy: 0.9 },
    train_data: { file: "train.mat", sha256: "00", rows: 10, train_rows: 8, validation_rows: 2 },
    params: { seed: 1 },
    backend: { training: "cpu", tfjs: "4.22.0" },
    training: {},
  };
}

async function trainedToy() {
  await activateBackend("cpu");
  const train = toy(160, 1);
  const val = toy(40, 2);
  const out = await trainCandidate({
    config: CONFIG,
    train,
    val,
    seed: 3,
    epochs: 3,
    patience: 3,
    batchSize: 32,
    metric: "roc_auc",
  });
  return { ...out, val };
}

Deno.test("save then load: same predictions, card and preprocess kept", async () => {
  const dir = await Deno.makeTempDir();
  const { model, val } = await trainedToy();
  try {
    const before = predictProba(model, val.data, val.rows);
    const preprocess = new TextEncoder().encode('{"format":"preprocess/1","x":[1,2]}');
    const card = await saveReleasedModel({ dir, model, card: draft(val.columns), preprocess });
    deepStrictEqual(card.format, CARD_FORMAT);
    ok(/^[0-9a-f]{12}$/.test(card.version));
    deepStrictEqual(card.family, "mlp");
    for (const f of [MODEL_FILES.model, MODEL_FILES.weights, MODEL_FILES.preprocess]) {
      await Deno.stat(`${dir}/${f}`);
    }
    await rejects(Deno.stat(`${dir}/${MODEL_FILES.trees}`), Deno.errors.NotFound);
    deepStrictEqual(await Deno.readFile(`${dir}/${MODEL_FILES.preprocess}`), preprocess);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/${MODEL_FILES.model}`));
    deepStrictEqual(json.format, "layers-model");
    deepStrictEqual(json.weightsManifest[0].paths, ["weights.bin"]);

    for (const backend of ["cpu", "wasm"] as const) {
      const loaded = await loadReleasedModel(dir, { backend });
      try {
        deepStrictEqual(loaded.backend, backend);
        deepStrictEqual(loaded.version, card.version);
        deepStrictEqual(loaded.threshold, 0.62);
        deepStrictEqual(loaded.card, card);
        deepStrictEqual(loaded.preprocessJson, { format: "preprocess/1", x: [1, 2] });
        const after = loaded.predictProba(val.data, val.rows);
        if (backend === "cpu") deepStrictEqual(after, before);
        else {after.forEach((p, i) =>
            ok(Math.abs(p - before[i]) < 1e-5, `row ${i}: ${p} vs ${before[i]}`)
          );}
      } finally {
        loaded.dispose();
      }
    }
    // A card written before the tree families (no `family`) loads as its config's family.
    const { family: _, ...oldCard } = card;
    await Deno.writeTextFile(`${dir}/${MODEL_FILES.card}`, JSON.stringify(oldCard));
    const old = await loadReleasedModel(dir, { backend: "cpu" });
    deepStrictEqual([old.family, old.card.family], ["mlp", "mlp"]);
    old.dispose();
    // Same model, same files: the version is a content hash, not a time; run
    // metadata (save time, training seconds) never reaches the folder's bytes.
    await saveReleasedModel({ dir, model, card: draft(val.columns), preprocess });
    const cardBytes = await Deno.readFile(`${dir}/${MODEL_FILES.card}`);
    const again = await saveReleasedModel({
      dir,
      model,
      card: {
        ...draft(val.columns),
        created: "2027-01-01T00:00:00.000Z",
        training: { seconds: 12.5 },
      },
      preprocess,
    });
    deepStrictEqual(again.version, card.version);
    deepStrictEqual(await Deno.readFile(`${dir}/${MODEL_FILES.card}`), cardBytes);
    const written = JSON.parse(await Deno.readTextFile(`${dir}/${MODEL_FILES.card}`));
    deepStrictEqual([written.created, written.training], [undefined, {}]);
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("load refuses a folder whose files do not match the card, or a missing card", async () => {
  const dir = await Deno.makeTempDir();
  const { model, val } = await trainedToy();
  try {
    await rejects(
      loadReleasedModel(dir),
      (e: unknown) => e instanceof DataError && /not found/.test(e.message),
    );
    await saveReleasedModel({
      dir,
      model,
      card: draft(val.columns),
      preprocess: new Uint8Array([123, 125]),
    });
    await Deno.writeTextFile(`${dir}/${MODEL_FILES.preprocess}`, '{"other":1}');
    await rejects(
      loadReleasedModel(dir),
      (e: unknown) => e instanceof DataError && e.where.field === "version",
    );
    await saveReleasedModel({
      dir,
      model,
      card: draft(["only", "two"]),
      preprocess: new Uint8Array([123, 125]),
    });
    await rejects(
      loadReleasedModel(dir),
      (e: unknown) => e instanceof DataError && /takes 3 features/.test(e.message),
    );
    await Deno.writeTextFile(`${dir}/${MODEL_FILES.card}`, '{"format":"other"}');
    await rejects(
      loadReleasedModel(dir),
      (e: unknown) => e instanceof DataError && e.where.field === "format",
    );
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("attached files: written, part of the version, checked at load", async () => {
  const dir = await Deno.makeTempDir();
  const { model, val } = await trainedToy();
  try {
    const preprocess = new TextEncoder().encode('{"format":"preprocess/1"}');
    const extra = new TextEncoder().encode('{"w":1}\n');
    const plain = await saveReleasedModel({ dir, model, card: draft(val.columns), preprocess });
    const card = await saveReleasedModel({
      dir,
      model,
      card: draft(val.columns),
      preprocess,
      attach: [["extra.json", extra]],
    });
    deepStrictEqual(card.attached, ["extra.json"]);
    ok(card.version !== plain.version);
    deepStrictEqual(await Deno.readFile(`${dir}/extra.json`), extra);
    (await loadReleasedModel(dir)).dispose();
    await Deno.writeTextFile(`${dir}/extra.json`, '{"w":2}\n');
    await rejects(loadReleasedModel(dir), /model files do not match the card/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
