/**
 * The S3 and shard part of `deno task predict`: `predict s3://b/in/ --out
 * s3://b/out/ [--shard I/N | --shards N]` (lib/shard/). `--shards N` takes
 * the index from `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job); without
 * `--shards`, `THREATLINE_SHARDS` gives the count.
 *
 * @module
 */
import { positiveInt } from "../lib/args.ts";
import { ConfigError } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { s3ConnectionFromEnv } from "../lib/s3/settings.ts";
import type { Scorer } from "../lib/scoring/scorer.ts";
import {
  isS3Url,
  parseShard,
  predictS3Prefix,
  type Shard,
  shardFromIndex,
} from "../lib/shard/mod.ts";

/** The extra options of predict. */
export const SHARD_OPTIONS = {
  shard: { type: "string" },
  shards: { type: "string" },
} as const;

function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Options of {@linkcode runShardedPredict}. */
export interface ShardedPredictArgs {
  /** Parsed options of predict. */
  values: Record<string, unknown>;
  /** Inputs. */
  positionals: string[];
  /** The loaded model. */
  scorer: Scorer;
  /** S3 settings' environment. */
  env: Record<string, string | undefined>;
  /** Logger. */
  log: Logger;
}

/**
 * The shard of the command line / environment; undefined for all objects.
 *
 * @example
 * ```ts
 * import { shardOf } from "./_predict_s3.ts";
 * shardOf({ shard: "1/2" }, {}); // { index: 1, count: 2 }
 * ```
 */
export function shardOf(
  values: Record<string, unknown>,
  env: { JOB_COMPLETION_INDEX?: string; THREATLINE_SHARDS?: string },
): Shard | undefined {
  const shard = values.shard as string | undefined;
  const shards = values.shards as string | undefined;
  if (shard !== undefined && shards !== undefined) {
    throw new ConfigError("give --shard I/N or --shards N, not both", { field: "--shard" });
  }
  if (shard !== undefined) return parseShard(shard);
  const count = shards !== undefined
    ? String(positiveInt(shards, "--shards"))
    : env.THREATLINE_SHARDS;
  if (shards !== undefined && !env.JOB_COMPLETION_INDEX) {
    throw new ConfigError("--shards N needs JOB_COMPLETION_INDEX (set by an Indexed Job)", {
      field: "--shards",
      hint: "outside Kubernetes give --shard I/N",
    });
  }
  return shardFromIndex(env.JOB_COMPLETION_INDEX, count);
}

/**
 * Score S3 prefixes when the input is one; returns false (nothing done) for
 * files, so predict goes on as before. A shard without an S3 input is a
 * `ConfigError`.
 *
 * @example
 * ```ts ignore
 * if (await runShardedPredict({ values, positionals, scorer, env, log })) return 0;
 * ```
 */
export async function runShardedPredict(a: ShardedPredictArgs): Promise<boolean> {
  const flagged = a.values.shard !== undefined || a.values.shards !== undefined;
  // Files without shard flags: predict as before, whatever the environment says.
  if (!flagged && !a.positionals.some(isS3Url)) return false;
  const shard = shardOf(a.values, {
    JOB_COMPLETION_INDEX: envVar("JOB_COMPLETION_INDEX"),
    THREATLINE_SHARDS: envVar("THREATLINE_SHARDS"),
  });
  const s3 = a.positionals.filter(isS3Url);
  if (s3.length === 0) {
    if (shard && shard.count > 1) {
      throw new ConfigError("--shard needs an S3 input prefix (s3://bucket/in/)", {
        field: "--shard",
      });
    }
    return false;
  }
  if (a.positionals.length !== 1) {
    throw new ConfigError("an S3 input is one prefix, alone: s3://bucket/in/", { field: "INPUT" });
  }
  const out = a.values.out as string | undefined;
  if (!out || !isS3Url(out)) {
    throw new ConfigError("an S3 input needs --out s3://bucket/out/", { field: "--out" });
  }
  const workers = a.values.workers as string | undefined;
  const threshold = a.values.threshold as string | undefined;
  const s = await predictS3Prefix({
    scorer: a.scorer,
    input: a.positionals[0],
    out,
    connection: s3ConnectionFromEnv(a.env),
    shard,
    outFormat: a.values["out-format"] as "csv" | "jsonl" | undefined,
    threshold: threshold === undefined ? undefined : Number(threshold),
    workers: workers === undefined
      ? undefined
      : workers === "0"
      ? 0
      : positiveInt(workers, "--workers"),
    log: a.log,
  });
  const rate = s.seconds > 0 ? Math.round(s.rows / s.seconds) : 0;
  console.error(
    `predict: shard ${(shard?.index ?? 0)}/${shard?.count ?? 1}: ${s.scoredObjects} of ` +
      `${s.objects} objects, ${s.rows} rows: ${s.scored} scored, ${s.rejected} rejected; ` +
      `${s.seconds.toFixed(2)} s, ${rate} rows/s; model ${s.modelVersion} → ${out}`,
  );
  return true;
}
