/**
 * The registered-domain split of a host from the public suffix list (npm
 * `tldts`, ICANN section): the domain-level part of the URL features.
 *
 * @module
 */
import { parse as parseDomain } from "tldts";

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
 * import { domainParts } from "./domain_parts.ts";
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

/** The parts of an IP host: none. */
export const NO_DOMAIN: DomainParts = {
  domain: "",
  label: "",
  subdomain: "",
  suffix: "",
  tld: "",
  icann: false,
};
