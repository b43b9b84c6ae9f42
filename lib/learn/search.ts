/**
 * Hyperparameter search: a small space per model family (read from the
 * `search:` mapping of `params.yaml`), expanded as a full grid or sampled
 * (seeded) from it, each candidate trained with early stopping on the
 * validation split (networks: epochs, lib/learn/fit.ts; `gbdt`: trees,
 * lib/learn/trees.ts), and the best one by the selection metric kept, across
 * all families.
 *
 * @module
 */
import { nullLogger } from "../log.ts";
import type { Section } from "../section.ts";
import { readLayerLists, TREE_KEYS } from "./_search_keys.ts";
import { isBetter, type ScoreReport, scoreReport } from "../reports/metrics.ts";
import { type EpochRecord, trainCandidate, type TrainOptions } from "./fit.ts";
import {
  type CandidateConfig,
  describeConfig,
  disposeModel,
  FAMILIES,
  type Family,
  isNetConfig,
  type TrainedModel,
} from "./models.ts";
import { rungPlan, scaledTrees, screenNetworks, shareOf } from "./_halving.ts";
import { createRng, shuffle } from "../rng.ts";
import { fitTreeCandidate } from "./trees.ts";

/**
 * Values to try per hyperparameter of one family, keyed by the config field
 * they set (`learningRate`, `hidden` …), in the order the grid nests them
 * (the last varies fastest).
 */
export type FamilySpace = Record<string, readonly unknown[]>;

/** The search: strategy and the space of each family taking part. */
export interface SearchSpec {
  /** `grid`: every combination; `random`: `samples` of them, drawn without repetition. */
  strategy: "grid" | "random";
  /** Candidates drawn by `random`. */
  samples: number;
  /** Families taking part and their spaces, in {@linkcode FAMILIES} order. */
  families: Partial<Record<Family, FamilySpace>>;
  /** Successive halving factor (1: every candidate on all rows). */
  eta: number;
  /** Training rows of the first rung at least. */
  minRows: number;
  /** Training rows of the first rung at most. */
  maxFirstRows: number;
}

/**
 * Read a `search:` mapping: `strategy`, `samples`, the halving factor `eta`
 * (default 3; 1 = no halving), `min_rows` (default 1000) and `max_first_rows` (default 20000), and the families. Each family is optional (absent = not searched);
 * at least one must be present. Network families list `learning_rate` (and
 * `l2`; `mlp`: `hidden`, `dropout`); tree families list any of their keys
 * (`gbdt`: learning_rate, max_iter, max_leaf_nodes, max_depth,
 * min_samples_leaf, l2, max_bins, n_iter_no_change; `extra_trees`:
 * n_estimators, max_features, min_samples_leaf, max_depth, max_bins,
 * n_iter_no_change: 0 keeps every tree), the
 * rest taking their defaults.
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
  const eta = s.number("eta", { default: 3, min: 1, max: 100 });
  const minRows = s.number("min_rows", { default: 1000, integer: true, min: 10 });
  const maxFirstRows = s.number("max_first_rows", { default: 20_000, integer: true, min: 10 });
  const families: SearchSpec["families"] = {};
  for (const family of FAMILIES) {
    const f = s.optionalSection(family);
    if (!f) continue;
    if (family === "gbdt" || family === "extra_trees") {
      const space: FamilySpace = {};
      for (const [key, field, options] of TREE_KEYS[family]) space[field] = f.numbers(key, options);
      families[family] = space;
    } else {
      const learningRate = f.numbers("learning_rate", { min: 1e-6, max: 1 });
      const l2 = f.numbers("l2", { defaultList: [0], min: 0 });
      let hidden: number[][] = [[]];
      let dropout = [0];
      if (family === "mlp") {
        hidden = readLayerLists(f, "hidden");
        dropout = f.numbers("dropout", { defaultList: [0], min: 0, max: 0.9 });
      }
      families[family] = { hidden, learningRate, l2, dropout };
    }
    f.done();
  }
  if (Object.keys(families).length === 0) {
    throw s.error(undefined, `'${s.path.join(".")}' needs at least one of ${FAMILIES.join(", ")}`);
  }
  s.done();
  return { strategy, samples, families, eta, minRows, maxFirstRows };
}

/**
 * Every combination of the spec's spaces, family by family, in a fixed order.
 *
 * @example
 * ```ts
 * import { expandGrid } from "./search.ts";
 * expandGrid({ strategy: "grid", samples: 1, eta: 1, minRows: 10, maxFirstRows: 10, families: {
 *   logreg: { hidden: [[]], learningRate: [0.01, 0.1], l2: [0], dropout: [0] } } }).length; // 2
 * ```
 */
export function expandGrid(spec: SearchSpec): CandidateConfig[] {
  const out: CandidateConfig[] = [];
  for (const family of FAMILIES) {
    const space = spec.families[family];
    if (!space) continue;
    let combos: Record<string, unknown>[] = [{ family }];
    for (const [field, values] of Object.entries(space)) {
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [field]: v })));
    }
    out.push(...(combos as unknown as CandidateConfig[]));
  }
  return out;
}

/**
 * The candidates of a spec: the whole grid, or a seeded sample of it (in grid order).
 *
 * @example
 * ```ts
 * import { candidates } from "./search.ts";
 * const spec = { strategy: "random" as const, samples: 1, eta: 1, minRows: 10, maxFirstRows: 10, families: {
 *   logreg: { hidden: [[]], learningRate: [0.01, 0.1], l2: [0], dropout: [0] } } };
 * candidates(spec, 7).length; // 1
 * ```
 */
export function candidates(spec: SearchSpec, seed: number): CandidateConfig[] {
  const grid = expandGrid(spec);
  if (spec.strategy === "grid" || spec.samples >= grid.length) return grid;
  const picked = shuffle(grid.map((_, i) => i), createRng(seed)).slice(0, spec.samples);
  return picked.sort((a, b) => a - b).map((i) => grid[i]);
}

/** What one candidate achieved (at the last rung it reached). */
export interface CandidateResult {
  /** `c1`, `c2` … in search order. */
  id: string;
  /** Its hyperparameters. */
  config: CandidateConfig;
  /** Human label of the config. */
  label: string;
  /** The last rung it trained at (0-based). */
  rung: number;
  /** Training rows it had at that rung. */
  rows: number;
  /** Epoch whose weights were kept (tree families: trees kept). */
  bestEpoch: number;
  /** Validation metrics at 0.5 with the kept weights. */
  val: ScoreReport;
  /** Per-epoch (tree families: per-tree) records. */
  history: EpochRecord[];
  /** Its rows and validation metrics at the rung before (absent: first rung). */
  previous?: { rows: number; val: ScoreReport };
}

/** How long one candidate took at one rung (for the run record, never for a hashed out). */
export interface CandidateTiming {
  /** Candidate id. */
  id: string;
  /** Rung. */
  rung: number;
  /** Training rows. */
  rows: number;
  /** Seconds. */
  seconds: number;
}

/**
 * Options of {@linkcode runSearch}: those of one candidate's training (the
 * `epochs`, `patience` and `batchSize` apply to networks; `gbdt` stops on
 * its own `nIterNoChange`), for a list of configs, and the halving plan.
 */
export interface SearchOptions extends Omit<TrainOptions, "config" | "label"> {
  /** Candidates to train. */
  configs: CandidateConfig[];
  /** Successive halving: each rung keeps the best 1/eta (1: every candidate on all rows). Default 1. */
  eta?: number;
  /** Rows of the first rung at least (default 1000). */
  minRows?: number;
  /** Rows of the first rung at most (default: no cap). */
  maxFirstRows?: number;
  /**
   * Safety cap on the search's wall time in seconds (0: none). When it is
   * reached no further candidate starts, the best of the last rung reached
   * wins, and a warning says the result now depends on the machine's speed.
   */
  budgetSeconds?: number;
}

/** The outcome of a search: every candidate and the winner's model. */
export interface SearchOutcome {
  /** Every candidate, in search order (each at the last rung it reached). */
  results: CandidateResult[];
  /** Index of the winner in `results`. */
  best: number;
  /** The winner's model (the caller disposes it: {@linkcode disposeModel}). */
  model: TrainedModel;
  /** The winner's validation probabilities. */
  valScores: Float32Array;
  /** Per candidate and rung, the seconds it took, in training order. */
  timings: CandidateTiming[];
  /** Whether `budgetSeconds` cut the search short. */
  cut: boolean;
}

interface Held {
  index: number;
  model: TrainedModel;
  valScores: Float32Array;
}

/**
 * Successive halving over the candidates (`_halving.ts`): every candidate
 * trains on a stratified share of the training rows, the best `1/eta` by
 * `metric` on the whole validation split train again on `eta` times more
 * rows, until one has trained on all of them: the winner (ties: the earlier
 * candidate). A network's epoch cap shrinks with its rung's share of the
 * rows (never below `patience`), and so does an extra-trees forest's tree
 * count (never below 30), so the early rungs stay cheap for every family.
 * Networks (the slowest family per row) are screened harder: on the first
 * rung they train on `1/eta` of its rows (at least `minRows`), and one goes
 * on to a next rung only as that rung's best candidate (`_halving.ts`
 * screenNetworks). Only each rung's current best model is kept in memory.
 *
 * @example
 * ```ts ignore
 * import { candidates, runSearch } from "./search.ts";
 * const out = await runSearch({ configs: candidates(spec, 7), train, val, seed: 7, epochs: 60, patience: 8, batchSize: 64, metric: "roc_auc", eta: 3, log });
 * out.results[out.best].label; // "gbdt lr=0.1 leaves=31 min_leaf=20 l2=0"
 * ```
 */
export async function runSearch(o: SearchOptions): Promise<SearchOutcome> {
  if (o.configs.length === 0) throw new RangeError("no candidates to search");
  const log = o.log ?? nullLogger;
  const eta = o.eta ?? 1, minRows = o.minRows ?? 1000;
  const plan = rungPlan({
    candidates: o.configs.length,
    rows: o.train.rows,
    eta,
    minRows,
    maxFirstRows: o.maxFirstRows,
  });
  const start = performance.now();
  const elapsed = () => Math.round(performance.now() - start) / 1000;
  const results: (CandidateResult | undefined)[] = o.configs.map(() => undefined);
  const timings: CandidateTiming[] = [];
  let alive = o.configs.map((_, i) => i);
  let previous: Held | undefined;
  let current: Held | undefined;
  let cut = false;
  const drop = (h?: Held) => h && disposeModel(h.model);
  try {
    for (const rung of plan) {
      alive = alive.slice(0, rung.candidates);
      if (rung.rung > 0) alive = screenNetworks(alive, o.configs, log, rung.rung - 1);
      const train = rung.rows < o.train.rows
        ? shareOf(o.train, rung.rows, o.seed + rung.rung)
        : o.train;
      // Networks screen on 1/eta of the first rung's rows (at least min_rows):
      // the cheapest look that can still tell a network that wins.
      const netRows = Math.min(rung.rows, Math.max(minRows, Math.floor(rung.rows / eta)));
      const netScreen = rung.rung === 0 && plan.length > 1 && netRows < rung.rows &&
          o.configs.some(isNetConfig)
        ? shareOf(o.train, netRows, o.seed + 1000)
        : undefined;
      current = undefined;
      for (const i of alive) {
        // The cap never stops the first candidate: a search always has a winner.
        if (o.budgetSeconds && (current ?? previous) && elapsed() > o.budgetSeconds) {
          cut = true;
          break;
        }
        const config = o.configs[i];
        const id = `c${i + 1}`;
        const label = describeConfig(config);
        const rows = isNetConfig(config) && netScreen ? netScreen.rows : rung.rows;
        log.info("candidate", { id, rung: rung.rung, rows, config: label });
        const t0 = performance.now();
        // A network's epoch cap shrinks with the rung's rows (at least `patience`).
        const epochs = Math.max(o.patience, Math.ceil((o.epochs * rows) / o.train.rows));
        const share = rung.rows / o.train.rows;
        const trained = isNetConfig(config)
          ? await trainCandidate({
            ...o,
            epochs: Math.min(o.epochs, epochs),
            train: netScreen ?? train,
            config,
            log,
            label: id,
          })
          : fitTreeCandidate({ ...o, train, config: scaledTrees(config, share), log, label: id });
        const seconds = Math.round(performance.now() - t0) / 1000;
        timings.push({ id, rung: rung.rung, rows, seconds });
        const val = scoreReport(o.val.labels, trained.valScores);
        const before = results[i];
        results[i] = {
          ...(before ? { previous: { rows: before.rows, val: before.val } } : {}),
          id,
          config,
          label,
          rung: rung.rung,
          rows,
          bestEpoch: trained.bestEpoch,
          val,
          history: trained.history,
        };
        const better = !current ||
          isBetter(o.metric, val[o.metric], results[current.index]!.val[o.metric]);
        if (better) {
          drop(current);
          current = { index: i, model: trained.model, valScores: trained.valScores };
        } else {
          disposeModel(trained.model);
        }
        log.info("candidate done", {
          id,
          rung: rung.rung,
          best_epoch: trained.bestEpoch,
          [`val_${o.metric}`]: val[o.metric],
          val_accuracy: val.accuracy,
          elapsed: elapsed(),
          best_so_far: `c${current!.index + 1}`,
        });
      }
      if (current) {
        drop(previous);
        previous = current;
      }
      if (cut) break;
      // Rank this rung (ties: search order) for the next one.
      alive = alive.filter((i) => results[i]!.rung === rung.rung).sort((a, b) => {
        const ma = results[a]!.val[o.metric], mb = results[b]!.val[o.metric];
        return isBetter(o.metric, ma, mb) ? -1 : isBetter(o.metric, mb, ma) ? 1 : a - b;
      });
    }
  } catch (err) {
    drop(current !== previous ? current : undefined);
    drop(previous);
    throw err;
  }
  if (cut) {
    log.warn(
      "train.budget_seconds cut the search: the result now depends on this machine's speed",
      {
        budget_seconds: o.budgetSeconds,
        elapsed: elapsed(),
      },
    );
  }
  const winner = previous!;
  const done = results.filter((r): r is CandidateResult => r !== undefined);
  return {
    results: done,
    best: done.indexOf(results[winner.index]!),
    model: winner.model,
    valScores: winner.valScores,
    timings,
    cut,
  };
}
