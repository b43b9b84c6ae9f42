/**
 * Free loopback ports for the test services. A port is chosen by binding port
 * 0 on 127.0.0.1 and reading what the kernel gave; all listeners of one call
 * stay open until every port is known, so one call never returns a port twice.
 *
 * @module
 */

/** The only address the test services listen on. */
export const LOOPBACK = "127.0.0.1";

/**
 * Return `count` distinct free TCP ports on 127.0.0.1.
 *
 * There is a short window between closing the probe listener and the server
 * binding the port; the caller's readiness check catches the rare loss.
 *
 * @example
 * ```ts
 * import { freePorts } from "./ports.ts";
 * const [api, console] = freePorts(2);
 * ```
 */
export function freePorts(count: number): number[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad port count ${count}`);
  const listeners: Deno.TcpListener[] = [];
  try {
    for (let i = 0; i < count; i++) {
      listeners.push(Deno.listen({ hostname: LOOPBACK, port: 0, transport: "tcp" }));
    }
    return listeners.map((l) => l.addr.port);
  } finally {
    for (const l of listeners) l.close();
  }
}

/**
 * Whether something accepts TCP connections on 127.0.0.1:`port`.
 *
 * @example
 * ```ts ignore
 * import { isListening } from "./ports.ts";
 * await isListening(27017);
 * ```
 */
export async function isListening(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: LOOPBACK, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}
