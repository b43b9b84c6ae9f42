/**
 * Scale-out batch scoring: shard selection (`--shard I/N`,
 * `JOB_COMPLETION_INDEX`) and scoring of S3 prefixes by shard.
 *
 * @module
 */
export { fnv1a, inShard, parseShard, type Shard, shardFromIndex, WHOLE } from "./shard.ts";
export {
  isS3Url,
  outputKey,
  predictS3Prefix,
  type S3PredictOptions,
  type S3PredictSummary,
} from "./s3_predict.ts";
