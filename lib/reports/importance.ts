/**
 * Model-agnostic insight written by the evaluate stage for the dashboard's
 * Model page:
 *
 * - {@linkcode calibrationBins}: the reliability diagram (equal-width
 *   probability bins: mean predicted probability vs observed threat rate,
 *   plus the expected calibration error);
 * - {@linkcode permutationImportance}: how much the test ROC AUC drops when
 *   one input feature's encoded columns are shuffled across rows (jointly,
 *   so a one-hot block stays one-hot), averaged over seeded repeats;
 * - {@linkcode featureGroups}: which encoded columns belong to each input
 *   feature, from the model's preprocess.json.
 *
 * Deterministic for a seed (no times, no thread counts), so outs stay
 * byte-reproducible.
 *
 * @module
 */
import { rocAuc } from "./metrics.ts";
import { createRng } from "../rng.ts";

/** One calibration bin. */
export interface CalibrationBin {
  /** Lower edge (inclusive). */
  lower: number;
  /** Upper edge (exclusive; the last bin includes 1). */
  upper: number;
  /** Rows in the bin. */
  count: number;
  /** Mean predicted probability (null when empty). */
  mean_probability: number | null;
  /** Share of threats (null when empty). */
  observed_rate: number | null;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Reliability bins and the expected calibration error.
 *
 * @example
 * ```ts
 * import { calibrationBins } from "./importance.ts";
 * const c = calibrationBins([0, 1, 1], [0.1, 0.8, 0.9], 2);
 * [c.bins[1].count, c.bins[1].observed_rate]; // [2, 1]
 * ```
 */
export function calibrationBins(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = 10,
): { bins: CalibrationBin[]; ece: number } {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be ≥ 1, got ${bins}`);
  const n = new Array(bins).fill(0), sp = new Array(bins).fill(0), sy = new Array(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins)));
    n[b]++;
    sp[b] += scores[i];
    sy[b] += labels[i];
  }
  let ece = 0;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (n[b]) ece += (n[b] / scores.length) * Math.abs(sp[b] / n[b] - sy[b] / n[b]);
    out.push({
      lower: r6(b / bins),
      upper: r6((b + 1) / bins),
      count: n[b],
      mean_probability: n[b] ? r6(sp[b] / n[b]) : null,
      observed_rate: n[b] ? r6(sy[b] / n[b]) : null,
    });
  }
  return { bins: out, ece: scores.length ? r6(ece) : 0 };
}

/** An input feature and the encoded columns it became. */
export interface FeatureGroup {
  /** Input column name. */
  feature: string;
  /** Indexes into the encoded row. */
  columns: number[];
}

/**
 * The groups of a preprocess.json (`features: [{ kind, column, categories? }]`):
 * a numeric feature is one column, a one-hot feature its categories plus
 * the unseen bucket. Anything else: one group per encoded column named
 * after `names`.
 *
 * @example
 * ```ts
 * import { featureGroups } from "./importance.ts";
 * featureGroups({ features: [{ kind: "numeric", column: "a" },
 *   { kind: "one_hot", column: "p", categories: ["x"] }] }, ["a", "p=x", "p=__unseen__"]);
 * // [{ feature: "a", columns: [0] }, { feature: "p", columns: [1, 2] }]
 * ```
 */
export function featureGroups(preprocessJson: unknown, names: readonly string[]): FeatureGroup[] {
  const feats = (preprocessJson as { features?: unknown })?.features;
  if (Array.isArray(feats)) {
    const groups: FeatureGroup[] = [];
    let at = 0;
    for (const f of feats as { kind?: string; column?: string; categories?: unknown[] }[]) {
      const width = f.kind === "one_hot" && Array.isArray(f.categories)
        ? f.categories.length + 1
        : 1;
      groups.push({
        feature: String(f.column),
        columns: [...Array(width).keys()].map((k) => at + k),
      });
      at += width;
    }
    if (at === names.length) return groups;
  }
  return names.map((feature, i) => ({ feature, columns: [i] }));
}

/** Options of {@linkcode permutationImportance}. */
export interface ImportanceOptions {
  /** Encoded rows, row-major. */
  x: Float32Array;
  /** Row count. */
  rows: number;
  /** Columns per row. */
  cols: number;
  /** 0/1 labels. */
  labels: ArrayLike<number>;
  /** The model. */
  predict: (x: Float32Array, rows: number) => Float32Array;
  /** Feature groups. */
  groups: FeatureGroup[];
  /** Shuffles per feature (default 3). */
  repeats?: number;
  /** Seed (default 0). */
  seed?: number;
  /** At most this many rows, a seeded sample (default all). */
  maxRows?: number;
  /**
   * A faster exact way to score rows where only some columns changed,
   * bound to the rows scored (after the `maxRows` sample); default none
   * (every shuffle scored with `predict`, every column taken as read).
   */
  rescorer?: (x: Float32Array, rows: number) => Rescorer;
}

/**
 * A model bound to the rows of a permutation-importance run that rescores
 * them after some columns changed (trees: only the trees that split on them,
 * lib/learn/tree_rescore.ts), with the same scores as `predict`.
 */
export interface Rescorer {
  /**
   * The columns the model reads, ascending: a group with none of them
   * cannot change a score, so its drop is the baseline minus itself, taken
   * without scoring (its shuffles are still drawn, so every other group sees
   * the same random stream and the report does not change).
   */
  used: readonly number[];
  /** Scores of `work`: the bound rows with only `columns` changed. */
  rescore(work: Float32Array, columns: readonly number[]): Float32Array;
}

/** The importance report (written as importance.json). */
export interface ImportanceReport {
  /** The metric whose drop is measured. */
  metric: "roc_auc";
  /** Repeats per feature. */
  repeats: number;
  /** Seed. */
  seed: number;
  /** Rows used. */
  rows: number;
  /** The metric unshuffled. */
  baseline: number;
  /** Features, largest mean drop first. */
  features: { feature: string; importance: number; std: number }[];
}

/**
 * Permutation importance on a scored set.
 *
 * @example
 * ```ts ignore
 * const report = permutationImportance({ x, rows, cols, labels, predict, groups, seed: 1 });
 * ```
 */
export function permutationImportance(o: ImportanceOptions): ImportanceReport {
  const repeats = o.repeats ?? 3;
  const seed = o.seed ?? 0;
  const rng = createRng(seed);
  let x = o.x, rows = o.rows, labels: ArrayLike<number> = o.labels;
  if (o.maxRows !== undefined && rows > o.maxRows) {
    const idx = [...Array(rows).keys()];
    for (let i = 0; i < o.maxRows; i++) {
      const j = i + rng.int(rows - i);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const keep = idx.slice(0, o.maxRows).sort((a, b) => a - b);
    x = new Float32Array(keep.length * o.cols);
    keep.forEach((r, k) => x.set(o.x.subarray(r * o.cols, (r + 1) * o.cols), k * o.cols));
    labels = keep.map((r) => o.labels[r]);
    rows = keep.length;
  }
  const scores = o.predict(x, rows);
  const baseline = rocAuc(labels, scores);
  // The rescorer is used only when it reproduces `predict` on the rows bit for bit.
  let fast = o.rescorer?.(x, rows);
  if (fast && !sameBits(fast.rescore(x, []), scores)) fast = undefined;
  const read = new Uint8Array(o.cols).fill(fast ? 0 : 1);
  for (const c of fast?.used ?? []) read[c] = 1;
  const work = x.slice();
  const perm = new Int32Array(rows);
  const features = o.groups.map((g) => {
    const drops: number[] = [];
    const scored = g.columns.some((c) => read[c] === 1);
    for (let rep = 0; rep < repeats; rep++) {
      for (let r = 0; r < rows; r++) perm[r] = r;
      for (let i = rows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      if (!scored) { // the shuffle cannot change a score: the drop predict would give
        drops.push(baseline - baseline);
        continue;
      }
      for (let r = 0; r < rows; r++) {
        for (const c of g.columns) work[r * o.cols + c] = x[perm[r] * o.cols + c];
      }
      const shuffled = fast ? fast.rescore(work, g.columns) : o.predict(work, rows);
      drops.push(baseline - fastRocAuc(labels, shuffled));
      for (let r = 0; r < rows; r++) { // undo: `work` is `x` again
        for (const c of g.columns) work[r * o.cols + c] = x[r * o.cols + c];
      }
    }
    const mean = drops.reduce((s, d) => s + d, 0) / repeats;
    const std = Math.sqrt(drops.reduce((s, d) => s + (d - mean) ** 2, 0) / repeats);
    return { feature: g.feature, importance: r6(mean), std: r6(std) };
  });
  features.sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  return { metric: "roc_auc", repeats, seed, rows, baseline: r6(baseline), features };
}

/**
 * {@linkcode rocAuc} of 0/1 labels and float32 scores, the same number bit
 * for bit (the same trapezoids over the distinct scores, summed in the same
 * descending order) from two native typed-array sorts instead of an index
 * sort with a comparator: each class's scores sorted, then merged.
 */
function fastRocAuc(labels: ArrayLike<number>, scores: Float32Array): number {
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) return rocAuc(labels, scores); // its error, as before
    if (labels[i] === 1) positives++;
  }
  const pos = new Float32Array(positives), neg = new Float32Array(scores.length - positives);
  for (let i = 0, p = 0, q = 0; i < scores.length; i++) {
    if (labels[i] === 1) pos[p++] = scores[i];
    else neg[q++] = scores[i];
  }
  if (pos.length === 0 || neg.length === 0) return NaN;
  pos.sort();
  neg.sort();
  let area = 0, tp = 0, fp = 0, i = pos.length - 1, j = neg.length - 1;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    const prevTp = tp, prevFp = fp;
    while (i >= 0 && pos[i] === t) (tp++, i--);
    while (j >= 0 && neg[j] === t) (fp++, j--);
    area += (fp - prevFp) * (tp + prevTp) / 2;
  }
  return area / (pos.length * neg.length);
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const v = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return u.every((w, i) => w === v[i]);
}

/** The evaluate stage's settings: 3 seeded shuffles per feature on at most 5,000 test rows. */
export const INSIGHT_DEFAULTS = { bins: 10, repeats: 3, seed: 0, maxRows: 5000 } as const;

/**
 * Calibration and permutation importance of a scored test set, as the
 * evaluate stage writes them (`calibration.json`, `importance.json`).
 *
 * @example
 * ```ts ignore
 * const { calibration, importance } = evaluateInsights({ x, rows, cols, labels, scores,
 *   predict: (m, n) => model.predictProba(m, n), preprocessJson: model.preprocessJson, names });
 * ```
 */
export function evaluateInsights(o: {
  x: Float32Array;
  rows: number;
  cols: number;
  labels: ArrayLike<number>;
  scores: ArrayLike<number>;
  predict: (x: Float32Array, rows: number) => Float32Array;
  preprocessJson: unknown;
  names: readonly string[];
  /** {@linkcode ImportanceOptions.rescorer} (a tree model's; same report, less time). */
  rescorer?: ImportanceOptions["rescorer"];
}): { calibration: ReturnType<typeof calibrationBins>; importance: ImportanceReport } {
  const d = INSIGHT_DEFAULTS;
  return {
    calibration: calibrationBins(o.labels, o.scores, d.bins),
    importance: permutationImportance({
      x: o.x,
      rows: o.rows,
      cols: o.cols,
      labels: o.labels,
      predict: o.predict,
      groups: featureGroups(o.preprocessJson, o.names),
      repeats: d.repeats,
      seed: d.seed,
      maxRows: d.maxRows,
      rescorer: o.rescorer,
    }),
  };
}
