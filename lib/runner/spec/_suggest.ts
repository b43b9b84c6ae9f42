/**
 * "Did you mean …?" for mistyped keys and stage names.
 *
 * @module
 */

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word` (case-insensitively), if it is close enough
 * to be a plausible typo; ties go to the earlier candidate.
 *
 * @example
 * ```ts
 * import { closest } from "./_suggest.ts";
 * closest("cmdd", ["cmd", "deps", "outs"]); // "cmd"
 * closest("zzz", ["cmd"]); // undefined
 * ```
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, best?.length ?? 0) / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * `" — did you mean 'x'?"` or the empty string, to append to a message.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./_suggest.ts";
 * `unknown key 'outz'${didYouMean("outz", ["outs"])}`; // "unknown key 'outz' — did you mean 'outs'?"
 * ```
 */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? "" : ` — did you mean '${c}'?`;
}
