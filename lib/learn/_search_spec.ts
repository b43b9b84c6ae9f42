/**
 * The search's space (lib/learn/search.ts): a `search:` mapping of
 * `params.yaml` read into a spec, and its candidates (the full grid, or a
 * seeded sample of it).
 *
 * @module
 */
import type { Section } from "../section.ts";
import { readLayerLists, TREE_KEYS } from "./_search_keys.ts";
import { type CandidateConfig, FAMILIES, type Family } from "./models.ts";
import { createRng, shuffle } from "../rng.ts";

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
 * import { readSearchSpec } from "./_search_spec.ts";
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
 * import { expandGrid } from "./_search_spec.ts";
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
 * import { candidates } from "./_search_spec.ts";
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
