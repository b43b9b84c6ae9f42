/**
 * Checking a URL a user wants judged, before anything else looks at it: the
 * text is only parsed (WHATWG `URL`), never fetched and its host never
 * resolved. Refused, each with a stable `code`: empty text, over 8 KiB,
 * control characters, invalid percent-escapes, schemes other than http(s)
 * (`javascript:`, `data:`, `file:` …), and text the URL parser rejects or
 * that has no host. Text without a scheme (`example.com/login`) is read as
 * `http://`, as a browser's address bar would.
 *
 * @module
 */

/** Longest URL accepted, in UTF-8 bytes (8 KiB). */
export const MAX_URL_BYTES = 8192;

/** Why a URL was refused. */
export type UrlErrorCode =
  | "empty"
  | "too_long"
  | "control_characters"
  | "bad_percent_escape"
  | "unsupported_scheme"
  | "not_a_url";

/** A refused URL: `code` is stable, `message` says what is wrong for a person. */
export class UrlInputError extends Error {
  /** Stable reason code (API `error.code`). */
  readonly code: UrlErrorCode;
  /**
   * @example
   * ```ts
   * import { UrlInputError } from "./check_input.ts";
   * new UrlInputError("empty", "the URL is empty").code; // "empty"
   * ```
   */
  constructor(code: UrlErrorCode, message: string) {
    super(message);
    this.name = "UrlInputError";
    this.code = code;
  }
}

/** An accepted URL: the parsed form plus what the parser normalises away. */
export interface CheckedUrl {
  /** The text as given (trimmed; scheme added when missing). */
  raw: string;
  /** The WHATWG parse (lowercase host, punycode, default port dropped, IPv4 forms normalised). */
  url: URL;
  /** The host exactly as written in `raw` (before normalisation; no userinfo or port). */
  rawHost: string;
}

// deno-lint-ignore no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const ALLOWED = new Set(["http", "https"]);
const encoder = new TextEncoder();

function byteLength(s: string): number {
  // Fast path: ASCII text has one byte per code unit.
  // deno-lint-ignore no-control-regex -- ASCII includes the control range
  return /^[\x00-\x7f]*$/.test(s) ? s.length : encoder.encode(s).length;
}

/**
 * Check and parse one URL; throws {@linkcode UrlInputError} when it is refused.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * checkUrl("HTTP://PayPal.Example.TK:80/login").url.host; // "paypal.example.tk"
 * checkUrl("example.com/a").url.protocol; // "http:"
 * ```
 */
export function checkUrl(text: string): CheckedUrl {
  const raw0 = text.replace(/^[ ]+|[ ]+$/g, "");
  if (raw0 === "") throw new UrlInputError("empty", "the URL is empty");
  if (byteLength(raw0) > MAX_URL_BYTES) {
    throw new UrlInputError(
      "too_long",
      `the URL is longer than ${MAX_URL_BYTES} bytes (${byteLength(raw0)})`,
    );
  }
  const control = CONTROL.exec(raw0);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new UrlInputError(
      "control_characters",
      `the URL contains a control character (U+00${code.toUpperCase()}) at position ${control.index}`,
    );
  }
  const escape = BAD_ESCAPE.exec(raw0);
  if (escape) {
    throw new UrlInputError(
      "bad_percent_escape",
      `invalid percent-escape '${
        raw0.slice(escape.index, escape.index + 3)
      }' at position ${escape.index}`,
    );
  }
  let raw = raw0;
  const scheme = SCHEME.exec(raw0)?.[1];
  // `example.com:8080/x` looks like scheme `example.com`: a scheme has no dot and is followed by `//`.
  const hasScheme = scheme !== undefined &&
    (!scheme.includes(".") || raw0.startsWith(`${scheme}://`));
  if (!hasScheme) raw = `http://${raw0}`;
  else if (!ALLOWED.has(scheme!.toLowerCase())) {
    throw new UrlInputError(
      "unsupported_scheme",
      `scheme '${scheme!.toLowerCase()}:' is not checked (only http and https URLs)`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlInputError("not_a_url", "not a URL (the URL parser rejects it)");
  }
  if (url.hostname === "") throw new UrlInputError("not_a_url", "the URL has no host");
  return { raw, url, rawHost: rawHostOf(raw) };
}

/** The host as written: between `scheme://` (after any userinfo) and the port, path, query or fragment. */
function rawHostOf(raw: string): string {
  const start = raw.indexOf("//") + 2;
  let end = raw.length;
  for (const c of ["/", "?", "#", "\\"]) {
    const i = raw.indexOf(c, start);
    if (i >= 0 && i < end) end = i;
  }
  let authority = raw.slice(start, end);
  const at = authority.lastIndexOf("@");
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority.startsWith("[")) return authority.slice(0, authority.indexOf("]") + 1);
  const colon = authority.lastIndexOf(":");
  return colon >= 0 ? authority.slice(0, colon) : authority;
}
