/**
 * The train stage's released model: the search's winner, refit on all rows
 * and/or (networks only) averaged over seeds.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Logger } from "../lib/log.ts";
import type { Matrix } from "../lib/learn/matrix.ts";
import { refitCandidate, trainCandidate } from "../lib/learn/fit.ts";
import {
  averageLogits,
  isNetConfig,
  predictProba,
  type TrainedModel,
} from "../lib/learn/models.ts";
import type { CandidateResult, SearchOutcome } from "../lib/learn/search.ts";
import { refitTrees } from "../lib/learn/trees.ts";
import { expandCodes } from "../lib/learn/expand_codes.ts";
import type { TrainParams } from "./_train_params.ts";

/**
 * The released model: the search's winner, refit on all rows and/or (networks
 * only) averaged over `ensemble` seeds, with the validation scores its
 * threshold is chosen from (after a refit: those of the early-stopped winner,
 * the only model that has not seen the validation rows). Networks it creates
 * go to `owned`. A tree winner is refit once with its validation-chosen tree
 * count: `gbdt` has no seed to vary, and `extra_trees` already averages
 * randomized trees.
 */
export async function finalModel(o: {
  p: TrainParams;
  refit: boolean;
  best: CandidateResult;
  search: SearchOutcome;
  all: Matrix;
  train: Matrix;
  val: Matrix;
  log: Logger;
  owned: tf.LayersModel[];
}): Promise<{ model: TrainedModel; valScores: Float32Array }> {
  const { p, best, log } = o;
  let valScores = o.search.valScores;
  if (!isNetConfig(best.config)) {
    if (!o.refit) return { model: o.search.model, valScores };
    const { config, bestEpoch: iterations } = best;
    // The search may have grown this very refit beside the last rung (`refitOn`).
    const ahead = o.search.refit;
    const grown = ahead?.config === config && ahead.iterations === iterations &&
      ahead.seed === p.seed;
    const model = grown
      ? ahead.model
      : refitTrees({ config, train: o.all, seed: p.seed, iterations });
    log.info("refit", {
      candidate: `${best.id}-refit`,
      trees: model.trees.length,
      rows: o.all.rows,
      ...(grown ? { beside_last_rung: true } : {}),
    });
    return { model, valScores };
  }
  const config = best.config;
  const members: tf.LayersModel[] = [];
  if (o.refit) {
    for (let k = 0; k < p.ensemble; k++) {
      const label = `${best.id}-refit${p.ensemble > 1 ? `-${k + 1}` : ""}`;
      const m = await refitCandidate({
        config,
        train: o.all,
        seed: p.seed + k,
        epochs: best.bestEpoch,
        batchSize: p.batchSize,
        log,
        label,
      });
      o.owned.push(m);
      members.push(m);
    }
  } else {
    members.push(o.search.model as tf.LayersModel);
    for (let k = 1; k < p.ensemble; k++) {
      const c = await trainCandidate({
        config,
        train: o.train,
        val: o.val,
        seed: p.seed + k,
        epochs: p.epochs,
        patience: p.patience,
        batchSize: p.batchSize,
        metric: p.selectionMetric,
        log,
        label: `${best.id}-${k + 1}`,
      });
      o.owned.push(c.model);
      members.push(c.model);
    }
  }
  const model = averageLogits(members, config);
  if (members.length > 1) o.owned.push(model);
  // Without a refit no member has seen the validation rows: score them with the released model.
  if (!o.refit) {
    const val = expandCodes(o.val); // a network takes category codes as one-hot columns
    valScores = predictProba(model, val.data, val.rows);
  }
  return { model, valScores };
}
