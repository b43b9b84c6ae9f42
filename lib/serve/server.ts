/**
 * The listening server around the app: `Deno.serve` on a host and port (0
 * picks a free one), a loud warning when a non-loopback address is served
 * without an API key, and a graceful shutdown.
 *
 * Graceful shutdown has two steps, because on Deno 2.9
 * `HttpServer.shutdown()` makes the body of every in-flight HTTP/1.1 request
 * unreadable at once (denoland/deno#36809, fix pending in #36825), which
 * would fail a request whose body is still arriving:
 *
 * 1. drain: new requests are answered `503 SHUTTING_DOWN` with
 *    `Connection: close`; requests already in the handler run to the end
 *    (bounded by `graceMs`, the request timeout);
 * 2. then `HttpServer.shutdown()` closes the listener and idle connections.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { errorBody, HttpError } from "./errors.ts";

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

const JSON_HEADERS = { "content-type": "application/json" };

function shuttingDown(): Response {
  const body = errorBody(new HttpError("SHUTTING_DOWN", "the server is shutting down"));
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { ...JSON_HEADERS, connection: "close", "retry-after": "1" },
  });
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
 * await server.shutdown({ graceMs: 10_000 });
 * ```
 */
export class ServerHandle {
  #server!: Deno.HttpServer<Deno.NetAddr>;
  #log: Logger;
  #draining = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  #shutdown: Promise<void> | undefined;

  private constructor(log: Logger) {
    this.#log = log;
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
    const handle = new ServerHandle(o.log);
    const inner = o.fetch;
    const fetch = async (req: Request): Promise<Response> => {
      if (handle.#draining) return shuttingDown();
      handle.#inFlight++;
      try {
        return await inner(req);
      } finally {
        if (--handle.#inFlight === 0) handle.#idle?.();
      }
    };
    handle.#server = Deno.serve({
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
        const body = errorBody(new HttpError("INTERNAL", "internal error"));
        return new Response(JSON.stringify(body), { status: 500, headers: JSON_HEADERS });
      },
    }, fetch);
    return handle;
  }

  /** The bound address (the real port when 0 was asked). */
  get addr(): Deno.NetAddr {
    return this.#server.addr;
  }

  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  get url(): string {
    return `http://${formatHost(this.addr.hostname)}:${this.addr.port}`;
  }

  /** True once {@linkcode ServerHandle.shutdown} was called. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests in the handler now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when the server has stopped. */
  get finished(): Promise<void> {
    return this.#server.finished;
  }

  /**
   * Stop taking requests (new ones get 503 `SHUTTING_DOWN`), wait up to
   * `graceMs` (default 10 s) for those in the handler, then close the
   * listener and connections. Calling it again returns the same promise.
   */
  shutdown(options: { graceMs?: number } = {}): Promise<void> {
    this.#shutdown ??= this.#drain(options.graceMs ?? 10_000);
    return this.#shutdown;
  }

  async #drain(graceMs: number): Promise<void> {
    this.#draining = true;
    if (this.#inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<boolean>((resolve) => (this.#idle = () => resolve(true)));
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      });
      const finished = await Promise.race([idle, late]);
      clearTimeout(timer);
      if (!finished) {
        this.#log.warn("shutdown: requests still running after the grace period", {
          in_flight: this.#inFlight,
          grace_ms: graceMs,
        });
      }
    }
    await this.#server.shutdown();
  }
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
