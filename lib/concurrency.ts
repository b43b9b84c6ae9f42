/**
 * Bounded concurrency for I/O-bound work (copies, uploads, requests).
 *
 * @module
 */

/**
 * Run `fn` over `items` with at most `limit` in flight. After a failure no
 * new item starts; everything in flight settles, then the first error is
 * thrown (so callers can clean up without racing a straggler).
 *
 * @example
 * ```ts
 * import { forEachLimited } from "./concurrency.ts";
 * const seen: number[] = [];
 * await forEachLimited([1, 2, 3], 2, async (n) => {
 *   seen.push(n);
 * });
 * seen.length; // 3
 * ```
 */
export async function forEachLimited<T>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const list = [...items];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < list.length) {
      const item = list[next++];
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), list.length) }, worker));
  if (failure) throw failure.error;
}
