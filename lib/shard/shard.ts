/**
 * Which part of a batch one process scores: `--shard I/N` (0-based I), or
 * Kubernetes' `JOB_COMPLETION_INDEX` with a count. An input object belongs
 * to shard `fnv1a(key) mod N`: the assignment depends only on the key and N,
 * not on the listing order or on which other objects exist, so N processes
 * together score every object exactly once, and a rerun of shard I picks the
 * same objects.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** One shard of N. */
export interface Shard {
  /** 0-based index, below `count`. */
  index: number;
  /** Number of shards (≥ 1). */
  count: number;
}

/** The whole input (one process). */
export const WHOLE: Shard = { index: 0, count: 1 };

const SHARD_TEXT = /^(\d+)\/(\d+)$/;

/**
 * Parse `I/N` (0 ≤ I < N).
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * parseShard("1/4"); // { index: 1, count: 4 }
 * ```
 */
export function parseShard(text: string, field = "--shard"): Shard {
  const m = SHARD_TEXT.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count) || count > 100_000) {
    throw new ConfigError(`${field} must be I/N with 0 ≤ I < N (e.g. 0/4); got '${text}'`, {
      field,
    });
  }
  return { index, count };
}

/**
 * The shard from Kubernetes' Indexed Job variable `JOB_COMPLETION_INDEX` and
 * a count (`--shards N` or `THREATLINE_SHARDS`); undefined when the index is
 * not set.
 *
 * @example
 * ```ts
 * import { shardFromIndex } from "./shard.ts";
 * shardFromIndex("2", "4"); // { index: 2, count: 4 }
 * shardFromIndex(undefined, "4"); // undefined
 * ```
 */
export function shardFromIndex(
  index: string | undefined,
  count: string | undefined,
): Shard | undefined {
  if (index === undefined || index === "") return undefined;
  if (count === undefined || count === "") {
    throw new ConfigError("JOB_COMPLETION_INDEX is set but the shard count is not", {
      field: "--shards",
      hint: "give --shards N (the Job's completions) or set THREATLINE_SHARDS",
    });
  }
  return parseShard(`${index}/${count}`, "JOB_COMPLETION_INDEX/--shards");
}

/**
 * 32-bit FNV-1a of a string's UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { fnv1a } from "./shard.ts";
 * fnv1a(""); // 2166136261
 * ```
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Whether an object key belongs to a shard.
 *
 * @example
 * ```ts
 * import { inShard } from "./shard.ts";
 * ["a", "b", "c"].filter((k) => inShard(k, { index: 0, count: 1 })).length; // 3
 * ```
 */
export function inShard(key: string, shard: Shard): boolean {
  return shard.count === 1 || fnv1a(key) % shard.count === shard.index;
}
