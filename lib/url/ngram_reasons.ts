/**
 * Words for the n-gram LR's share of a verdict: the character fragments of
 * THIS URL whose learned weights pushed its n-gram logit most toward the
 * verdict ("the fragments 'paypa1', 'secure-' of the host look like
 * phishing"). Computed from the model's weights, not from a list.
 *
 * @module
 */
import type { SparseLogreg } from "../learn/sparse_logreg.ts";
import type { CheckedUrl } from "./check_input.ts";
import { MAX_GRAM } from "./_gram_hash.ts";
import { NGRAM_PARTS, type NgramPart, urlGrams, urlPartGrams } from "./ngram_vector.ts";

const PART_WORDS: Record<NgramPart, string> = {
  url: "the URL",
  domain: "the registered domain",
  subdomain: "the subdomain",
  path: "the path",
};

let push = new Float64Array(1024);
let score = new Float64Array(1024);

/**
 * The `top` fragments pushing toward `phishing` (or away from it): every
 * n-gram's share of the logit (weight × value) is spread over the
 * characters it covers; in each part the contiguous span (2..24 characters)
 * with the largest total is a fragment; the strongest distinct ones win.
 * The n-grams are read from the URL's hash table (lib/url/_gram_table.ts:
 * each n-gram's entry, in hashing order), not hashed again.
 *
 * @example
 * ```ts ignore
 * import { ngramFragments } from "./ngram_reasons.ts";
 * ngramFragments(lr, checkUrl("http://paypa1-secure.tk/"), true, 2);
 * // [{ part: "domain", gram: "paypa1-secure", weight: 0.8 }, ...]
 * ```
 */
export function ngramFragments(
  lr: SparseLogreg,
  checked: CheckedUrl,
  phishing: boolean,
  top = 2,
  onlyPart?: number,
): { part: NgramPart; gram: string; weight: number }[] {
  const sign = phishing ? 1 : -1;
  // The URL's push per entry (weight × value × sign); a per-part LR
  // (`onlyPart`) scores its part's own normalised values.
  let parts: readonly string[], gramEntry: Int32Array, partGram: Int32Array;
  if (onlyPart === undefined) {
    const t = urlGrams(checked);
    ({ parts, gramEntry, partGram } = t);
    if (push.length < t.unique) push = new Float64Array(t.unique * 2);
    for (let e = 0; e < t.unique; e++) push[e] = lr.weights[t.index[e]] * t.value[e] * sign;
  } else {
    const t = urlPartGrams(checked);
    ({ parts, gramEntry, partGram } = t);
    const a = t.partStart[onlyPart], b = t.partStart[onlyPart + 1];
    if (push.length < b) push = new Float64Array(b * 2);
    for (let e = a; e < b; e++) push[e] = lr.weights[t.bucket[e]] * t.value[e] * sign;
  }
  const spans: { part: NgramPart; gram: string; weight: number }[] = [];
  const pEnd = onlyPart === undefined ? parts.length : onlyPart + 1;
  for (let p = onlyPart ?? 0; p < pEnd; p++) {
    const text = parts[p];
    if (text === "") continue;
    let g = partGram[p];
    const n = text.length, len = n + 2;
    if (score.length < n) score = new Float64Array(n * 2);
    score.fill(0, 0, n);
    // Grams in hashing order: start i, end j + 1 in `^text$`; they cover
    // text positions i-1 .. j-1 (the ^/$ ends are not characters).
    for (let i = 0; i < len; i++) {
      const end = i + MAX_GRAM < len ? i + MAX_GRAM : len;
      const a = i > 0 ? i - 1 : 0;
      for (let j = i; j < end; j++) {
        const b = j < n ? j : n, share = push[gramEntry[g++]] / (b - a);
        for (let c = a; c < b; c++) score[c] += share;
      }
    }
    let bestSum = 0, bestA = 0, bestB = 0;
    for (let a = 0; a < n; a++) {
      let sum = 0;
      const stop = a + 24 < n ? a + 24 : n;
      for (let b = a; b < stop; b++) {
        sum += score[b];
        if (b > a && sum > bestSum) {
          bestSum = sum;
          bestA = a;
          bestB = b + 1;
        }
      }
    }
    if (bestSum > 0) {
      spans.push({
        part: NGRAM_PARTS[p],
        gram: text.slice(bestA, bestB),
        weight: Math.round(bestSum * sign * 1e4) / 1e4,
      });
    }
  }
  spans.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight));
  const out: typeof spans = [];
  for (const s of spans) {
    if (out.some((o) => o.gram.includes(s.gram) || s.gram.includes(o.gram))) continue;
    out.push(s);
    if (out.length === top) break;
  }
  return out;
}

/**
 * The sentence for the n-gram LR's reason; for a per-part LR (`onlyPart`,
 * its index in `NGRAM_PARTS`), the fragments of that part only.
 *
 * @example
 * ```ts ignore
 * ngramReasonText(lr, checkUrl("http://paypa1-secure.tk/"), true);
 * // "the fragments 'paypa1' of the registered domain, 'secure' of the URL look like phishing"
 * ```
 */
export function ngramReasonText(
  lr: SparseLogreg,
  checked: CheckedUrl,
  phishing: boolean,
  onlyPart?: number,
): string {
  const f = ngramFragments(lr, checked, phishing, 2, onlyPart);
  const verdict = phishing ? "phishing" : "legitimate";
  if (!f.length && onlyPart !== undefined) {
    const words = PART_WORDS[NGRAM_PARTS[onlyPart]];
    return urlPartGrams(checked).parts[onlyPart] === ""
      ? `${words.replace("the ", "no ")} (an empty part looks ${verdict})`
      : `the character n-grams of ${words} look ${verdict}`;
  }
  if (!f.length) return `its character n-grams look ${verdict}`;
  const list = f.map((x) => `'${x.gram}' in ${PART_WORDS[x.part]}`).join(", ");
  return `the fragment${f.length > 1 ? "s" : ""} ${list} look${f.length > 1 ? "" : "s"} ${
    phishing ? "like phishing" : "legitimate"
  }`;
}
