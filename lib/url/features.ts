/**
 * Features of a raw URL, computed from the text alone (no fetch, no DNS):
 * pure functions over a {@linkcode CheckedUrl}. Each feature belongs to a
 * group ({@linkcode FEATURE_GROUPS}); the featurize stage keeps the groups
 * params name (`featurize.groups`), which `bench/url_features.ts` measured on
 * the validation split.
 *
 * The registered domain and public suffix come from the public suffix list
 * (npm `tldts`), ICANN section.
 *
 * @module
 */
import { parse as parseDomain } from "tldts";
import type { CheckedUrl } from "./check_input.ts";
import { ABUSED_TLDS, BRANDS, GENERIC_TLDS, SHORTENERS, SUSPICIOUS_WORDS } from "./_lists.ts";

/** Buckets of each hashed character n-gram block (host, path). */
export const NGRAM_BUCKETS = 128;
/** Seed of the n-gram hash (fixed: part of the feature definition). */
export const NGRAM_SEED = 0x9e3779b1;

const ngramNames = (part: string) =>
  Array.from({ length: NGRAM_BUCKETS }, (_, i) => `${part}_ngram_${String(i).padStart(2, "0")}`);

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
export function featureNames(groups: readonly FeatureGroup[]): string[] {
  return ALL_GROUPS.filter((g) => groups.includes(g)).flatMap((g) => [...FEATURE_GROUPS[g]]);
}

/** What the registered-domain split of a host is (tldts, ICANN section). */
export interface DomainParts {
  /** Registered domain (`example.co.uk`), empty for IP hosts or hosts without a public suffix. */
  domain: string;
  /** The registered domain without its suffix (`example`). */
  label: string;
  /** Subdomain (`a.b`), empty when none. */
  subdomain: string;
  /** Public suffix (`co.uk`), empty when none. */
  suffix: string;
  /** Last label of the host (`uk`). */
  tld: string;
  /** Whether the suffix is in the ICANN section of the list. */
  icann: boolean;
}

/**
 * Split a (normalised) host into registered domain, subdomain and suffix.
 *
 * @example
 * ```ts
 * import { domainParts } from "./features.ts";
 * domainParts("login.paypal.example.co.uk").domain; // "example.co.uk"
 * ```
 */
export function domainParts(host: string): DomainParts {
  const p = parseDomain(host, { allowPrivateDomains: false, extractHostname: false });
  const tld = host.slice(host.lastIndexOf(".") + 1);
  return {
    domain: p.domain ?? "",
    label: p.domainWithoutSuffix ?? "",
    subdomain: p.subdomain ?? "",
    suffix: p.publicSuffix ?? "",
    tld: p.isIp ? "" : tld,
    icann: p.isIcann === true,
  };
}

/**
 * Shannon entropy of the characters of `s`, in bits per character.
 *
 * @example
 * ```ts
 * import { entropy } from "./features.ts";
 * entropy("aaaa"); // 0
 * entropy("ab"); // 1
 * ```
 */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function count(s: string, re: RegExp): number {
  return s.match(re)?.length ?? 0;
}

function tokenStats(tokens: string[]): [max: number, mean: number] {
  const kept = tokens.filter((t) => t.length > 0);
  if (kept.length === 0) return [0, 0];
  let max = 0, sum = 0;
  for (const t of kept) {
    sum += t.length;
    if (t.length > max) max = t.length;
  }
  return [max, sum / kept.length];
}

/**
 * The words of `list` found in `s` (lowercase substring match).
 *
 * @example
 * ```ts
 * import { wordsIn } from "./features.ts";
 * wordsIn("/secure-login/update", ["login", "update", "bank"]); // ["login", "update"]
 * ```
 */
export function wordsIn(s: string, list: readonly string[]): string[] {
  const lower = s.toLowerCase();
  return list.filter((w) => lower.includes(w));
}

/**
 * Add `text`'s character 3-grams (with `^`/`$` ends) into `out[offset ..
 * offset + NGRAM_BUCKETS)` by a seeded FNV-1a hash, as shares of all grams.
 *
 * @example
 * ```ts
 * import { hashNgrams, NGRAM_BUCKETS } from "./features.ts";
 * const v = new Array(NGRAM_BUCKETS).fill(0);
 * hashNgrams("abc", v, 0);
 * v.reduce((a, b) => a + b, 0); // 1 (up to rounding)
 * ```
 */
export function hashNgrams(text: string, out: number[], offset: number): void {
  const s = `^${text}$`;
  const grams = s.length - 2;
  if (grams <= 0) return;
  for (let i = 0; i < grams; i++) {
    let h = NGRAM_SEED;
    for (let j = i; j < i + 3; j++) {
      h ^= s.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    out[offset + ((h >>> 0) % NGRAM_BUCKETS)] += 1 / grams;
  }
}

const IPV4_DOTTED = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const SPECIAL = /[^a-zA-Z0-9./:-]/g;
const EXTENSION = /\.(php|html?|aspx?|jsp|cgi|exe|zip|js|scr|apk)$/i;

/**
 * Every feature of `groups` for one checked URL, as a name → number record
 * (booleans are 0/1). The same function serves training (featurize stage)
 * and checking (lib/url/url_checker.ts).
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
  const { url, raw, rawHost } = checked;
  const host = url.hostname;
  const path = url.pathname;
  const query = url.search.slice(1);
  const want = (g: FeatureGroup) => groups.includes(g);
  const isIpv6 = host.startsWith("[");
  const isIp = isIpv6 || IPV4.test(host);
  const d = isIp
    ? { domain: "", label: "", subdomain: "", suffix: "", tld: "", icann: false }
    : domainParts(host);
  const f: Record<string, number> = {};
  if (want("lengths")) {
    f.url_length = raw.length;
    f.host_length = host.length;
    f.path_length = path.length;
    f.query_length = query.length;
    f.fragment_length = Math.max(0, url.hash.length - 1);
  }
  if (want("counts")) {
    const rest = path + url.search + url.hash;
    f.dots_host = count(host, /\./g);
    f.dots_path = count(rest, /\./g);
    f.hyphens_host = count(host, /-/g);
    f.hyphens_path = count(rest, /-/g);
    f.digits_host = count(host, /\d/g);
    f.digits_path = count(rest, /\d/g);
    f.special_chars = count(raw, SPECIAL);
    f.at_signs = count(raw, /@/g);
    f.double_slashes = count(raw.slice(raw.indexOf("//") + 2), /\/\//g);
    f.percent_escapes = count(raw, /%[0-9a-fA-F]{2}/g);
    f.query_params = query === "" ? 0 : query.split("&").length;
  }
  if (want("structure")) {
    f.https = url.protocol === "https:" ? 1 : 0;
    f.host_is_ip = isIp ? 1 : 0;
    f.host_ip_obfuscated = isIp && !isIpv6 && !IPV4_DOTTED.test(rawHost) ? 1 : 0;
    f.host_is_ipv6 = isIpv6 ? 1 : 0;
    f.has_port = url.port === "" ? 0 : 1;
    f.has_userinfo = url.username !== "" || url.password !== "" ? 1 : 0;
    f.punycode_host = host.includes("xn--") ? 1 : 0;
    f.non_ascii_host = /[^ -~]/.test(rawHost) ? 1 : 0; // control characters were refused before
    f.https_in_host = host.includes("https") || host.includes("http-") ? 1 : 0;
    f.www_host = host.startsWith("www.") ? 1 : 0;
    f.subdomain_depth = d.subdomain === "" ? 0 : d.subdomain.split(".").length;
    f.path_depth = path.split("/").filter((s) => s !== "").length;
    f.file_extension = EXTENSION.test(path) ? 1 : 0;
  }
  if (want("tokens")) {
    [f.host_token_max, f.host_token_mean] = tokenStats(host.split(/[.-]/));
    const pathTokens = (path + "?" + query).split(/[/?&=._~+-]/);
    [f.path_token_max, f.path_token_mean] = tokenStats(pathTokens);
    f.path_tokens = pathTokens.filter((t) => t !== "").length;
  }
  if (want("entropy")) {
    f.entropy_url = entropy(raw);
    f.entropy_host = entropy(host);
  }
  if (want("shortener")) {
    f.shortener_host = SHORTENERS.has(d.domain) || SHORTENERS.has(host) ? 1 : 0;
  }
  if (want("words")) {
    f.suspicious_words_host = wordsIn(host, SUSPICIOUS_WORDS).length;
    f.suspicious_words_path = wordsIn(path + url.search, SUSPICIOUS_WORDS).length;
  }
  if (want("brand")) {
    const inDomain = wordsIn(d.label, BRANDS).length > 0;
    const inSub = wordsIn(isIp ? "" : d.subdomain || (d.domain ? "" : host), BRANDS).length > 0;
    const inPath = wordsIn(path + url.search, BRANDS).length > 0;
    f.brand_in_subdomain = inSub ? 1 : 0;
    f.brand_in_path = inPath ? 1 : 0;
    f.brand_in_domain = inDomain ? 1 : 0;
    f.brand_mismatch = (inSub || inPath) && !inDomain ? 1 : 0;
  }
  if (want("tld")) {
    f.tld_length = d.tld.length;
    f.tld_generic = GENERIC_TLDS.has(d.tld) ? 1 : 0;
    f.tld_country = /^[a-z]{2}$/.test(d.tld) ? 1 : 0;
    f.tld_abused = ABUSED_TLDS.has(d.tld) ? 1 : 0;
    f.no_public_suffix = !isIp && !d.icann ? 1 : 0;
    f.domain_length = d.label.length;
    f.domain_digits = count(d.label, /\d/g);
    f.domain_hyphens = count(d.label, /-/g);
  }
  if (want("ngrams")) {
    const v = new Array(2 * NGRAM_BUCKETS).fill(0);
    hashNgrams(host, v, 0);
    hashNgrams(path.toLowerCase(), v, NGRAM_BUCKETS);
    FEATURE_GROUPS.ngrams.forEach((name, i) => f[name] = v[i]);
  }
  return f;
}
