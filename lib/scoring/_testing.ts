/**
 * Test helpers for lib/scoring and the predict task: a tiny released model
 * folder built in seconds (preprocessing fitted on a few hundred rows, a
 * small network trained for a few epochs). Not product code.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { parseCsv } from "../data/csv.ts";
import { saveReleasedModel } from "../learn/model_io.ts";
import { refitCandidate } from "../learn/fit.ts";
import { expandCodes, releasedPreprocess } from "../learn/expand_codes.ts";
import { buildModel, type CandidateConfig, type ModelConfig } from "../learn/models.ts";
import { refitTrees, type TreeConfig, type TreeModel } from "../learn/trees.ts";
import {
  compilePreprocess,
  DEFAULT_TRANSFORM,
  encodeTable,
  fitPreprocess,
  type InputSpec,
  preprocessToJson,
} from "../learn/preprocess.ts";
import { createRng } from "../rng.ts";
import { readSchema, type Schema } from "../data/schema.ts";
import { activateBackend } from "../learn/tf_backend.ts";
import { MIXED_SCHEMA, schemaFrom, tableFrom } from "../learn/_testing.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * Absolute path of a file in the repository.
 *
 * @example
 * ```ts ignore
 * const csv = await Deno.readTextFile(repoFile("data/phishing_websites.csv"));
 * ```
 */
export function repoFile(rel: string): string {
  return ROOT + rel;
}

/** Options of {@linkcode writeTinyRelease}. */
export interface TinyReleaseOptions {
  /** Target folder. */
  dir: string;
  /** Schema of the data. */
  schema: Schema;
  /** Training data: CSV text with a header. */
  csv: string;
  /** Network (default an MLP with one hidden layer of 8), or a tree ensemble. */
  config?: Partial<ModelConfig> | TreeConfig;
  /** Training epochs (default 3; 0 keeps the seeded initial weights). */
  epochs?: number;
  /** Decision threshold (default 0.5). */
  threshold?: number;
  /** Replace the network (e.g. one the JavaScript pass cannot run). */
  model?: (inputs: number) => tf.LayersModel;
  /** How raw files look (`preprocess.json`'s `input`; default none, as older models). */
  input?: InputSpec;
}

/**
 * Fit the preprocessing on `csv`, train a small network and save a released
 * model folder at `dir` (the same files the train stage writes).
 *
 * @example
 * ```ts ignore
 * await writeTinyRelease({ dir, schema: await readSchema(repoFile("schema.yaml")), csv });
 * ```
 */
export async function writeTinyRelease(o: TinyReleaseOptions): Promise<void> {
  await activateBackend("cpu");
  const table = await tableFrom(o.csv, o.schema, { checkDomains: true });
  const fitted = fitPreprocess(table, o.schema, DEFAULT_TRANSFORM);
  const pre = o.input ? compilePreprocess({ ...fitted.spec, input: o.input }, o.schema) : fitted;
  const train = encodeTable(pre, table);
  const trees = o.config?.family === "gbdt" || o.config?.family === "extra_trees";
  const config: CandidateConfig = trees ? o.config as TreeConfig : {
    family: "mlp",
    hidden: [8],
    dropout: 0,
    l2: 0,
    learningRate: 0.05,
    ...o.config as Partial<ModelConfig>,
  };
  const epochs = o.epochs ?? 3;
  let model: tf.LayersModel | TreeModel;
  if (config.family === "gbdt" || config.family === "extra_trees") {
    model = refitTrees({ config, train, seed: 5, iterations: Math.max(epochs, 1) * 10 });
  } else if (o.model) model = o.model(expandCodes(train).cols);
  else if (epochs > 0) {
    model = await refitCandidate({ config, train, seed: 5, epochs, batchSize: 32 });
  } else model = buildModel(config, expandCodes(train).cols, { seed: 5 });
  // As the train stage releases it: code features one-hot for a family that cannot split on them.
  const release = releasedPreprocess(
    new TextEncoder().encode(preprocessToJson(pre)),
    config.family,
  );
  try {
    await saveReleasedModel({
      dir: o.dir,
      model,
      preprocess: release.bytes,
      card: {
        created: "2026-01-01T00:00:00.000Z",
        config,
        description: "tiny test model",
        features: release.columns ?? pre.columns,
        threshold: o.threshold ?? 0.5,
        threshold_choice: { target_fpr: 0.01, validation_fpr: 0, validation_tpr: 0 },
        validation: {},
        train_data: {
          file: "mem.csv",
          sha256: "0",
          rows: train.rows,
          train_rows: train.rows,
          validation_rows: 0,
        },
        params: {},
        backend: { training: "cpu", tfjs: "4.22.0" },
        training: {},
      },
    });
  } finally {
    if ("dispose" in model) model.dispose();
  }
}

/**
 * The first `rows` data rows of the phishing dataset, with its header.
 *
 * @example
 * ```ts ignore
 * const csv = await phishingCsv(300);
 * ```
 */
export async function phishingCsv(rows: number, skip = 0): Promise<string> {
  const lines = (await Deno.readTextFile(repoFile("data/phishing_websites.csv"))).split("\n");
  return [lines[0], ...lines.slice(1 + skip, 1 + skip + rows)].join("\n") + "\n";
}

/**
 * A tiny release on the repository's schema and the first 300 phishing rows.
 *
 * @example
 * ```ts ignore
 * const dir = await phishingRelease();
 * ```
 */
export async function phishingRelease(options: Partial<TinyReleaseOptions> = {}): Promise<string> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "scoring_" });
  await writeTinyRelease({
    schema: await readSchema(repoFile("schema.yaml")),
    csv: await phishingCsv(300),
    ...options,
    dir: `${dir}/model`,
  });
  return dir;
}

/**
 * Synthetic rows of lib/learn/_testing.ts's MIXED_SCHEMA (id, nullable number,
 * categoricals, ternary integer, boolean, label), with the source-only
 * `level` column when `withDropped` (as training data has it).
 *
 * @example
 * ```ts ignore
 * const csv = mixedCsv(200, { seed: 1, withDropped: true });
 * ```
 */
export function mixedCsv(
  rows: number,
  o: { seed: number; firstId?: number; withDropped?: boolean; bytesScale?: number },
): string {
  const rng = createRng(o.seed);
  const firstId = o.firstId ?? 1;
  const scale = o.bytesScale ?? 1;
  const protos = ["tcp", "udp", "icmp", ""];
  const svcs = ["http", "ftp", "smtp", "dns"];
  const out = ["id,bytes,proto,svc,tri,flag,label" + (o.withDropped ? ",level" : "")];
  for (let i = 0; i < rows; i++) {
    const bytes = rng.next() < 0.1 ? "" : String(Math.round(rng.next() * 5000 * scale) / 10);
    const tri = rng.int(3) - 1;
    const attack = Number(bytes || 0) > 250 && tri >= 0;
    out.push([
      firstId + i,
      bytes,
      protos[rng.int(4)],
      svcs[rng.int(4)],
      tri,
      rng.next() < 0.5 ? "true" : "false",
      attack ? "neptune" : "normal",
      ...(o.withDropped ? [rng.int(20)] : []),
    ].join(","));
  }
  return out.join("\n") + "\n";
}

/**
 * The MIXED_SCHEMA as a parsed schema.
 *
 * @example
 * ```ts ignore
 * const schema = mixedSchema();
 * ```
 */
export function mixedSchema(): Schema {
  return schemaFrom(MIXED_SCHEMA);
}

/**
 * Parse CSV text into rows (header first), for assertions.
 *
 * @example
 * ```ts ignore
 * const [header, ...rows] = csvRows(await Deno.readTextFile(out));
 * ```
 */
export function csvRows(text: string): string[][] {
  return parseCsv(text).rows;
}
