/**
 * Whether refitting the search's winner on train + validation pays
 * (`train.refit: auto`), decided on the validation split only: successive
 * halving trained the winner on its last two rungs with `r0` and `r1`
 * training rows, and its validation log loss there is a point of its
 * learning curve. Extrapolated as a power law (relative gain proportional
 * to the log of the rows ratio), adding the validation rows
 * (`r1 -> r1 / (1 - validation_size)`) is expected to lower the log loss
 * by `gain x ln(1 / (1 - validation_size)) / ln(r1 / r0)`; the refit pays
 * when that is at least `minGain`. With no earlier rung (one candidate, or
 * `eta: 1`) there is no curve to read, and the refit is done.
 *
 * @module
 */
import type { ScoreReport } from "../reports/metrics.ts";
import type { Section } from "../section.ts";

/** The winner's validation log loss at its last two rungs. */
export interface RefitEvidence {
  /** Training rows and validation metrics at the last rung. */
  last: { rows: number; val: ScoreReport };
  /** The same at the rung before (absent: it trained on one rung only). */
  previous?: { rows: number; val: ScoreReport };
}

/** The decision and what it was based on (for the log and the card). */
export interface RefitChoice {
  /** Refit or not. */
  refit: boolean;
  /** Expected relative log-loss gain of the refit (null: no earlier rung). */
  expected_gain: number | null;
  /** The bar it had to reach. */
  min_gain: number;
}

/**
 * Decide the refit from the learning curve between the winner's last two rungs.
 *
 * @example
 * ```ts
 * import { refitChoice } from "./refit_choice.ts";
 * const val = (log_loss: number) => ({ log_loss }) as never;
 * refitChoice({
 *   previous: { rows: 100_000, val: val(0.40) },
 *   last: { rows: 300_000, val: val(0.396) },
 * }, { validationSize: 0.2, minGain: 0.01 }).refit; // false (expected gain 0.2%)
 * ```
 */
export function refitChoice(
  e: RefitEvidence,
  o: { validationSize: number; minGain: number },
): RefitChoice {
  const prev = e.previous;
  if (!prev || !(prev.rows < e.last.rows)) {
    return { refit: true, expected_gain: null, min_gain: o.minGain };
  }
  const l0 = prev.val.log_loss, l1 = e.last.val.log_loss;
  const perRung = Number.isFinite(l0) && Number.isFinite(l1) && l0 > 0 ? (l0 - l1) / l0 : 0;
  const gain = Math.max(0, perRung) * Math.log(1 / (1 - o.validationSize)) /
    Math.log(e.last.rows / prev.rows);
  const expected = Math.round(gain * 1e6) / 1e6;
  return { refit: expected >= o.minGain, expected_gain: expected, min_gain: o.minGain };
}

/**
 * Read `refit` of a `train` section: `true`, `false` or `auto` (default `false`).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { openSection } from "../section.ts";
 * import { readRefit } from "./refit_choice.ts";
 * readRefit(openSection(parseYaml("train:\n  refit: auto\n", "p.yaml"), ["train"])); // "auto"
 * ```
 */
export function readRefit(s: Section): boolean | "auto" {
  const v = s.raw("refit");
  if (v === undefined) return false;
  if (v === true || v === false || v === "auto") return v;
  throw s.error(
    "refit",
    `'${[...s.path, "refit"].join(".")}' must be true, false or auto, got ${JSON.stringify(v)}`,
  );
}
