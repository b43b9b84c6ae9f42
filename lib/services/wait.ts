/**
 * Wait until a started server really answers: poll a protocol-level probe
 * with a bounded overall timeout, and give up early when the process died.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import { sleep } from "./process.ts";

/** Options of {@linkcode waitUntilReady}. */
export interface WaitOptions {
  /** Service name used in the error message, e.g. `s3 (MinIO)`. */
  service: string;
  /**
   * One readiness attempt: resolves when the server answered correctly,
   * throws (any error) when not yet. Gets a signal that aborts at the deadline.
   */
  probe: (signal: AbortSignal) => Promise<void>;
  /** Overall limit in milliseconds. */
  timeoutMs: number;
  /** Pause between attempts (default 200 ms). */
  intervalMs?: number;
  /** Returns false once the server process has exited (stop waiting). */
  alive?: () => boolean;
  /** Extra text for the error (e.g. the log tail); computed only on failure. */
  details?: () => string;
  /** Stops waiting early (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Poll `probe` until it succeeds; throw a {@linkcode ServiceError} naming the
 * service, the last probe error and `details()` when the deadline passes or
 * the process exits.
 *
 * @example
 * ```ts ignore
 * import { waitUntilReady } from "./wait.ts";
 * await waitUntilReady({
 *   service: "mlflow",
 *   timeoutMs: 60_000,
 *   probe: async (signal) => {
 *     const res = await fetch("http://127.0.0.1:5000/health", { signal });
 *     await res.body?.cancel();
 *     if (!res.ok) throw new Error(`HTTP ${res.status}`);
 *   },
 * });
 * ```
 */
export async function waitUntilReady(options: WaitOptions): Promise<void> {
  const start = Date.now();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const deadline = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let last: unknown = undefined;
  let attempts = 0;
  while (true) {
    attempts++;
    try {
      await options.probe(deadline);
      return;
    } catch (err) {
      last = err;
    }
    if (options.signal?.aborted) {
      throw new ServiceError(`${options.service}: waiting for it was interrupted`, {
        cause: options.signal.reason,
      });
    }
    const exited = options.alive !== undefined && !options.alive();
    if (exited || deadline.aborted || Date.now() - start >= options.timeoutMs) {
      const why = exited
        ? "its process exited before it answered"
        : `it did not answer within ${
          options.timeoutMs >= 1000 ? `${options.timeoutMs / 1000} s` : `${options.timeoutMs} ms`
        }`;
      const lastMsg = last instanceof Error ? last.message : String(last);
      const extra = options.details?.();
      throw new ServiceError(
        `${options.service} is not ready: ${why} (${attempts} attempts; last error: ${lastMsg})` +
          (extra ? `\n${extra}` : ""),
        { cause: last },
      );
    }
    await sleep(options.intervalMs ?? 200);
  }
}
