import { deepStrictEqual, throws } from "node:assert/strict";
import { checkUrl, MAX_URL_BYTES, UrlInputError } from "./check_input.ts";

function code(text: string): string {
  try {
    checkUrl(text);
  } catch (err) {
    if (err instanceof UrlInputError) return err.code;
    throw err;
  }
  return "ok";
}

Deno.test("checkUrl normalises host, port, IPv4 forms and IDN; keeps the host as written", () => {
  const a = checkUrl("  HTTP://User:pw@PayPal.Example.TK:80/a?b#c ");
  deepStrictEqual([a.url.hostname, a.url.port, a.url.username, a.rawHost], [
    "paypal.example.tk",
    "",
    "User",
    "PayPal.Example.TK",
  ]);
  deepStrictEqual(checkUrl("http://0x7f.1/").url.hostname, "127.0.0.1");
  deepStrictEqual(checkUrl("http://2130706433/").url.hostname, "127.0.0.1");
  deepStrictEqual(checkUrl("http://[::1]:8080/").url.hostname, "[::1]");
  deepStrictEqual(checkUrl("http://пример.рф/").url.hostname, "xn--e1afmkfd.xn--p1ai");
  deepStrictEqual(checkUrl("example.com/login").url.href, "http://example.com/login");
  deepStrictEqual(checkUrl("example.com:8080/x").url.port, "8080");
});

Deno.test("checkUrl refuses bad input with a stable code and a message", () => {
  deepStrictEqual(code(""), "empty");
  deepStrictEqual(code("   "), "empty");
  deepStrictEqual(code("javascript:alert(1)"), "unsupported_scheme");
  deepStrictEqual(code("data:text/html,hi"), "unsupported_scheme");
  deepStrictEqual(code("file:///etc/passwd"), "unsupported_scheme");
  deepStrictEqual(code("http://a.com/\u0000x"), "control_characters");
  deepStrictEqual(code("http://a.com/\tx"), "control_characters");
  deepStrictEqual(code("http://a.com/%zz"), "bad_percent_escape");
  deepStrictEqual(code("http://a.com/100%"), "bad_percent_escape");
  deepStrictEqual(code("http://"), "not_a_url");
  deepStrictEqual(code("http://a b.com/"), "not_a_url");
  deepStrictEqual(code("http://a.com/" + "x".repeat(MAX_URL_BYTES)), "too_long");
  deepStrictEqual(code("http://a.com/%41"), "ok");
  throws(() => checkUrl("javascript:x"), /scheme 'javascript:' is not checked/);
});
