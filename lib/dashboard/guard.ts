/**
 * Request guards of the dashboard: no cross-site POST (the `Origin` or
 * `Sec-Fetch-Site` header must say same origin when a browser sends one),
 * and the API key for state-changing routes when one is configured (same
 * rules as serve: `Authorization: Bearer …` or `X-API-Key`, compared in
 * constant time over digests).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import { DashError } from "./errors.ts";

/**
 * Refuse a non-GET request a browser marks as cross-site: `Origin` present
 * and not this host, or `Sec-Fetch-Site` other than `same-origin`/`none`.
 * Clients that send neither (curl, scripts) pass; they have no ambient
 * credentials to abuse.
 *
 * @example
 * ```ts ignore
 * app.use(sameOrigin());
 * ```
 */
export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const origin = c.req.header("origin");
      const site = c.req.header("sec-fetch-site");
      const self = new URL(c.req.url);
      const host = c.req.header("host") ?? self.host;
      let ok = true;
      if (origin !== undefined) {
        try {
          ok = new URL(origin).host === host;
        } catch {
          ok = false;
        }
      }
      if (site !== undefined && site !== "same-origin" && site !== "none") ok = false;
      if (!ok) {
        throw new DashError("FORBIDDEN", "cross-origin request refused");
      }
    }
    await next();
  };
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Require the API key (when `apiKey` is set) on the routes it guards.
 *
 * @example
 * ```ts ignore
 * app.post("/api/train", requireKey(config.apiKey), handler);
 * ```
 */
export function requireKey(apiKey: string | undefined): MiddlewareHandler {
  if (apiKey === undefined) return (_c, next) => next();
  const expected = digest(apiKey);
  return async (c, next) => {
    const auth = c.req.header("authorization");
    const given = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : c.req.header("x-api-key");
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new DashError(
        "UNAUTHORIZED",
        given === undefined ? "this action needs the API key" : "the API key is not valid",
      );
    }
    await next();
  };
}
