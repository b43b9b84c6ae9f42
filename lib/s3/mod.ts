/**
 * S3 (and S3-compatible servers such as MinIO): connection settings from the
 * environment (`settings.ts`), one bucket's objects (`bucket.ts`) and the
 * model release upload (`model_upload.ts`).
 *
 * @example
 * ```ts ignore
 * import { S3Bucket, s3SettingsFromEnv } from "./mod.ts";
 * const bucket = new S3Bucket(s3SettingsFromEnv(Deno.env.toObject(), { bucket: "models" }));
 * ```
 *
 * @module
 */
export * from "./settings.ts";
export * from "./bucket.ts";
export * from "./model_upload.ts";
