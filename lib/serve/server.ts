/**
 * The listening server around the app: `Deno.serve` on a host and port (0
 * picks a free one), a loud warning when a non-loopback address is served
 * without an API key, and a graceful shutdown that stops accepting
 * connections and lets in-flight requests finish.
 *
 * @module
 */
import type { Logger } from "../log.ts";

/**
 * Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
 *
 * @example
 * ```ts
 * import { isLoopback } from "./server.ts";
 * [isLoopback("127.0.0.1"), isLoopback("::1"), isLoopback("0.0.0.0")]; // [true, true, false]
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** Options of {@linkcode ServerHandle.start}. */
export interface StartOptions {
  /** The request handler (`app.fetch`). */
  fetch: (req: Request) => Response | Promise<Response>;
  /** Address to bind. */
  hostname: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Whether the predict routes need an API key (decides the exposure warning). */
  auth: boolean;
  /** Listening, warnings and errors. */
  log: Logger;
}

/**
 * A running server. Start it with {@linkcode ServerHandle.start}; stop it
 * with {@linkcode ServerHandle.shutdown}.
 *
 * @example
 * ```ts ignore
 * import { ServerHandle } from "./server.ts";
 * const server = ServerHandle.start({ fetch: app.fetch, hostname: "127.0.0.1", port: 0, auth: false, log });
 * console.log(server.url); // "http://127.0.0.1:40123"
 * await server.shutdown();
 * ```
 */
export class ServerHandle {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #addr: Deno.NetAddr;
  #draining = false;
  #shutdown: Promise<void> | undefined;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, addr: Deno.NetAddr) {
    this.#server = server;
    this.#addr = addr;
  }

  /** Bind and start serving (a busy port throws `Deno.errors.AddrInUse`). */
  static start(o: StartOptions): ServerHandle {
    if (!o.auth && !isLoopback(o.hostname)) {
      o.log.warn(
        `!!! SERVING ${o.hostname} WITHOUT AN API KEY: anyone who can reach this address can ` +
          `call the predict routes. Set the API key variable, or bind to 127.0.0.1 !!!`,
        { host: o.hostname },
      );
    }
    // Deno.serve binds synchronously (a busy port throws here) and calls
    // onListen before it returns.
    const server = Deno.serve({
      hostname: o.hostname,
      port: o.port,
      onListen: (addr) => {
        o.log.info("listening", {
          url: `http://${formatHost(addr.hostname)}:${addr.port}`,
          auth: o.auth ? "api key" : "none",
        });
      },
      onError: (err) => {
        o.log.error("unhandled request error", { error: (err as Error)?.message });
        return new Response(
          JSON.stringify({ error: { code: "INTERNAL", message: "internal error" } }),
          { status: 500, headers: { "content-type": "application/json" } },
        );
      },
    }, o.fetch);
    return new ServerHandle(server, server.addr);
  }

  /** The bound address (the real port when 0 was asked). */
  get addr(): Deno.NetAddr {
    return this.#addr;
  }

  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  get url(): string {
    return `http://${formatHost(this.#addr.hostname)}:${this.#addr.port}`;
  }

  /** True once {@linkcode ServerHandle.shutdown} was called (`/ready` answers 503). */
  get draining(): boolean {
    return this.#draining;
  }

  /** Resolves when the server has stopped. */
  get finished(): Promise<void> {
    return this.#server.finished;
  }

  /**
   * Stop accepting connections and wait for in-flight requests to finish.
   * Calling it again returns the same promise.
   */
  shutdown(): Promise<void> {
    this.#draining = true;
    this.#shutdown ??= this.#server.shutdown();
    return this.#shutdown;
  }
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
