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
import { gramsOfBucket, hashParts, type NgramPart, ngramParts } from "./ngram_vector.ts";

const PART_WORDS: Record<NgramPart, string> = {
  url: "the URL",
  domain: "the registered domain",
  subdomain: "the subdomain",
  path: "the path",
};

/**
 * The `top` fragments (longest n-gram of each of the strongest buckets,
 * distinct, not contained in one already taken) pushing toward `phishing`
 * (or away from it), with the part they were hashed from.
 *
 * @example
 * ```ts ignore
 * import { ngramFragments } from "./ngram_reasons.ts";
 * ngramFragments(lr, checkUrl("http://paypa1-secure.tk/"), true, 2);
 * // [{ part: "domain", gram: "paypa", weight: 0.8 }, ...]
 * ```
 */
export function ngramFragments(
  lr: SparseLogreg,
  checked: CheckedUrl,
  phishing: boolean,
  top = 2,
): { part: NgramPart; gram: string; weight: number }[] {
  const parts = ngramParts(checked);
  const v = hashParts(parts);
  const sign = phishing ? 1 : -1;
  const order = Array.from(v.index.keys())
    .map((k) => ({ bucket: v.index[k], push: lr.weights[v.index[k]] * v.value[k] * sign }))
    .filter((b) => b.push > 0)
    .sort((a, b) => b.push - a.push || a.bucket - b.bucket);
  const out: { part: NgramPart; gram: string; weight: number }[] = [];
  for (const b of order.slice(0, 4 * top)) {
    const grams = gramsOfBucket(parts, b.bucket)
      .map((g) => ({ ...g, gram: g.gram.replace(/^\^|\$$/g, "") }))
      .filter((g) => g.gram.length >= 2);
    if (!grams.length) continue;
    const g = grams.reduce((a, c) => (c.gram.length > a.gram.length ? c : a));
    if (out.some((o) => o.gram.includes(g.gram) || g.gram.includes(o.gram))) continue;
    out.push({ ...g, weight: Math.round(b.push * sign * 1e4) / 1e4 });
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
