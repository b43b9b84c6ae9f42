/**
 * Reasons in words: the features whose contributions pushed a URL's score
 * most toward its verdict, each rendered as a sentence about THIS URL ("host
 * is an IP address", "'paypal' appears in the path but the domain is
 * example.tk", "14 dots in the host"). The contributions come from the model
 * (lib/url/tree_contributions.ts, or gradient × input for networks); the
 * words only describe the feature's value.
 *
 * @module
 */
import type { CheckedUrl } from "./check_input.ts";
import { BRANDS, SUSPICIOUS_WORDS } from "./_lists.ts";
import { NGRAM_LR_PART_COLUMNS, type NgramLr, wordsIn } from "./features.ts";
import { domainPartsOf } from "./_domain_memo.ts";
import { ngramReasonText } from "./ngram_reasons.ts";

/** One reason of a verdict. */
export interface Reason {
  /** Feature name (`host_ngrams`/`path_ngrams` for the summed n-gram buckets). */
  feature: string;
  /** The sentence. */
  text: string;
  /** Signed push on the score (model units: log-odds for gbdt and networks, probability for extra_trees). */
  contribution: number;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  n === 0 ? `no ${many}` : `${n} ${n === 1 ? one : many}`;
const quoteList = (ws: string[]) => ws.slice(0, 3).map((w) => `'${w}'`).join(", ");

function describe(name: string, v: number, c: CheckedUrl): string {
  const { url, rawHost } = c;
  const host = url.hostname;
  const d = () => domainPartsOf(host);
  const path = url.pathname + url.search;
  switch (name) {
    case "url_length":
      return `the URL is ${v} characters long`;
    case "host_length":
      return `the host is ${v} characters long`;
    case "path_length":
      return `the path is ${v} characters long`;
    case "query_length":
      return v ? `the query is ${v} characters long` : "no query";
    case "fragment_length":
      return v ? `the fragment is ${v} characters long` : "no fragment";
    case "dots_host":
      return `${plural(v, "dot")} in the host`;
    case "dots_path":
      return `${plural(v, "dot")} in the path and query`;
    case "hyphens_host":
      return `${plural(v, "hyphen")} in the host`;
    case "hyphens_path":
      return `${plural(v, "hyphen")} in the path and query`;
    case "digits_host":
      return `${plural(v, "digit")} in the host`;
    case "digits_path":
      return `${plural(v, "digit")} in the path and query`;
    case "special_chars":
      return `${plural(v, "special character")} in the URL`;
    case "at_signs":
      return v ? `${plural(v, "'@' sign")} in the URL` : "no '@' in the URL";
    case "double_slashes":
      return v ? `'//' appears ${plural(v, "time")} after the scheme` : "no '//' after the scheme";
    case "percent_escapes":
      return `${plural(v, "percent-escape")} in the URL`;
    case "query_params":
      return `${plural(v, "query parameter")}`;
    case "https":
      return v ? "uses https" : "does not use https";
    case "host_is_ip":
      return v ? "host is an IP address" : "host is a domain name, not an IP address";
    case "host_ip_obfuscated":
      return v
        ? `host is an IP address written in an unusual form (${rawHost})`
        : "no disguised IP address";
    case "host_is_ipv6":
      return v ? "host is an IPv6 address" : "host is not an IPv6 address";
    case "has_port":
      return v ? `explicit port ${url.port}` : "default port";
    case "has_userinfo":
      return v
        ? "a user name comes before the host (text before '@' is not the site)"
        : "no user name before the host";
    case "punycode_host":
      return v ? "host is an internationalized (punycode) name" : "host is not punycode";
    case "non_ascii_host":
      return v ? "host contains non-ASCII characters" : "host is plain ASCII";
    case "https_in_host":
      return v ? "'http'/'https' appears inside the host name" : "no 'https' inside the host";
    case "www_host":
      return v ? "host starts with www." : "host has no www. prefix";
    case "subdomain_depth":
      return v ? `${plural(v, "subdomain level")} (${d().subdomain})` : "no subdomain";
    case "path_depth":
      return v ? `the path is ${plural(v, "folder")} deep` : "no path (the site's root)";
    case "file_extension":
      return v
        ? `the path ends in ${url.pathname.slice(url.pathname.lastIndexOf("."))}`
        : "the path has no script/file extension";
    case "host_token_max":
      return `the longest host word has ${plural(v, "character")}`;
    case "host_token_mean":
      return `host words average ${v.toFixed(1)} characters`;
    case "path_token_max":
      return `the longest path word has ${plural(v, "character")}`;
    case "path_token_mean":
      return `path words average ${v.toFixed(1)} characters`;
    case "path_tokens":
      return `${plural(v, "word")} in the path and query`;
    case "entropy_url":
      return `URL character entropy ${v.toFixed(2)} bits`;
    case "entropy_host":
      return `host character entropy ${v.toFixed(2)} bits`;
    case "shortener_host":
      return v
        ? `${host} is a URL shortener (the real target is hidden)`
        : "not a known URL shortener";
    case "suspicious_words_host": {
      const ws = wordsIn(host, SUSPICIOUS_WORDS);
      return ws.length ? `${quoteList(ws)} in the host` : "no login/verify-style words in the host";
    }
    case "suspicious_words_path": {
      const ws = wordsIn(path, SUSPICIOUS_WORDS);
      return ws.length ? `${quoteList(ws)} in the path` : "no login/verify-style words in the path";
    }
    case "brand_in_subdomain":
    case "brand_in_path":
    case "brand_mismatch": {
      const parts = d();
      const where = wordsIn(parts.subdomain, BRANDS).length ? "the subdomain" : "the path";
      const ws = wordsIn(where === "the path" ? path : parts.subdomain, BRANDS);
      if (!ws.length) return "no brand name outside the registered domain";
      const domain = parts.domain || host;
      return `${quoteList(ws)} appears in ${where} but the domain is ${domain}`;
    }
    case "brand_in_domain": {
      const ws = wordsIn(d().label, BRANDS);
      return ws.length
        ? `the registered domain ${d().domain} contains ${quoteList(ws)}`
        : "no brand name in the registered domain";
    }
    case "tld_length":
    case "tld_generic":
    case "tld_country":
      return d().tld ? `top-level domain .${d().tld}` : "no top-level domain (IP host)";
    case "tld_abused":
      return v
        ? `top-level domain .${d().tld} is among the most abused for phishing`
        : `top-level domain .${d().tld || "(none)"}`;
    case "no_public_suffix":
      return v
        ? "host has no known public suffix"
        : `registered under public suffix .${d().suffix}`;
    case "domain_length":
      return `the registered domain name '${d().label}' has ${plural(v, "character")}`;
    case "domain_digits":
      return `${plural(v, "digit")} in the registered domain name`;
    case "domain_hyphens":
      return `${plural(v, "hyphen")} in the registered domain name`;
    case "host_ngrams":
      return `the letters of the host ${host}`;
    case "path_ngrams":
      return `the letters of the path ${
        url.pathname.length > 40 ? url.pathname.slice(0, 40) + "…" : url.pathname
      }`;
  }
  return `${name} = ${v}`;
}

/** Ranks one verdict's reasons (see {@linkcode reasonRanker}). */
export type ReasonRanker = (o: {
  checked: CheckedUrl;
  phishing: boolean;
  values: ArrayLike<number>;
  contributions: ArrayLike<number>;
  top: number;
}) => Reason[];

/**
 * Compile a ranker for features `names` (the model's inputs): features sorted
 * by how much they pushed toward the verdict (`phishing`: positive
 * contributions, `legitimate`: negative); the hashed n-gram buckets of the
 * host and of the path count as one feature each; the stacked n-gram LR's
 * logit is rendered by the fragments that drove it (`options.ngramLr`; per
 * part, each part's column by that part's fragments).
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { reasonRanker } from "./reasons.ts";
 * const rank = reasonRanker(["host_is_ip"]);
 * rank({ checked: checkUrl("http://1.2.3.4/x"), phishing: true, top: 1, values: [1], contributions: [0.8] })[0].text;
 * // "host is an IP address"
 * ```
 */
export function reasonRanker(
  names: readonly string[],
  options: {
    ngramLr?: NgramLr;
    /**
     * The only features whose contributions can be non-zero, ascending
     * (lib/url/tree_contributions.ts `splitFeatures`); default: all. Skipping
     * zeros changes no sum.
     */
    active?: ArrayLike<number>;
  } = {},
): ReasonRanker {
  const lr = options.ngramLr;
  const ngramText = (name: string, o: { checked: CheckedUrl; phishing: boolean }) => {
    if (!lr) return undefined;
    if ("weights" in lr) {
      return name === "ngram_lr_logit" ? ngramReasonText(lr, o.checked, o.phishing) : undefined;
    }
    const p = (NGRAM_LR_PART_COLUMNS as readonly string[]).indexOf(name);
    return p < 0 ? undefined : ngramReasonText(lr[p], o.checked, o.phishing, p);
  };
  const slotNames: string[] = [];
  const slotOf = new Int32Array(names.length);
  const firstOf: number[] = [];
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    const key = n.startsWith("host_ngram_")
      ? "host_ngrams"
      : n.startsWith("path_ngram_")
      ? "path_ngrams"
      : n;
    let slot = index.get(key);
    if (slot === undefined) {
      slot = slotNames.length;
      index.set(key, slot);
      slotNames.push(key);
      firstOf.push(i);
    }
    slotOf[i] = slot;
  });
  const sums = new Float64Array(slotNames.length);
  const active = options.active ?? Int32Array.from(names, (_, i) => i);
  return (o) => {
    sums.fill(0);
    const sign = o.phishing ? 1 : -1;
    for (let a = 0; a < active.length; a++) {
      const i = active[a];
      sums[slotOf[i]] += o.contributions[i] * sign;
    }
    // Selection of the `top` largest (few, so a linear pass per pick).
    const picked: number[] = [];
    for (let t = 0; t < o.top; t++) {
      let best = -1;
      for (let s = 0; s < sums.length; s++) {
        if (sums[s] > 1e-9 && !picked.includes(s) && (best < 0 || sums[s] > sums[best])) best = s;
      }
      if (best < 0) break;
      picked.push(best);
    }
    return picked.map((s) => ({
      feature: slotNames[s],
      text: ngramText(slotNames[s], o) ??
        describe(slotNames[s], o.values[firstOf[s]], o.checked),
      contribution: Math.round(sums[s] * sign * 1e4) / 1e4,
    }));
  };
}

/**
 * The `top` reasons of a verdict ({@linkcode reasonRanker} for one call).
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { topReasons } from "./reasons.ts";
 * const r = topReasons({
 *   checked: checkUrl("http://1.2.3.4/x"), phishing: true, top: 1,
 *   names: ["host_is_ip"], values: [1], contributions: [0.8],
 * });
 * r[0].text; // "host is an IP address"
 * ```
 */
export function topReasons(o: {
  checked: CheckedUrl;
  phishing: boolean;
  names: readonly string[];
  values: ArrayLike<number>;
  contributions: ArrayLike<number>;
  top: number;
}): Reason[] {
  return reasonRanker(o.names)(o);
}
