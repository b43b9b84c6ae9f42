/**
 * The released model folder (`artifacts/model/`): what `train` writes and
 * every scorer (evaluate, batch predict, the HTTP server) loads.
 *
 * - `model.json` + `weights.bin`: the network in TensorFlow.js layers format
 *   (written through a custom IO handler, loadable by any tfjs loader);
 * - `preprocess.json`: the transform stage's fitted preprocessing, copied
 *   byte for byte (opaque here);
 * - `card.json`: the model card ({@linkcode ModelCard}), whose `version` is a
 *   short content hash of the three files above and the threshold, checked
 *   again on load.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import type { ModelConfig } from "./models.ts";
import { predictProba as predictWith } from "./models.ts";
import { type BackendChoice, backendFor, type BackendName } from "./tf_backend.ts";

/** The card format this module writes and reads. */
export const CARD_FORMAT = "threat-model/1";

/** File names inside the model folder. */
export const MODEL_FILES = {
  model: "model.json",
  weights: "weights.bin",
  preprocess: "preprocess.json",
  card: "card.json",
} as const;

/** The model card: what the model is, what it was trained on, how well it did on validation. */
export interface ModelCard {
  /** {@linkcode CARD_FORMAT}. */
  format: string;
  /** Short content hash of model, weights, preprocessing and threshold. */
  version: string;
  /** ISO time the model was saved. */
  created: string;
  /** Family and hyperparameters. */
  config: ModelConfig;
  /** Human label of `config`. */
  description: string;
  /** Feature names, in the order `predictProba` expects them. */
  features: string[];
  /** Flag a row as a threat when its probability is ≥ this. */
  threshold: number;
  /** How the threshold was chosen: the FPR budget and what it gave on validation. */
  threshold_choice: { target_fpr: number; validation_fpr: number; validation_tpr: number };
  /** Validation metrics of this model (flat). */
  validation: Record<string, number | null>;
  /** The training data: file, sha256 of its bytes, and row counts. */
  train_data: {
    file: string;
    sha256: string;
    rows: number;
    train_rows: number;
    validation_rows: number;
  };
  /** The `train` params section as read. */
  params: unknown;
  /** Backend the model was trained on, and the tfjs version. */
  backend: { training: BackendName; tfjs: string };
  /** Anything else the trainer records (best epoch, search size, seconds …). */
  training: Record<string, unknown>;
}

/** Options of {@linkcode saveReleasedModel}. */
export interface SaveOptions {
  /** Target folder (created). */
  dir: string;
  /** The inference model. */
  model: tf.LayersModel;
  /** The card without `format` and `version` (filled in here). */
  card: Omit<ModelCard, "format" | "version">;
  /** The transform stage's preprocess.json bytes, copied as they are. */
  preprocess: Uint8Array;
  /** Progress. */
  log?: Logger;
}

/**
 * Hex SHA-256 of bytes or a UTF-8 string (the card's data hash and version).
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./model_io.ts";
 * sha256Hex("abc").slice(0, 8); // "ba7816bf"
 * ```
 */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
const sha256 = sha256Hex;

function versionOf(
  model: Uint8Array,
  weights: Uint8Array,
  preprocess: Uint8Array,
  threshold: number,
) {
  return sha256([sha256(model), sha256(weights), sha256(preprocess), String(threshold)].join("\n"))
    .slice(0, 12);
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/**
 * Serialize a model to tfjs `model.json` text and `weights.bin` bytes in
 * memory (through `tf.io.withSaveHandler`).
 *
 * @example
 * ```ts ignore
 * import { serializeModel } from "./model_io.ts";
 * const { modelJson, weights } = await serializeModel(model);
 * ```
 */
export async function serializeModel(
  model: tf.LayersModel,
): Promise<{ modelJson: Uint8Array; weights: Uint8Array }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    captured = artifacts;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" },
    });
  }));
  const a = captured!;
  const data = a.weightData;
  const buffer = data === undefined
    ? new ArrayBuffer(0)
    : Array.isArray(data)
    ? tf.io.concatenateArrayBuffers(data)
    : data as ArrayBuffer;
  const json = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: a.weightSpecs ?? [] }],
  };
  return {
    modelJson: new TextEncoder().encode(JSON.stringify(json)),
    weights: new Uint8Array(buffer),
  };
}

/**
 * Write the released model folder and return the completed card.
 *
 * @example
 * ```ts ignore
 * import { saveReleasedModel } from "./model_io.ts";
 * const card = await saveReleasedModel({ dir: "artifacts/model", model, card: draft, preprocess });
 * card.version; // "3fa1c2d4e5f6"
 * ```
 */
export async function saveReleasedModel(o: SaveOptions): Promise<ModelCard> {
  const { modelJson, weights } = await serializeModel(o.model);
  const version = versionOf(modelJson, weights, o.preprocess, o.card.threshold);
  const card: ModelCard = { format: CARD_FORMAT, version, ...o.card };
  await Deno.mkdir(o.dir, { recursive: true });
  await writeAtomic(`${o.dir}/${MODEL_FILES.model}`, modelJson);
  await writeAtomic(`${o.dir}/${MODEL_FILES.weights}`, weights);
  await writeAtomic(`${o.dir}/${MODEL_FILES.preprocess}`, o.preprocess);
  const cardText = JSON.stringify(card, null, 2) + "\n";
  await writeAtomic(`${o.dir}/${MODEL_FILES.card}`, new TextEncoder().encode(cardText));
  (o.log ?? nullLogger).info("model saved", { dir: o.dir, version, bytes: weights.length });
  return card;
}

/** A loaded released model, ready to score rows. */
export interface ReleasedModel {
  /** The model card. */
  card: ModelCard;
  /** The parsed preprocess.json (opaque here: the scorers' preprocessing reads it). */
  preprocessJson: unknown;
  /** Probability of "threat" for `rows` rows of `card.features.length` float32 values each. */
  predictProba(features: Float32Array, rows: number): Float32Array;
  /** The card's decision threshold. */
  threshold: number;
  /** The card's version. */
  version: string;
  /** The backend the model runs on. */
  backend: BackendName;
  /** Free the model's tensors. */
  dispose(): void;
}

/** Options of {@linkcode loadReleasedModel}. */
export interface LoadOptions {
  /** What the process mostly does: picks the measured backend (default `batch`). */
  use?: "batch" | "single";
  /** Override the measured backend. */
  backend?: BackendChoice;
  /** Progress. */
  log?: Logger;
}

async function readFileIn(dir: string, name: string): Promise<Uint8Array> {
  const file = `${dir}/${name}`;
  try {
    return await Deno.readFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("model file not found", {
        file,
        cause: err,
        hint: "run the train stage",
      });
    }
    throw err;
  }
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new DataError(`invalid JSON: ${(err as Error).message}`, { file, cause: err });
  }
}

function checkCard(value: unknown, file: string): ModelCard {
  const c = value as Partial<ModelCard> | null;
  if (c?.format !== CARD_FORMAT) {
    throw new DataError(`not a model card of format '${CARD_FORMAT}'`, { file, field: "format" });
  }
  const fields: [keyof ModelCard, string][] = [
    ["version", "string"],
    ["threshold", "number"],
    ["features", "object"],
    ["config", "object"],
  ];
  for (const [key, type] of fields) {
    if (typeof c[key] !== type || c[key] === null) {
      throw new DataError(`model card field '${key}' must be a ${type}`, { file, field: key });
    }
  }
  return c as ModelCard;
}

/**
 * Load the released model folder: check the card, check the files against
 * the card's version, activate the backend for `use` and load the network.
 *
 * @example
 * ```ts ignore
 * import { loadReleasedModel } from "./model_io.ts";
 * const m = await loadReleasedModel("artifacts/model", { use: "single" });
 * const p = m.predictProba(new Float32Array(m.card.features.length), 1);
 * const threat = p[0] >= m.threshold;
 * m.dispose();
 * ```
 */
export async function loadReleasedModel(
  dir: string,
  options: LoadOptions = {},
): Promise<ReleasedModel> {
  const log = options.log ?? nullLogger;
  const cardFile = `${dir}/${MODEL_FILES.card}`;
  const card = checkCard(parseJson(await readFileIn(dir, MODEL_FILES.card), cardFile), cardFile);
  const modelJson = await readFileIn(dir, MODEL_FILES.model);
  const weights = await readFileIn(dir, MODEL_FILES.weights);
  const preprocess = await readFileIn(dir, MODEL_FILES.preprocess);
  const actual = versionOf(modelJson, weights, preprocess, card.threshold);
  if (actual !== card.version) {
    throw new DataError(
      `model files do not match the card: version ${card.version} expected, files hash to ${actual}`,
      {
        file: cardFile,
        field: "version",
        hint: "the folder mixes two trainings; run the train stage again",
      },
    );
  }
  const modelFile = `${dir}/${MODEL_FILES.model}`;
  const json = parseJson(modelJson, modelFile) as {
    modelTopology?: tf.io.ModelArtifacts["modelTopology"];
    weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new DataError("not a TensorFlow.js layers model", { file: modelFile });
  }
  const backend = await backendFor(options.use ?? "batch", options.backend ?? "auto", log);
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: buffer as ArrayBuffer,
  }));
  const cols = card.features.length;
  if (model.inputs[0].shape[1] !== cols) {
    model.dispose();
    throw new DataError(
      `model takes ${model.inputs[0].shape[1]} features, the card lists ${cols}`,
      {
        file: modelFile,
      },
    );
  }
  log.debug("model loaded", { dir, version: card.version, backend });
  return {
    card,
    preprocessJson: parseJson(preprocess, `${dir}/${MODEL_FILES.preprocess}`),
    predictProba: (features, rows) => predictWith(model, features, rows),
    threshold: card.threshold,
    version: card.version,
    backend,
    dispose: () => model.dispose(),
  };
}
