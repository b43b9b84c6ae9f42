/**
 * Hyperparameter search: a small space per model family (read from the
 * `search:` mapping of `params.yaml`), expanded as a full grid or sampled
 * (seeded) from it (`_search_spec.ts`), each candidate trained with early stopping on the
 * validation split (networks: epochs, lib/learn/fit.ts; `gbdt`: trees,
 * lib/learn/trees.ts), and the best one by the selection metric kept, across
 * all families.
 *
 * @module
 */
import { nullLogger } from "../log.ts";
import { isBetter, type ScoreReport } from "../reports/metrics.ts";
import { type EpochRecord, trainCandidate, type TrainOptions, validationReport } from "./fit.ts";
import {
  type CandidateConfig,
  describeConfig,
  disposeModel,
  isNetConfig,
  type ModelConfig as NetConfig,
  type TrainedModel,
} from "./models.ts";
import { rungPlan, scaledTrees, screenNetworks, shareOf } from "./_halving.ts";
import { fitTreeCandidate, type GbdtConfig, type TreeConfig, type TreeModel } from "./trees.ts";
import { defaultThreads } from "./_gbdt.ts";
import { openTreeLane, sharedMatrix, type TreeLane } from "./_tree_lane.ts";
import type { Matrix } from "./matrix.ts";
import { runLanes } from "./_search_lanes.ts";

export {
  candidates,
  expandGrid,
  type FamilySpace,
  readSearchSpec,
  type SearchSpec,
} from "./_search_spec.ts";

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
  /**
   * Worker threads fitting a rung's tree candidates side by side while the
   * calling thread trains its networks (`_tree_lane.ts`), when the rung has
   * more than one candidate (default: the cores, at most 8, `_gbdt.ts`
   * defaultThreads; 0 or a single core: every candidate on the calling
   * thread, in order). The outcome does not depend on it.
   */
  lanes?: number;
  /**
   * All rows (training + validation), when the winner may be refit on them:
   * if the last rung has a single `gbdt` candidate and two lanes can run, its
   * refit (seed `seed`) grows on a second lane beside it, stopped at the tree
   * count the candidate early-stops at ({@linkcode SearchOutcome} `refit`).
   */
  refitOn?: Matrix;
}

/** A refit the search grew beside its last candidate (`SearchOptions.refitOn`). */
export interface SpeculativeRefit {
  /** The candidate's config (the same object as its `CandidateResult.config`). */
  config: CandidateConfig;
  /** Trees (the candidate's best epoch). */
  iterations: number;
  /** Seed. */
  seed: number;
  /** The refit model: `refitTrees` of these on `refitOn`, tree for tree. */
  model: TreeModel;
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
  /** The winner's refit, when `refitOn` let it grow beside the last rung. */
  refit?: SpeculativeRefit;
}

/** One candidate's training at one rung. */
interface Trained {
  trained: {
    model: TrainedModel;
    history: EpochRecord[];
    bestEpoch: number;
    valScores: Float32Array;
  };
  seconds: number;
  rows: number;
  val: ScoreReport;
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
  let refit: SpeculativeRefit | undefined;
  const drop = (h?: Held) => h && disposeModel(h.model);
  const laneCount = o.lanes ?? (defaultThreads() > 1 ? defaultThreads() : 0);
  const lanes: TreeLane[] = [];
  let sharedVal: Matrix | undefined;
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
      // Several candidates: trees on the lanes, one histogram thread each. The
      // last rung's lone gbdt goes to a lane too, its refit to a second one.
      const lone = o.refitOn && laneCount > 1 && rung.rung === plan[plan.length - 1].rung &&
          alive.length === 1 && (o.configs[alive[0]] as TreeConfig).family === "gbdt"
        ? o.configs[alive[0]] as GbdtConfig
        : undefined;
      const side = laneCount > 0 && alive.length > 1 &&
        alive.some((i) => !isNetConfig(o.configs[i]));
      const laneUse = lone ? 2 : side ? Math.min(laneCount, alive.length) : 0;
      while (lanes.length < laneUse) {
        sharedVal ??= sharedMatrix(o.val); // one copy for every lane
        lanes.push(openTreeLane(sharedVal));
      }
      const target = new Int32Array(new SharedArrayBuffer(4));
      const refitting = lone && o.refitOn
        ? lanes[1].refit({
          config: lone,
          train: sharedMatrix(o.refitOn),
          seed: o.seed,
          iterations: lone.maxIter,
          target,
        })
        : undefined;
      refitting?.catch(() => {}); // awaited below; a failed rung must not leave it unhandled
      const vals = new Map<number, ScoreReport>(); // this rung's, as they finish
      let started = 0;
      const trainedBy = await runLanes<TreeLane, Trained>({
        jobs: alive,
        callerOnly: (i) => isNetConfig(o.configs[i]),
        lanes: lanes.slice(0, lone ? 1 : laneUse),
        // The cap never stops the first candidate: a search always has a winner.
        mayStart: () => {
          if (o.budgetSeconds && (started > 0 || previous) && elapsed() > o.budgetSeconds) {
            cut = true;
          }
          if (!cut) started++;
          return !cut;
        },
        discard: (t) => disposeModel(t.trained.model),
        run: async (i, lane) => {
          const config = o.configs[i];
          const id = `c${i + 1}`;
          const rows = isNetConfig(config) && netScreen ? netScreen.rows : rung.rows;
          log.info("candidate", { id, rung: rung.rung, rows, config: describeConfig(config) });
          const t0 = performance.now();
          // A network's epoch cap shrinks with the rung's rows (at least `patience`).
          const epochs = Math.max(o.patience, Math.ceil((o.epochs * rows) / o.train.rows));
          const share = rung.rows / o.train.rows;
          const trees = isNetConfig(config) ? undefined : scaledTrees(config, share);
          const trained = !trees
            ? await trainCandidate({
              ...o,
              epochs: Math.min(o.epochs, epochs),
              train: netScreen ?? train,
              config: config as NetConfig,
              log,
              label: id,
            })
            : lane
            ? await lane.fit({ config: trees, train, seed: o.seed, metric: o.metric, label: id })
            : fitTreeCandidate({ ...o, train, config: trees, log, label: id });
          const seconds = Math.round(performance.now() - t0) / 1000;
          const val = validationReport(o.val.labels, trained.valScores);
          vals.set(i, val);
          const best = alive.filter((j) => vals.has(j)).reduce((a, j) =>
            isBetter(o.metric, vals.get(j)![o.metric], vals.get(a)![o.metric]) ? j : a
          );
          log.info("candidate done", {
            id,
            rung: rung.rung,
            best_epoch: trained.bestEpoch,
            [`val_${o.metric}`]: val[o.metric],
            val_accuracy: val.accuracy,
            elapsed: elapsed(),
            seconds,
            best_so_far: `c${best + 1}`,
          });
          return { trained, seconds, rows, val };
        },
      });
      if (refitting) {
        const trees = trainedBy.get(alive[0])?.trained.bestEpoch ?? -1;
        Atomics.store(target, 0, trees >= 1 ? trees : -1);
        const model = await refitting;
        model.trees.length = Math.max(0, trees); // it may have grown further before it knew
        if (trees >= 1) refit = { config: lone!, iterations: trees, seed: o.seed, model };
      }
      // In the rung's order, as one thread would have: timings, results, the best.
      for (const i of alive) {
        const t = trainedBy.get(i);
        if (!t) continue;
        const { trained, seconds, rows, val } = t;
        const config = o.configs[i], id = `c${i + 1}`;
        timings.push({ id, rung: rung.rung, rows, seconds });
        const before = results[i];
        results[i] = {
          ...(before ? { previous: { rows: before.rows, val: before.val } } : {}),
          id,
          config,
          label: describeConfig(config),
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
  } finally {
    lanes.forEach((l) => l.close());
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
    ...(refit ? { refit } : {}),
  };
}
