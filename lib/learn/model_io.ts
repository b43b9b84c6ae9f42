/**
 * The released model folder (`artifacts/model/`): what `train` writes and
 * every scorer (evaluate, batch predict, the HTTP server) loads. The card's
 * `family` says which model files the folder holds:
 *
 * - TensorFlow.js families (`logreg`, `mlp`; a seed ensemble is one wider
 *   `mlp`): `model.json` + `weights.bin`, the network in TensorFlow.js layers
 *   format (written through a custom IO handler, loadable by any tfjs
 *   loader), a plain stack of Dense layers;
 * - tree families (`gbdt`, `extra_trees`): `trees.json` only (no
 *   `model.json`/`weights.bin`): compact JSON of format `threat-trees/1`
 *   (lib/learn/trees.ts `TreeModel`: per-feature bin edges, and each tree as
 *   arrays `feature`, `bin`, `left`, `right`, `value`; a row goes left when
 *   `x[feature] <= bin_edges[feature][bin]`, a child `c < 0` is leaf `~c`;
 *   probability `sigmoid(base + sum of leaves)` for `gbdt`, `sum / trees`
 *   for `extra_trees`). {@linkcode ReleasedModel.predictProba} runs it in
 *   plain JavaScript over flat typed arrays, no TensorFlow.js involved:
 *   scorers should check `family` (card or ReleasedModel) and use it as is;
 * - both: `preprocess.json`, the transform stage's fitted preprocessing,
 *   copied byte for byte (opaque here), and `card.json`, the model card
 *   ({@linkcode ModelCard}), whose `version` is a short content hash of the
 *   model files, the preprocessing and the threshold, checked again on load.
 *
 * Saving one family removes the other family's model files from the folder,
 * so a folder never holds two models.
 *
 * TensorFlow.js (and lib/learn/models.ts, which needs it) is imported only
 * when a network is saved or loaded (`loadTf`, dynamic `import()`): loading a
 * tree model, as evaluate, `check-url` and `predict` do with the shipped
 * models, never starts it. The dynamic imports name their modules literally,
 * so `deno info` (the runner's deps from the module graph) and `deno cache`
 * still follow them.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { FAMILIES, type Family } from "./families.ts";
import type { TrainedModel } from "./models.ts";
import { type BackendChoice, backendFor, type BackendName, loadTf } from "./tf_backend.ts";
import { compileTrees, isTreeModel, parseTreeModel, type TreeModel } from "./trees.ts";
import {
  CARD_FORMAT,
  MODEL_FILES,
  type ModelCard,
  versionOf,
  withoutRunMetadata,
} from "./_model_card.ts";

export {
  CARD_FORMAT,
  MODEL_FILES,
  type ModelCard,
  RUN_METADATA,
  sha256Hex,
  withoutRunMetadata,
} from "./_model_card.ts";

/** Options of {@linkcode saveReleasedModel}. */
export interface SaveOptions {
  /** Target folder (created). */
  dir: string;
  /** The inference network, or a tree model. */
  model: TrainedModel;
  /**
   * The card without `format`, `version` and `family` (filled in here; `family` from `config`).
   * Run metadata in it ({@linkcode RUN_METADATA}) is dropped, not written.
   */
  card: Omit<ModelCard, "format" | "version" | "family">;
  /** The transform stage's preprocess.json bytes, copied as they are. */
  preprocess: Uint8Array;
  /**
   * Further files the model needs at inference (e.g. the URL model's
   * `ngram_lr.json`), written beside it and part of its version.
   */
  attach?: [name: string, bytes: Uint8Array][];
  /** Progress. */
  log?: Logger;
}

const isTreeFamily = (f: Family) => f === "gbdt" || f === "extra_trees";

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
  const tf = await loadTf();
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
  const family = o.card.config.family;
  if (isTreeModel(o.model) !== isTreeFamily(family)) {
    throw new RangeError(`the model does not match the card's family '${family}'`);
  }
  const files: [string, Uint8Array][] = [];
  if (isTreeModel(o.model)) {
    files.push([MODEL_FILES.trees, new TextEncoder().encode(JSON.stringify(o.model))]);
  } else {
    const { modelJson, weights } = await serializeModel(o.model);
    files.push([MODEL_FILES.model, modelJson], [MODEL_FILES.weights, weights]);
  }
  files.push(...(o.attach ?? []));
  const version = versionOf(files.map(([, b]) => b), o.preprocess, o.card.threshold);
  const card: ModelCard = {
    format: CARD_FORMAT,
    version,
    family,
    ...withoutRunMetadata(o.card),
    ...(o.attach?.length ? { attached: o.attach.map(([name]) => name) } : {}),
  };
  await Deno.mkdir(o.dir, { recursive: true });
  for (const name of [MODEL_FILES.model, MODEL_FILES.weights, MODEL_FILES.trees]) {
    if (!files.some(([n]) => n === name)) {
      await Deno.remove(`${o.dir}/${name}`).catch(ignoreNotFound);
    }
  }
  for (const [name, bytes] of files) await writeAtomic(`${o.dir}/${name}`, bytes);
  await writeAtomic(`${o.dir}/${MODEL_FILES.preprocess}`, o.preprocess);
  const cardText = JSON.stringify(card, null, 2) + "\n";
  await writeAtomic(`${o.dir}/${MODEL_FILES.card}`, new TextEncoder().encode(cardText));
  const bytes = files.reduce((n, [, b]) => n + b.length, 0);
  (o.log ?? nullLogger).info("model saved", { dir: o.dir, family, version, bytes });
  return card;
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
}

/** A loaded released model, ready to score rows. */
export interface ReleasedModel {
  /** The model card. */
  card: ModelCard;
  /** The card's family: `gbdt`/`extra_trees` run in plain JavaScript (trees.json, no model.json). */
  family: Family;
  /** The parsed preprocess.json (opaque here: the scorers' preprocessing reads it). */
  preprocessJson: unknown;
  /** Probability of "threat" for `rows` rows of `card.features.length` float32 values each. */
  predictProba(features: Float32Array, rows: number): Float32Array;
  /** The parsed trees.json of a tree family (absent for the TensorFlow.js families). */
  trees?: TreeModel;
  /** The card's decision threshold. */
  threshold: number;
  /** The card's version. */
  version: string;
  /** The TensorFlow.js backend the model runs on (tree families: `cpu`, plain JavaScript). */
  backend: BackendName;
  /** Free the model's tensors (tree families: nothing to free). */
  dispose(): void;
}

/** Options of {@linkcode loadReleasedModel}. */
export interface LoadOptions {
  /** What the process mostly does: picks the measured backend (default `batch`). */
  use?: "batch" | "single";
  /** Override the measured backend (TensorFlow.js families). */
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
  // Cards written before the tree families have no `family`: their config's is it.
  c.family ??= (c.config as { family?: Family } | undefined)?.family;
  if (!FAMILIES.includes(c.family!)) {
    throw new DataError(`model card field 'family' must be one of ${FAMILIES.join(", ")}`, {
      file,
      field: "family",
    });
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
 * the card's version, then load the trees (tree families: compiled to a plain
 * JavaScript scorer) or activate the TensorFlow.js backend for `use` and
 * load the network.
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
  const preprocess = await readFileIn(dir, MODEL_FILES.preprocess);
  const preprocessJson = () => parseJson(preprocess, `${dir}/${MODEL_FILES.preprocess}`);
  const attached: Uint8Array[] = [];
  for (const name of card.attached ?? []) {
    if (typeof name !== "string" || !/^[\w.-]+$/.test(name) || name.startsWith(".")) {
      throw new DataError(`attached file name '${name}' is not a plain file name`, {
        file: cardFile,
        field: "attached",
      });
    }
    attached.push(await readFileIn(dir, name));
  }
  const checkVersion = (modelFiles: Uint8Array[]) => {
    const actual = versionOf([...modelFiles, ...attached], preprocess, card.threshold);
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
  };
  const cols = card.features.length;
  if (isTreeFamily(card.family)) {
    const treesBytes = await readFileIn(dir, MODEL_FILES.trees);
    checkVersion([treesBytes]);
    const treesFile = `${dir}/${MODEL_FILES.trees}`;
    const trees = parseTreeModel(parseJson(treesBytes, treesFile), treesFile);
    if (trees.features !== cols || trees.family !== card.family) {
      throw new DataError(
        `trees.json holds a ${trees.family} model of ${trees.features} features, the card a ${card.family} of ${cols}`,
        { file: treesFile },
      );
    }
    log.debug("model loaded", { dir, version: card.version, family: card.family });
    return {
      card,
      family: card.family,
      preprocessJson: preprocessJson(),
      predictProba: compileTrees(trees),
      trees,
      threshold: card.threshold,
      version: card.version,
      backend: "cpu",
      dispose: () => {},
    };
  }
  const modelJson = await readFileIn(dir, MODEL_FILES.model);
  const weights = await readFileIn(dir, MODEL_FILES.weights);
  checkVersion([modelJson, weights]);
  const modelFile = `${dir}/${MODEL_FILES.model}`;
  const json = parseJson(modelJson, modelFile) as {
    modelTopology?: tf.io.ModelArtifacts["modelTopology"];
    weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new DataError("not a TensorFlow.js layers model", { file: modelFile });
  }
  const backend = await backendFor(options.use ?? "batch", options.backend ?? "auto", log);
  const [tf, { predictProba: predictWith }] = await Promise.all([loadTf(), import("./models.ts")]);
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: buffer as ArrayBuffer,
  }));
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
    family: card.family,
    preprocessJson: preprocessJson(),
    predictProba: (features, rows) => predictWith(model, features, rows),
    threshold: card.threshold,
    version: card.version,
    backend,
    dispose: () => model.dispose(),
  };
}
