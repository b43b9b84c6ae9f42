import { deepStrictEqual } from "node:assert/strict";
import { checkUrl } from "./check_input.ts";
import { topReasons } from "./reasons.ts";

Deno.test("reasons follow the verdict's direction, merge n-gram buckets, and name this URL", () => {
  const checked = checkUrl("http://paypal.secure.example.tk/paypal/login");
  const names = ["brand_mismatch", "dots_host", "host_ngram_00", "host_ngram_01", "https"];
  const values = [1, 3, 0.1, 0.2, 0];
  const contributions = [0.5, 0.2, 0.3, 0.4, -0.6];
  const phishing = topReasons({ checked, phishing: true, names, values, contributions, top: 3 });
  deepStrictEqual(phishing.map((r) => r.feature), ["host_ngrams", "brand_mismatch", "dots_host"]);
  deepStrictEqual(phishing.map((r) => r.text), [
    "the letters of the host paypal.secure.example.tk",
    "'paypal' appears in the subdomain but the domain is example.tk",
    "3 dots in the host",
  ]);
  deepStrictEqual(phishing[0].contribution, 0.7);
  const legit = topReasons({ checked, phishing: false, names, values, contributions, top: 3 });
  deepStrictEqual(legit.map((r) => [r.feature, r.text]), [["https", "does not use https"]]);
});

Deno.test("wording of IP hosts and brand in the path", () => {
  const checked = checkUrl("http://1.2.3.4/paypal/x");
  const r = topReasons({
    checked,
    phishing: true,
    names: ["host_is_ip", "brand_in_path"],
    values: [1, 1],
    contributions: [1, 0.5],
    top: 5,
  });
  deepStrictEqual(r.map((x) => x.text), [
    "host is an IP address",
    "'paypal' appears in the path but the domain is 1.2.3.4",
  ]);
});
