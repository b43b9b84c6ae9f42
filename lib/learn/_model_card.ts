/**
 * The model card of the released model folder: its format, the folder's file
 * names, the card's fields, its version hash, and the run metadata that is
 * never written into it. Private to lib/learn: `model_io.ts` re-exports it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { CandidateConfig, Family } from "./models.ts";
import type { BackendName } from "./tf_backend.ts";

/** The card format this module writes and reads. */
export const CARD_FORMAT = "threat-model/1";

/** File names inside the model folder. */
export const MODEL_FILES = {
  model: "model.json",
  weights: "weights.bin",
  trees: "trees.json",
  preprocess: "preprocess.json",
  card: "card.json",
} as const;

/** The model card: what the model is, what it was trained on, how well it did on validation. */
export interface ModelCard {
  /** {@linkcode CARD_FORMAT}. */
  format: string;
  /** Short content hash of the model files, preprocessing and threshold. */
  version: string;
  /** Model family (`logreg`, `mlp`, `gbdt`, `extra_trees`): which model files the folder holds. */
  family: Family;
  /**
   * ISO time the model was saved: only in cards written before byte
   * reproducibility. No longer written — a card holds no run metadata (see
   * {@linkcode RUN_METADATA}); times go to the runner's run history.
   */
  created?: string;
  /** Family and hyperparameters. */
  config: CandidateConfig;
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
  /** Backend the TensorFlow.js candidates trained on, and the tfjs version. */
  backend: { training: BackendName; tfjs: string };
  /** Anything else the trainer records (best epoch, search size, seconds …). */
  training: Record<string, unknown>;
  /** Files attached at save (`SaveOptions.attach` in model_io.ts), part of the version, in order. */
  attached?: string[];
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

/** The version: a hash of the model files' hashes, the preprocessing's and the threshold. */
export function versionOf(modelFiles: Uint8Array[], preprocess: Uint8Array, threshold: number) {
  const parts = [...modelFiles, preprocess].map((f) => sha256(f));
  return sha256([...parts, String(threshold)].join("\n")).slice(0, 12);
}

/**
 * Card fields that describe the run, not the model: wall-clock times and
 * durations. {@linkcode saveReleasedModel} never writes them, so the same
 * code, data and params give a byte-identical model folder on any machine
 * (the folder is a hashed pipeline out). A stage that wants them recorded
 * writes them to the runner's run record instead (`THREATLINE_RUN_RECORD_DIR`).
 */
export const RUN_METADATA = { card: ["created"], training: ["seconds"] } as const;

/**
 * The card without its run metadata ({@linkcode RUN_METADATA}).
 *
 * @example
 * ```ts
 * import { withoutRunMetadata } from "./model_io.ts";
 * withoutRunMetadata({ created: "2026-01-01T00:00:00Z", training: { seconds: 3, epochs: 9 } });
 * // { training: { epochs: 9 } }
 * ```
 */
export function withoutRunMetadata<T extends { created?: string; training?: unknown }>(
  card: T,
): T {
  const out: Record<string, unknown> = { ...card };
  for (const key of RUN_METADATA.card) delete out[key];
  if (card.training && typeof card.training === "object") {
    const training: Record<string, unknown> = { ...card.training as Record<string, unknown> };
    for (const key of RUN_METADATA.training) delete training[key];
    out.training = training;
  }
  return out as T;
}
