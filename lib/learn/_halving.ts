/**
 * The rung plan of the budgeted search (lib/learn/search.ts): successive
 * halving with training rows as the resource. Every candidate first trains
 * on a small stratified share of the training rows; after each rung the best
 * `1/eta` of them (by the selection metric on the full validation split) go
 * on to `eta` times more rows, until one candidate trains on all of them.
 * The budget is work (rows x candidates), not time, so the outcome does not
 * depend on the machine's speed.
 *
 * @module
 */

import type { Matrix } from "./matrix.ts";
import { stratifiedSplit } from "../data/split.ts";
import type { TreeConfig } from "./trees.ts";
import type { Logger } from "../log.ts";
import { type CandidateConfig, isNetConfig, takeRows } from "./models.ts";

/** One rung: how many candidates train on how many rows. */
export interface Rung {
  /** 0-based rung. */
  rung: number;
  /** Candidates trained at this rung. */
  candidates: number;
  /** Training rows each of them gets. */
  rows: number;
}

/**
 * The rungs for `candidates` candidates on `rows` training rows: with `k`
 * eliminations (`ceil(log_eta(candidates))`), rung `r` keeps
 * `ceil(candidates / eta^r)` candidates. The first rung gets
 * `rows / eta^k` rows, at least `minRows` and at most `maxFirstRows` (a
 * screening: on millions of rows a ninth is still a full training run);
 * later rungs grow geometrically to all rows. When `maxFirstRows` capped the
 * first rung, the middle rungs grow by `eta` per rung from it (successive
 * halving's own step) instead of geometrically towards all rows, which on
 * large data made them a large share of all rows (126k of 800k rows, three
 * candidates): the last rung (one candidate, all rows) then dominates the
 * work. Rungs that would not grow the rows are merged into the next.
 * `eta = 1` or one candidate: a single rung on all rows.
 *
 * @example
 * ```ts
 * import { rungPlan } from "./_halving.ts";
 * rungPlan({ candidates: 8, rows: 90_000, eta: 3, minRows: 1000, maxFirstRows: 20_000 });
 * // [{ rung: 0, candidates: 8, rows: 10000 }, { rung: 1, candidates: 3, rows: 30000 },
 * //  { rung: 2, candidates: 1, rows: 90000 }]
 * ```
 */
export function rungPlan(o: {
  candidates: number;
  rows: number;
  eta: number;
  minRows: number;
  maxFirstRows?: number;
}): Rung[] {
  const { candidates, rows, eta } = o;
  if (candidates < 1) throw new RangeError("no candidates");
  if (eta <= 1 || candidates === 1) return [{ rung: 0, candidates, rows }];
  let k = 0;
  while (Math.ceil(candidates / eta ** k) > 1) k++;
  const first = Math.floor(Math.min(
    rows,
    Math.max(Math.min(o.minRows, rows), Math.min(o.maxFirstRows ?? Infinity, rows / eta ** k)),
  ));
  const capped = o.maxFirstRows !== undefined && rows / eta ** k > o.maxFirstRows;
  const out: Rung[] = [];
  for (let r = 0; r <= k; r++) {
    const n = r === k
      ? rows
      : capped
      ? Math.floor(first * eta ** r)
      : Math.floor(first * (rows / first) ** (r / k));
    const kept = r === k ? 1 : Math.ceil(candidates / eta ** r);
    const last = out[out.length - 1];
    // Same rows as the previous rung: keep the previous rung's candidate count.
    if (last && last.rows >= n) continue;
    out.push({ rung: out.length, candidates: kept, rows: n });
  }
  return out;
}

/**
 * A forest's tree count shrinks with its rung's share of the rows (at least
 * 30): more trees only average out noise, which a rung's ranking does not
 * need. Boosting keeps its own early stopping.
 *
 * @example
 * ```ts ignore
 * scaledTrees(config, 1 / 9).nEstimators; // 300 -> 34
 * ```
 */
export function scaledTrees(config: TreeConfig, share: number): TreeConfig {
  if (config.family !== "extra_trees" || share >= 1) return config;
  const n = Math.max(Math.min(30, config.nEstimators), Math.ceil(config.nEstimators * share));
  return { ...config, nEstimators: n };
}

/**
 * A stratified, seeded share of `rows` rows of `m` (in row order).
 *
 * @example
 * ```ts ignore
 * const rung0 = shareOf(train, 1000, seed);
 * ```
 */
export function shareOf(m: Matrix, rows: number, seed: number): Matrix {
  const { test } = stratifiedSplit(m.labels, { testSize: rows / m.rows, seed });
  return takeRows(m, Uint32Array.from(test).sort());
}

/**
 * Networks are screened: one goes on to the next rung only when it is this
 * rung's best candidate (`ranked[0]`); its place is not handed on. A network's training time grows with
 * rows x epochs, and on tabular data a tree family usually wins: a network
 * that cannot beat every other candidate on the rung's validation metric is
 * not trained further (the tree families keep their 1/eta share).
 *
 * @example
 * ```ts ignore
 * screenNetworks([3, 0, 5], configs, log, 0); // [3, 5] when c1 is a network, c4 and c6 trees
 * ```
 */
export function screenNetworks(
  ranked: number[],
  configs: CandidateConfig[],
  log: Logger,
  rung: number,
): number[] {
  const kept = ranked.filter((i, k) => k === 0 || !isNetConfig(configs[i]));
  const dropped = ranked.filter((i) => !kept.includes(i));
  if (dropped.length > 0) {
    log.info("networks screened out", {
      rung,
      candidates: dropped.map((i) => `c${i + 1}`).join(","),
    });
  }
  return kept;
}
