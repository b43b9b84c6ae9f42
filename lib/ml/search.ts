/**
 * Hyperparameter search: a small space per model family (read from the
 * `search:` mapping of `params.yaml`), expanded as a full grid or sampled
 * (seeded) from it, each candidate trained with early stopping on the
 * validation split, and the best one by the selection metric kept.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type Logger, nullLogger } from "../log.ts";
import type { Section } from "../section.ts";
import type { Matrix } from "./matrix.ts";
import { isBetter, type ScoreReport, scoreReport, type SelectionMetric } from "./metrics.ts";
import { type EpochRecord, trainCandidate } from "./fit.ts";
import { describeConfig, FAMILIES, type Family, type ModelConfig } from "./models.ts";
import { createRng, shuffle } from "./rng.ts";

/** Values to try per hyperparameter of one family. */
export interface FamilySpace {
  /** Hidden layer widths to try (`mlp` only). */
  hidden: number[][];
  /** Adam learning rates. */
  learningRate: number[];
  /** L2 penalties. */
  l2: number[];
  /** Dropout rates (`mlp` only). */
  dropout: number[];
}

/** The search: strategy and the space of each family taking part. */
export interface SearchSpec {
  /** `grid`: every combination; `random`: `samples` of them, drawn without repetition. */
  strategy: "grid" | "random";
  /** Candidates drawn by `random`. */
  samples: number;
  /** Families taking part and their spaces, in this order. */
  families: Partial<Record<Family, FamilySpace>>;
}

/**
 * Read a `search:` mapping. Each family is optional (absent = not searched);
 * at least one must be present.
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { openSection } from "../section.ts";
 * import { readSearchSpec } from "./search.ts";
 * const y = parseYaml("search:\n  strategy: grid\n  logreg: {learning_rate: [0.01], l2: [0]}\n", "p.yaml");
 * readSearchSpec(openSection(y, ["search"])).families.logreg?.learningRate; // [0.01]
 * ```
 */
export function readSearchSpec(s: Section): SearchSpec {
  const strategy = s.string("strategy", { default: "grid", oneOf: ["grid", "random"] as const });
  const samples = s.number("samples", { default: 4, integer: true, min: 1 });
  const families: SearchSpec["families"] = {};
  for (const family of FAMILIES) {
    const f = s.optionalSection(family);
    if (!f) continue;
    const learningRate = f.numbers("learning_rate", { min: 1e-6, max: 1 });
    const l2 = f.numbers("l2", { defaultList: [0], min: 0 });
    let hidden: number[][] = [[]];
    let dropout = [0];
    if (family === "mlp") {
      hidden = readLayerLists(f, "hidden");
      dropout = f.numbers("dropout", { defaultList: [0], min: 0, max: 0.9 });
    }
    f.done();
    families[family] = { hidden, learningRate, l2, dropout };
  }
  if (Object.keys(families).length === 0) {
    throw s.error(undefined, `'${s.path.join(".")}' needs at least one of ${FAMILIES.join(", ")}`);
  }
  s.done();
  return { strategy, samples, families };
}

function readLayerLists(f: Section, key: string): number[][] {
  const raw = f.raw(key);
  const fail = () =>
    f.error(
      key,
      `'${[...f.path, key].join(".")}' must be a list of layer-width lists, e.g. [[64, 32], [128]]`,
    );
  if (!Array.isArray(raw) || raw.length === 0) throw fail();
  return raw.map((layers) => {
    if (!Array.isArray(layers) || layers.length === 0) throw fail();
    for (const w of layers) if (!Number.isInteger(w) || w < 1 || w > 4096) throw fail();
    return layers as number[];
  });
}

/**
 * Every combination of the spec's spaces, family by family, in a fixed order.
 *
 * @example
 * ```ts
 * import { expandGrid } from "./search.ts";
 * expandGrid({ strategy: "grid", samples: 1, families: {
 *   logreg: { hidden: [[]], learningRate: [0.01, 0.1], l2: [0], dropout: [0] } } }).length; // 2
 * ```
 */
export function expandGrid(spec: SearchSpec): ModelConfig[] {
  const out: ModelConfig[] = [];
  for (const family of FAMILIES) {
    const f = spec.families[family];
    if (!f) continue;
    for (const hidden of f.hidden) {
      for (const learningRate of f.learningRate) {
        for (const l2 of f.l2) {
          for (const dropout of f.dropout) out.push({ family, hidden, learningRate, l2, dropout });
        }
      }
    }
  }
  return out;
}

/**
 * The candidates of a spec: the whole grid, or a seeded sample of it (in grid order).
 *
 * @example
 * ```ts
 * import { candidates } from "./search.ts";
 * const spec = { strategy: "random" as const, samples: 1, families: {
 *   logreg: { hidden: [[]], learningRate: [0.01, 0.1], l2: [0], dropout: [0] } } };
 * candidates(spec, 7).length; // 1
 * ```
 */
export function candidates(spec: SearchSpec, seed: number): ModelConfig[] {
  const grid = expandGrid(spec);
  if (spec.strategy === "grid" || spec.samples >= grid.length) return grid;
  const picked = shuffle(grid.map((_, i) => i), createRng(seed)).slice(0, spec.samples);
  return picked.sort((a, b) => a - b).map((i) => grid[i]);
}

/** What one candidate achieved. */
export interface CandidateResult {
  /** `c1`, `c2` … in search order. */
  id: string;
  /** Its hyperparameters. */
  config: ModelConfig;
  /** Human label of the config. */
  label: string;
  /** Epoch whose weights were kept. */
  bestEpoch: number;
  /** Seconds it took to train. */
  seconds: number;
  /** Validation metrics at 0.5 with the kept weights. */
  val: ScoreReport;
  /** Per-epoch records. */
  history: EpochRecord[];
}

/** Options of {@linkcode runSearch}. */
export interface SearchOptions {
  /** Candidates to train. */
  configs: ModelConfig[];
  /** Training rows. */
  train: Matrix;
  /** Validation rows. */
  val: Matrix;
  /** Seed every candidate trains with. */
  seed: number;
  /** Maximum epochs per candidate. */
  epochs: number;
  /** Early-stopping patience in epochs. */
  patience: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Picks each candidate's epoch and the winner. */
  metric: SelectionMetric;
  /** Progress. */
  log?: Logger;
}

/** The outcome of a search: every candidate and the winner's model. */
export interface SearchOutcome {
  /** Every candidate, in search order. */
  results: CandidateResult[];
  /** Index of the winner in `results`. */
  best: number;
  /** The winner's inference model (the caller disposes it). */
  model: tf.Sequential;
  /** The winner's validation probabilities. */
  valScores: Float32Array;
}

/**
 * Train every candidate and keep the best by `metric` on the validation
 * split (ties: the earlier candidate). Only the current winner's model is
 * kept in memory.
 *
 * @example
 * ```ts ignore
 * import { candidates, runSearch } from "./search.ts";
 * const out = await runSearch({ configs: candidates(spec, 7), train, val, seed: 7, epochs: 60, patience: 8, batchSize: 64, metric: "roc_auc", log });
 * out.results[out.best].label; // "mlp[64,32] lr=0.003 l2=0"
 * ```
 */
export async function runSearch(o: SearchOptions): Promise<SearchOutcome> {
  if (o.configs.length === 0) throw new RangeError("no candidates to search");
  const log = o.log ?? nullLogger;
  const results: CandidateResult[] = [];
  let winner: { index: number; model: tf.Sequential; valScores: Float32Array } | undefined;
  try {
    for (const [i, config] of o.configs.entries()) {
      const id = `c${i + 1}`;
      const label = describeConfig(config);
      log.info("candidate", { id, of: o.configs.length, config: label });
      const start = performance.now();
      const trained = await trainCandidate({ ...o, config, log, label: id });
      const seconds = Math.round(performance.now() - start) / 1000;
      const val = scoreReport(o.val.labels, trained.valScores);
      results.push({
        id,
        config,
        label,
        bestEpoch: trained.bestEpoch,
        seconds,
        val,
        history: trained.history,
      });
      log.info("candidate done", {
        id,
        best_epoch: trained.bestEpoch,
        [`val_${o.metric}`]: val[o.metric],
        val_accuracy: val.accuracy,
        seconds,
      });
      if (!winner || isBetter(o.metric, val[o.metric], results[winner.index].val[o.metric])) {
        winner?.model.dispose();
        winner = { index: i, model: trained.model, valScores: trained.valScores };
      } else {
        trained.model.dispose();
      }
    }
  } catch (err) {
    winner?.model.dispose();
    throw err;
  }
  return { results, best: winner!.index, model: winner!.model, valScores: winner!.valScores };
}
