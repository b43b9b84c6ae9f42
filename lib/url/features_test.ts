import { deepStrictEqual, ok } from "node:assert/strict";
import { checkUrl } from "./check_input.ts";
import {
  ALL_GROUPS,
  domainParts,
  entropy,
  featureNames,
  hashNgrams,
  NGRAM_BUCKETS,
  urlFeatures,
} from "./features.ts";

const f = (u: string) => urlFeatures(checkUrl(u));

Deno.test("every group's names are produced, and only those", () => {
  const all = f("https://a.b.example.co.uk/x/y.php?q=1&r=2#frag");
  deepStrictEqual(Object.keys(all).sort(), featureNames(ALL_GROUPS).sort());
  deepStrictEqual(Object.keys(urlFeatures(checkUrl("http://a.com/"), ["entropy"])), [
    "entropy_url",
    "entropy_host",
  ]);
});

Deno.test("lengths and counts", () => {
  const x = f("http://a-b.c1.com//p.q/r-s/t?u=1&v=2#ab");
  deepStrictEqual(
    [x.host_length, x.query_length, x.fragment_length, x.dots_host, x.hyphens_host, x.digits_host],
    [10, 7, 2, 2, 1, 1],
  );
  deepStrictEqual([x.double_slashes, x.query_params, x.at_signs], [1, 2, 0]);
  deepStrictEqual(f("http://a.com/%41%42").percent_escapes, 2);
});

Deno.test("structure: IP hosts (dotted, hex, IPv6), port, userinfo, punycode, https token", () => {
  deepStrictEqual([f("http://1.2.3.4/").host_is_ip, f("http://1.2.3.4/").host_ip_obfuscated], [
    1,
    0,
  ]);
  deepStrictEqual(
    [f("http://0x01020304/").host_is_ip, f("http://0x01020304/").host_ip_obfuscated],
    [1, 1],
  );
  deepStrictEqual(f("http://[2001:db8::1]/").host_is_ipv6, 1);
  deepStrictEqual([f("http://a.com:8080/").has_port, f("http://a.com:80/").has_port], [1, 0]);
  deepStrictEqual(f("http://paypal.com@evil.com/").has_userinfo, 1);
  deepStrictEqual([
    f("http://xn--pypal-4ve.com/").punycode_host,
    f("http://päypal.com/").non_ascii_host,
  ], [1, 1]);
  deepStrictEqual(f("http://https-secure.example.com/").https_in_host, 1);
  deepStrictEqual([
    f("http://a.b.c.example.com/").subdomain_depth,
    f("http://x.com/a/b/c").path_depth,
  ], [3, 3]);
});

Deno.test("registered domain, TLD class, shortener, words and brand mismatch", () => {
  deepStrictEqual(domainParts("login.paypal.example.co.uk").domain, "example.co.uk");
  const x = f("http://paypal.com.secure-login.example.tk/webscr/verify");
  deepStrictEqual([x.tld_abused, x.tld_country, x.tld_generic], [1, 1, 0]);
  deepStrictEqual([x.brand_in_subdomain, x.brand_in_domain, x.brand_mismatch], [1, 0, 1]);
  deepStrictEqual([x.suspicious_words_host, x.suspicious_words_path], [2, 2]);
  const y = f("https://www.paypal.com/signin");
  deepStrictEqual([y.brand_in_domain, y.brand_mismatch, y.tld_generic], [1, 0, 1]);
  deepStrictEqual([f("https://bit.ly/3abc").shortener_host, f("https://a.com/").shortener_host], [
    1,
    0,
  ]);
  deepStrictEqual(f("http://foo.invalidtld123/").no_public_suffix, 1);
});

Deno.test("token stats, entropy and hashed n-grams", () => {
  const x = f("http://abc.defgh.com/aa/bbbb");
  deepStrictEqual([x.host_token_max, x.path_token_max, x.path_tokens], [5, 4, 2]);
  deepStrictEqual([entropy(""), entropy("aaaa"), entropy("abcd")], [0, 0, 2]);
  const v = new Array(NGRAM_BUCKETS).fill(0);
  hashNgrams("example", v, 0);
  ok(Math.abs(v.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  const w = new Array(NGRAM_BUCKETS).fill(0);
  hashNgrams("example", w, 0);
  deepStrictEqual(v, w);
});
