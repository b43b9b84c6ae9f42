/**
 * The registered-domain split of the host checked last: features, n-gram
 * parts and reasons of one URL all need it, and the public-suffix lookup
 * (tldts) is one of the costlier steps per URL.
 *
 * @module
 */
import { type DomainParts, domainParts } from "./domain_parts.ts";

let lastHost: string | undefined;
let lastParts: DomainParts | undefined;

/**
 * {@linkcode domainParts} of `host`, remembered for the next call with the
 * same host (the result is shared: do not change it).
 *
 * @example
 * ```ts
 * import { domainPartsOf } from "./_domain_memo.ts";
 * domainPartsOf("a.example.com").domain; // "example.com"
 * ```
 */
export function domainPartsOf(host: string): DomainParts {
  if (host !== lastHost) {
    lastParts = domainParts(host);
    lastHost = host;
  }
  return lastParts!;
}
