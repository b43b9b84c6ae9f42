/**
 * Features of a raw URL, computed from the text alone (no fetch, no DNS):
 * pure functions over a {@linkcode CheckedUrl}. Each feature belongs to a
 * group ({@linkcode FEATURE_GROUPS}); the featurize stage keeps the groups
 * params name (`featurize.groups`), which `bench/url_features.ts` measured on
 * the validation split.
 *
 * The registered domain and public suffix come from the public suffix list
 * (npm `tldts`), ICANN section. The `ngram_lr` group is the logit of the
 * hashed char n-gram logistic regression (lib/url/ngram_model.ts) stacked
 * under the trees; the featurize stage fills it with out-of-fold logits.
 *
 * @module
 */
import type { CheckedUrl } from "./check_input.ts";
import { NO_DOMAIN } from "./domain_parts.ts";
import { domainPartsOf } from "./_domain_memo.ts";
import {
  countChar,
  countDigits,
  countEscapes,
  countSpecial,
  countSub,
  countWords,
  entropy,
  tokenStats,
} from "./text_stats.ts";
import type { SparseLogreg } from "../learn/sparse_logreg.ts";
import { urlGrams, urlPartGrams } from "./ngram_vector.ts";
import { ABUSED_TLDS, BRANDS, GENERIC_TLDS, SHORTENERS, SUSPICIOUS_WORDS } from "./_lists.ts";

/**
 * Buckets of each hashed character n-gram block (host, path). 256 buckets of
 * 3- and 4-grams: validation ROC-AUC 0.9807 against 0.9781 for 128 buckets of
 * 3-grams, 0.9813 for 512 buckets, 0.9781 for 256 buckets of 3- to 5-grams
 * (one gbdt on the url train split's validation part, 2026-12-04).
 */
export const NGRAM_BUCKETS = 256;
/** The n-gram lengths hashed. */
export const NGRAM_SIZES: readonly number[] = [3, 4];
/** Seed of the n-gram hash (fixed: part of the feature definition). */
export const NGRAM_SEED = 0x9e3779b1;

const ngramNames = (part: string) =>
  Array.from({ length: NGRAM_BUCKETS }, (_, i) => `${part}_ngram_${String(i).padStart(3, "0")}`);

export { type DomainParts, domainParts } from "./domain_parts.ts";
export { entropy, wordsIn } from "./text_stats.ts";

/** Feature names per group, in output order. */
export const FEATURE_GROUPS = {
  lengths: ["url_length", "host_length", "path_length", "query_length", "fragment_length"],
  counts: [
    "dots_host",
    "dots_path",
    "hyphens_host",
    "hyphens_path",
    "digits_host",
    "digits_path",
    "special_chars",
    "at_signs",
    "double_slashes",
    "percent_escapes",
    "query_params",
  ],
  structure: [
    "https",
    "host_is_ip",
    "host_ip_obfuscated",
    "host_is_ipv6",
    "has_port",
    "has_userinfo",
    "punycode_host",
    "non_ascii_host",
    "https_in_host",
    "www_host",
    "subdomain_depth",
    "path_depth",
    "file_extension",
  ],
  tokens: ["host_token_max", "host_token_mean", "path_token_max", "path_token_mean", "path_tokens"],
  entropy: ["entropy_url", "entropy_host"],
  shortener: ["shortener_host"],
  words: ["suspicious_words_host", "suspicious_words_path"],
  brand: ["brand_in_subdomain", "brand_in_path", "brand_in_domain", "brand_mismatch"],
  tld: [
    "tld_length",
    "tld_generic",
    "tld_country",
    "tld_abused",
    "no_public_suffix",
    "domain_length",
    "domain_digits",
    "domain_hyphens",
  ],
  ngrams: [...ngramNames("host"), ...ngramNames("path")],
  /** The logit of the n-gram logistic regression (lib/url/ngram_model.ts), stacked under the trees. */
  ngram_lr: ["ngram_lr_logit"],
} as const;

/** A feature group name. */
export type FeatureGroup = keyof typeof FEATURE_GROUPS;

/** Every group, in order. */
export const ALL_GROUPS = Object.keys(FEATURE_GROUPS) as FeatureGroup[];

/**
 * Feature names of `groups`, in group order.
 *
 * @example
 * ```ts
 * import { featureNames } from "./features.ts";
 * featureNames(["entropy"]); // ["entropy_url", "entropy_host"]
 * ```
 */
export function featureNames(
  groups: readonly FeatureGroup[],
  o: { ngramLrPerPart?: boolean } = {},
): string[] {
  return ALL_GROUPS.filter((g) => groups.includes(g)).flatMap((g) =>
    g === "ngram_lr" && o.ngramLrPerPart ? [...NGRAM_LR_PART_COLUMNS] : [...FEATURE_GROUPS[g]]
  );
}

/**
 * The `ngram_lr` group's columns with `featurize.ngram_lr.per_part`: one
 * stacked logit per URL part (lib/url/ngram_vector.ts `NGRAM_PARTS` order).
 */
export const NGRAM_LR_PART_COLUMNS = [
  "ngram_lr_url",
  "ngram_lr_domain",
  "ngram_lr_subdomain",
  "ngram_lr_path",
] as const;

/**
 * The fitted n-gram LR of the `ngram_lr` group: one (column
 * `ngram_lr_logit`) or one per URL part (an array; empty = per part, not
 * fitted yet: NaN columns the featurize stage fills in).
 */
export type NgramLr = SparseLogreg | readonly SparseLogreg[];

/**
 * Add `text`'s character n-grams ({@linkcode NGRAM_SIZES}, with `^`/`$`
 * ends) into `out[offset .. offset + NGRAM_BUCKETS)` by a seeded FNV-1a
 * hash, as shares of all grams.
 *
 * @example
 * ```ts
 * import { hashNgrams, NGRAM_BUCKETS } from "./features.ts";
 * const v = new Array(NGRAM_BUCKETS).fill(0);
 * hashNgrams("abc", v, 0);
 * v.reduce((a, b) => a + b, 0); // 1 (up to rounding)
 * ```
 */
export function hashNgrams(
  text: string,
  out: { [i: number]: number },
  offset: number,
): void {
  const len = text.length + 2; // `^text$`
  let grams = 0;
  for (const n of NGRAM_SIZES) grams += Math.max(0, len - n + 1);
  if (grams === 0) return;
  const share = 1 / grams;
  for (const n of NGRAM_SIZES) {
    for (let i = 0; i + n <= len; i++) {
      let h = NGRAM_SEED;
      for (let j = i; j < i + n; j++) {
        h ^= j === 0 ? 94 : j === len - 1 ? 36 : text.charCodeAt(j - 1);
        h = Math.imul(h, 0x01000193);
      }
      out[offset + (h & (NGRAM_BUCKETS - 1))] += share; // = (h >>> 0) % NGRAM_BUCKETS (a power of two)
    }
  }
}

/**
 * Write every feature of `groups` for one checked URL into `out` from
 * `offset`, in {@linkcode featureNames} order (booleans are 0/1); the
 * `ngram_lr` group needs the fitted n-gram LR (`ngramLr`, an array for
 * the per-part LRs). The same
 * code serves training (the featurize stage) and checking
 * (lib/url/url_checker.ts). Returns the number of values written.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { urlFeatureVector } from "./features.ts";
 * const out = new Float64Array(2);
 * urlFeatureVector(checkUrl("http://aaaa.com/"), ["entropy"], out, 0); // 2
 * ```
 */
export function urlFeatureVector(
  checked: CheckedUrl,
  groups: readonly FeatureGroup[],
  out: { [i: number]: number },
  offset: number,
  ngramLr?: NgramLr,
): number {
  const { url, raw, rawHost } = checked;
  const host = url.hostname;
  const path = url.pathname;
  const search = url.search;
  const hash = url.hash;
  const query = search.slice(1);
  const want = (g: FeatureGroup) => groups.includes(g);
  const isIpv6 = host.startsWith("[");
  const isIp = isIpv6 || IPV4.test(host);
  const d = isIp ? NO_DOMAIN : domainPartsOf(host);
  let k = offset;
  const put = (v: number) => out[k++] = v;
  let rest: string | undefined;
  const lowerRest = () => (rest ??= (path + search).toLowerCase());
  if (want("lengths")) {
    put(raw.length);
    put(host.length);
    put(path.length);
    put(query.length);
    put(Math.max(0, hash.length - 1));
  }
  if (want("counts")) {
    const rest = path + search + hash;
    put(countChar(host, 46));
    put(countChar(rest, 46));
    put(countChar(host, 45));
    put(countChar(rest, 45));
    put(countDigits(host));
    put(countDigits(rest));
    put(countSpecial(raw));
    put(countChar(raw, 64));
    put(countSub(raw.slice(raw.indexOf("//") + 2), "//"));
    put(countEscapes(raw));
    put(query === "" ? 0 : countChar(query, 38) + 1);
  }
  if (want("structure")) {
    put(url.protocol === "https:" ? 1 : 0);
    put(isIp ? 1 : 0);
    put(isIp && !isIpv6 && !IPV4_DOTTED.test(rawHost) ? 1 : 0);
    put(isIpv6 ? 1 : 0);
    put(url.port === "" ? 0 : 1);
    put(url.username !== "" || url.password !== "" ? 1 : 0);
    put(host.includes("xn--") ? 1 : 0);
    put(/[^ -~]/.test(rawHost) ? 1 : 0); // control characters were refused before
    put(host.includes("https") || host.includes("http-") ? 1 : 0);
    put(host.startsWith("www.") ? 1 : 0);
    put(d.subdomain === "" ? 0 : countChar(d.subdomain, 46) + 1);
    put(tokenStats(path, "/")[2]);
    put(EXTENSION.test(path) ? 1 : 0);
  }
  if (want("tokens")) {
    const [hostMax, hostMean] = tokenStats(host, ".-");
    const [pathMax, pathMean, pathCount] = tokenStats(path + "?" + query, "/?&=._~+-");
    put(hostMax);
    put(hostMean);
    put(pathMax);
    put(pathMean);
    put(pathCount);
  }
  if (want("entropy")) {
    put(entropy(raw));
    put(entropy(host));
  }
  if (want("shortener")) {
    put(SHORTENERS.has(d.domain) || SHORTENERS.has(host) ? 1 : 0);
  }
  if (want("words")) {
    put(countWords(host, SUSPICIOUS_WORDS));
    put(countWords(lowerRest(), SUSPICIOUS_WORDS));
  }
  if (want("brand")) {
    // The host, so its parts, is lowercase already (URL parser).
    const inDomain = countWords(d.label, BRANDS, 1) > 0;
    const inSub = countWords(isIp ? "" : d.subdomain || (d.domain ? "" : host), BRANDS, 1) > 0;
    const inPath = countWords(lowerRest(), BRANDS, 1) > 0;
    put(inSub ? 1 : 0);
    put(inPath ? 1 : 0);
    put(inDomain ? 1 : 0);
    put((inSub || inPath) && !inDomain ? 1 : 0);
  }
  if (want("tld")) {
    put(d.tld.length);
    put(GENERIC_TLDS.has(d.tld) ? 1 : 0);
    put(/^[a-z]{2}$/.test(d.tld) ? 1 : 0);
    put(ABUSED_TLDS.has(d.tld) ? 1 : 0);
    put(!isIp && !d.icann ? 1 : 0);
    put(d.label.length);
    put(countDigits(d.label));
    put(countChar(d.label, 45));
  }
  if (want("ngrams")) {
    for (let i = 0; i < 2 * NGRAM_BUCKETS; i++) out[k + i] = 0;
    hashNgrams(host, out, k);
    hashNgrams(path.toLowerCase(), out, k + NGRAM_BUCKETS);
    k += 2 * NGRAM_BUCKETS;
  }
  if (want("ngram_lr")) {
    // Without the fitted LR (the featurize stage, which fills in out-of-fold logits): NaN.
    if (ngramLr && !("weights" in ngramLr)) {
      // One logit per part, over that part's own normalised n-grams (hashed per part once).
      // (lib/learn/sparse_logreg.ts `sparseLogit`'s sum, summed as the table is built.)
      const t = ngramLr.length ? urlPartGrams(checked, ngramLr) : undefined;
      for (let p = 0; p < NGRAM_LR_PART_COLUMNS.length; p++) put(t ? t.logit[p] : NaN);
    } else if (ngramLr) {
      // lib/learn/sparse_logreg.ts `sparseLogit` over the URL's hash table (same order, same sum).
      const t = urlGrams(checked), w = ngramLr.weights;
      let z = ngramLr.bias;
      for (let e = 0; e < t.unique; e++) z += w[t.index[e]] * t.value[e];
      put(z);
    } else put(NaN);
  }
  return k - offset;
}

const IPV4_DOTTED = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const EXTENSION = /\.(php|html?|aspx?|jsp|cgi|exe|zip|js|scr|apk)$/i;

/**
 * Every feature of `groups` for one checked URL as a name → number record
 * (tests and reasons; the batch paths use {@linkcode urlFeatureVector}).
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { urlFeatures } from "./features.ts";
 * const f = urlFeatures(checkUrl("http://0x7f.0.0.1/paypal/login"), ["structure", "brand"]);
 * [f.host_is_ip, f.host_ip_obfuscated, f.brand_in_path]; // [1, 1, 1]
 * ```
 */
export function urlFeatures(
  checked: CheckedUrl,
  groups: readonly FeatureGroup[] = ALL_GROUPS,
): Record<string, number> {
  const names = featureNames(groups);
  const v = new Float64Array(names.length);
  urlFeatureVector(checked, groups, v, 0);
  return Object.fromEntries(names.map((n, i) => [n, v[i]]));
}
