import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { nullLogger } from "../log.ts";
import { openSection } from "../section.ts";
import { parseYaml } from "../yaml.ts";
import { rungPlan, screenNetworks } from "./_halving.ts";
import type { Matrix } from "./matrix.ts";
import type { CandidateConfig } from "./models.ts";
import { createRng } from "../rng.ts";
import { candidates, expandGrid, readSearchSpec, runSearch, type SearchSpec } from "./search.ts";
import { refitTrees, type TreeConfig } from "./trees.ts";

const spec = (text: string): SearchSpec =>
  readSearchSpec(openSection(parseYaml(text, "params.yaml"), ["search"]));

const TEXT = `search:
  strategy: grid
  logreg:
    learning_rate: [0.03]
  mlp:
    hidden: [[8], [16, 8]]
    learning_rate: [0.01, 0.001]
    l2: [0]
    dropout: [0, 0.2]
`;

Deno.test("readSearchSpec reads families in a fixed order with defaults", () => {
  const s = spec(TEXT);
  deepStrictEqual(s.strategy, "grid");
  deepStrictEqual(s.families.logreg, { hidden: [[]], learningRate: [0.03], l2: [0], dropout: [0] });
  deepStrictEqual(s.families.mlp?.hidden, [[8], [16, 8]]);
});

Deno.test("expandGrid: every combination, logreg first", () => {
  const grid = expandGrid(spec(TEXT));
  deepStrictEqual(grid.length, 1 + 2 * 2 * 1 * 2);
  deepStrictEqual(grid[0].family, "logreg");
  deepStrictEqual(grid[1], { family: "mlp", hidden: [8], learningRate: 0.01, l2: 0, dropout: 0 });
  deepStrictEqual(grid[8], {
    family: "mlp",
    hidden: [16, 8],
    learningRate: 0.001,
    l2: 0,
    dropout: 0.2,
  });
});

Deno.test("candidates: random strategy samples reproducibly, in grid order", () => {
  const s = spec(TEXT.replace("strategy: grid", "strategy: random\n  samples: 3"));
  const a = candidates(s, 7);
  deepStrictEqual(a.length, 3);
  deepStrictEqual(candidates(s, 7), a);
  const grid = expandGrid(s);
  const positions = a.map((c) => grid.indexOf(c));
  deepStrictEqual([...positions].sort((x, y) => x - y), positions);
  deepStrictEqual(candidates({ ...s, samples: 50 }, 7).length, grid.length);
});

Deno.test("readSearchSpec errors name the file, line and key", () => {
  const bad = (text: string, pattern: RegExp) =>
    throws(() => spec(text), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
  bad("search:\n  strategy: grid\n", /needs at least one of logreg, mlp/);
  bad("search:\n  mlp:\n    hidden: [64]\n    learning_rate: [0.1]\n", /list of layer-width lists/);
  bad(
    "search:\n  logreg:\n    learning_rate: [0.1]\n    dropuot: [0]\n",
    /unknown key 'search.logreg.dropuot'/,
  );
  bad(
    "search:\n  strategy: bayes\n  logreg: {learning_rate: [0.1]}\n",
    /must be one of grid, random/,
  );
  throws(
    () => spec("search:\n  mlp:\n    hidden: [[0]]\n    learning_rate: [0.1]\n"),
    (e: unknown) => {
      const err = e as ConfigError;
      return err.where.file === "params.yaml" && err.where.line === 3 &&
        err.where.field === "search.mlp.hidden";
    },
  );
});

function linear(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * 3), labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 3; j++) data[3 * i + j] = rng.next() * 2 - 1;
    labels[i] = data[3 * i] + 0.3 * (rng.next() - 0.5) > 0 ? 1 : 0;
  }
  return { rows, cols: 3, columns: ["a", "b", "c"], data, labels };
}

const gbdt = (learningRate: number, maxIter: number): CandidateConfig => ({
  family: "gbdt",
  learningRate,
  maxIter,
  maxLeafNodes: 8,
  maxDepth: 0,
  minSamplesLeaf: 5,
  l2: 0,
  maxBins: 64,
  nIterNoChange: 5,
});

Deno.test("rungPlan: candidates shrink by eta while rows grow by eta, ending on all rows", () => {
  deepStrictEqual(
    rungPlan({ candidates: 8, rows: 90_000, eta: 3, minRows: 1000, maxFirstRows: 20_000 }),
    [
      { rung: 0, candidates: 8, rows: 10_000 },
      { rung: 1, candidates: 3, rows: 30_000 },
      { rung: 2, candidates: 1, rows: 90_000 },
    ],
  );
  // The first rung stays within [min_rows, max_first_rows]; later rungs grow geometrically
  // to all rows, or by eta per rung when max_first_rows capped the first.
  deepStrictEqual(rungPlan({ candidates: 7, rows: 1500, eta: 3, minRows: 1000 }), [
    { rung: 0, candidates: 7, rows: 1000 },
    { rung: 1, candidates: 3, rows: 1224 },
    { rung: 2, candidates: 1, rows: 1500 },
  ]);
  deepStrictEqual(
    rungPlan({ candidates: 7, rows: 800_000, eta: 3, minRows: 1000, maxFirstRows: 20_000 }),
    [
      { rung: 0, candidates: 7, rows: 20_000 },
      { rung: 1, candidates: 3, rows: 60_000 },
      { rung: 2, candidates: 1, rows: 800_000 },
    ],
  );
  // Capped first rung, more rungs: each grows by eta until the last takes all rows.
  deepStrictEqual(
    rungPlan({ candidates: 20, rows: 2_000_000, eta: 3, minRows: 1000, maxFirstRows: 10_000 }),
    [
      { rung: 0, candidates: 20, rows: 10_000 },
      { rung: 1, candidates: 7, rows: 30_000 },
      { rung: 2, candidates: 3, rows: 90_000 },
      { rung: 3, candidates: 1, rows: 2_000_000 },
    ],
  );
  // Rungs that would not grow the rows are merged.
  deepStrictEqual(rungPlan({ candidates: 7, rows: 1100, eta: 3, minRows: 1000 }), [
    { rung: 0, candidates: 7, rows: 1000 },
    { rung: 1, candidates: 3, rows: 1048 },
    { rung: 2, candidates: 1, rows: 1100 },
  ]);
  deepStrictEqual(rungPlan({ candidates: 5, rows: 500, eta: 3, minRows: 1000 }), [
    { rung: 0, candidates: 5, rows: 500 },
  ]);
  deepStrictEqual(rungPlan({ candidates: 5, rows: 9000, eta: 1, minRows: 10 }), [
    { rung: 0, candidates: 5, rows: 9000 },
  ]);
});

/** The search's training settings shared by the runSearch tests below. */
const TRAINING = { seed: 7, epochs: 10, patience: 2, batchSize: 32, metric: "roc_auc" } as const;

Deno.test("runSearch halving: the losers stop after the first rung, the winner trains on all rows", async () => {
  const train = linear(900, 1), val = linear(300, 2);
  // c1, c3: one tree at a tiny learning rate (cannot win); c2: a real booster.
  const configs = [gbdt(0.001, 1), gbdt(0.3, 100), gbdt(0.001, 1)];
  const out = await runSearch({
    configs,
    train,
    val,
    ...TRAINING,
    eta: 3,
    minRows: 100,
  });
  deepStrictEqual(out.results.map((r) => [r.id, r.rung, r.rows]), [
    ["c1", 0, 300],
    ["c2", 1, 900],
    ["c3", 0, 300],
  ]);
  deepStrictEqual(out.results[out.best].id, "c2");
  // The winner remembers its previous rung (refit: auto reads the learning curve from it).
  deepStrictEqual(out.results[out.best].previous?.rows, 300);
  deepStrictEqual(out.results[0].previous, undefined);
  deepStrictEqual(out.timings.map((t) => `${t.id}@${t.rung}`), ["c1@0", "c2@0", "c3@0", "c2@1"]);
  deepStrictEqual(out.cut, false);
  ok(out.results[out.best].val.roc_auc > 0.95);
});

Deno.test("runSearch: the time cap stops the search after the first candidate, with a winner", async () => {
  const out = await runSearch({
    configs: [gbdt(0.3, 20), gbdt(0.1, 20)],
    train: linear(400, 1),
    val: linear(200, 2),
    ...TRAINING,
    eta: 1,
    budgetSeconds: 1e-9,
  });
  deepStrictEqual(out.cut, true);
  deepStrictEqual(out.results.map((r) => r.id), ["c1"]);
  deepStrictEqual(out.results[out.best].id, "c1");
});

Deno.test("screenNetworks: a network goes on only as the rung's best; trees keep their places", () => {
  const net: CandidateConfig = {
    family: "logreg",
    hidden: [],
    learningRate: 0.1,
    l2: 0,
    dropout: 0,
  };
  const configs = [net, gbdt(0.1, 10), net, gbdt(0.3, 10)];
  // Ranked best first: c3 (network) wins, so it stays; c1 (network) is dropped, its place not handed on.
  deepStrictEqual(screenNetworks([2, 0, 3], configs, nullLogger, 0), [2, 3]);
  deepStrictEqual(screenNetworks([1, 0, 2, 3], configs, nullLogger, 0), [1, 3]);
  deepStrictEqual(screenNetworks([3, 1], configs, nullLogger, 0), [3, 1]);
});

Deno.test("runSearch: tree lanes give the same search as one thread (models, histories, order)", async () => {
  const et: CandidateConfig = {
    family: "extra_trees",
    nEstimators: 40,
    maxFeatures: 0.7,
    minSamplesLeaf: 2,
    maxDepth: 0,
    maxBins: 64,
    nIterNoChange: 5,
  };
  const logreg: CandidateConfig = {
    family: "logreg",
    hidden: [],
    learningRate: 0.05,
    l2: 0,
    dropout: 0,
  };
  const search = (lanes: number) =>
    runSearch({
      configs: [logreg, gbdt(0.3, 60), et, gbdt(0.1, 60), { ...et, minSamplesLeaf: 5 }],
      train: linear(1200, 1),
      val: linear(300, 2),
      seed: 7,
      epochs: 4,
      patience: 2,
      batchSize: 64,
      metric: "roc_auc",
      eta: 2,
      minRows: 200,
      lanes,
    });
  const one = await search(0), two = await search(2);
  const strip = (o: typeof one) => ({
    results: o.results,
    best: o.best,
    model: JSON.stringify(o.model),
    valScores: Array.from(o.valScores),
    order: o.timings.map((t) => `${t.id}@${t.rung}:${t.rows}`),
  });
  deepStrictEqual(strip(two), strip(one));
  ok(one.results.some((r) => r.rung > 0));
});

Deno.test("runSearch refitOn: the refit grown beside the last rung is refitTrees of the winner's count", async () => {
  const all = linear(1300, 3);
  const search = (lanes: number, refitOn?: Matrix) =>
    runSearch({
      configs: [gbdt(0.001, 1), gbdt(0.3, 100), gbdt(0.001, 1)],
      train: linear(900, 1),
      val: linear(300, 2),
      ...TRAINING,
      eta: 3,
      minRows: 100,
      lanes,
      refitOn,
    });
  const plain = await search(2), beside = await search(2, all);
  const best = beside.results[beside.best];
  ok(beside.refit, "refit grown");
  deepStrictEqual(beside.refit.config, best.config);
  deepStrictEqual(beside.refit.iterations, best.bestEpoch);
  const config = best.config as TreeConfig;
  const refit = refitTrees({ config, train: all, seed: 7, iterations: best.bestEpoch });
  deepStrictEqual(JSON.stringify(beside.refit.model), JSON.stringify(refit));
  // The search itself is unchanged; without a second lane nothing is grown beside it.
  deepStrictEqual(beside.results, plain.results);
  deepStrictEqual(JSON.stringify(beside.model), JSON.stringify(plain.model));
  deepStrictEqual(plain.refit, undefined);
  deepStrictEqual((await search(0, all)).refit, undefined);
});
