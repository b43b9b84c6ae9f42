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
import {
  forEachGram,
  NGRAM_PARTS,
  type NgramPart,
  ngramParts,
  SPARSE_BITS,
  urlNgramVector,
} from "./ngram_vector.ts";

const push = new Float64Array(1 << SPARSE_BITS);

const PART_WORDS: Record<NgramPart, string> = {
  url: "the URL",
  domain: "the registered domain",
  subdomain: "the subdomain",
  path: "the path",
};

/**
 * The `top` fragments pushing toward `phishing` (or away from it): every
 * n-gram's share of the logit (weight × value) is spread over the
 * characters it covers; in each part the contiguous span (2..24 characters)
 * with the largest total is a fragment; the strongest distinct ones win.
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
): { part: NgramPart; gram: string; weight: number }[] {
  const parts = ngramParts(checked);
  const v = urlNgramVector(checked);
  // The URL's push per bucket (weight × value × sign), in a reused dense table.
  for (let k = 0; k < v.index.length; k++) {
    push[v.index[k]] = lr.weights[v.index[k]] * v.value[k] * (phishing ? 1 : -1);
  }
  const sign = phishing ? 1 : -1;
  const spans: { part: NgramPart; gram: string; weight: number }[] = [];
  parts.forEach((text, p) => {
    if (text === "") return;
    const score = new Float64Array(text.length);
    forEachGram(text, p, (bucket, start, end) => {
      // Grams cover text positions start-1 .. end-2 (the ^/$ ends are not characters).
      const a = Math.max(0, start - 1), b = Math.min(text.length, end - 1);
      for (let c = a; c < b; c++) score[c] += push[bucket] / (b - a);
    });
    let best = { sum: 0, a: 0, b: 0 };
    for (let a = 0; a < text.length; a++) {
      let sum = 0;
      for (let b = a; b < Math.min(text.length, a + 24); b++) {
        sum += score[b];
        if (b > a && sum > best.sum) best = { sum, a, b: b + 1 };
      }
    }
    if (best.sum > 0) {
      spans.push({
        part: NGRAM_PARTS[p],
        gram: text.slice(best.a, best.b),
        weight: Math.round(best.sum * sign * 1e4) / 1e4,
      });
    }
  });
  for (let k = 0; k < v.index.length; k++) push[v.index[k]] = 0;
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
 * The sentence for the n-gram LR's reason.
 *
 * @example
 * ```ts ignore
 * ngramReasonText(lr, checkUrl("http://paypa1-secure.tk/"), true);
 * // "the fragments 'paypa1' of the registered domain, 'secure' of the URL look like phishing"
 * ```
 */
export function ngramReasonText(lr: SparseLogreg, checked: CheckedUrl, phishing: boolean): string {
  const f = ngramFragments(lr, checked, phishing, 2);
  const verdict = phishing ? "phishing" : "legitimate";
  if (!f.length) return `its character n-grams look ${verdict}`;
  const list = f.map((x) => `'${x.gram}' in ${PART_WORDS[x.part]}`).join(", ");
  return `the fragment${f.length > 1 ? "s" : ""} ${list} look${f.length > 1 ? "" : "s"} ${
    phishing ? "like phishing" : "legitimate"
  }`;
}
