/**
 * What the metrics and the curves share: the labels and scores types, the
 * length check and a division that is 0 for an empty denominator.
 *
 * @module
 */

/** Labels (0/1) and scores of the same rows. */
export type Labels = ArrayLike<number>;
/** Scores of the same rows as the labels. */
export type Scores = ArrayLike<number>;

/** Throws a RangeError unless there is one score per label. */
export function checkLengths(labels: Labels, scores: Scores): void {
  if (labels.length !== scores.length) {
    throw new RangeError(`${labels.length} labels but ${scores.length} scores`);
  }
}

/** a / b, or 0 when b is 0. */
export const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
