/**
 * Model releases in S3: upload a released model folder (model.json,
 * weights.bin, preprocess.json, card.json …) under a key prefix such as
 * `models/<version>/`.
 *
 * Convention — **a release is complete only once `<prefix>MANIFEST.json`
 * exists.** The files go up first (each verified against the sha256 it had
 * when the upload started; large ones in parts, which S3 shows only once
 * complete), the manifest last. A reader reads the manifest first and only
 * the files it lists, checking their sha256; a prefix without a manifest is
 * an unfinished (or failed) upload and must be ignored. Releases are
 * immutable: uploading a different model to a prefix that already has a
 * manifest is refused; uploading the same one again is a no-op. "The same"
 * compares the model's content — every file but the card (`card.json`,
 * {@linkcode UploadModelDirOptions.metadataFiles}), whose older versions held
 * run metadata such as the save time — so re-pushing a retrained, identical
 * model succeeds.
 *
 * `MANIFEST.json`:
 *
 * ```json
 * { "format": 1, "created_at": "2026-11-24T05:00:00.000Z",
 *   "files": [{ "path": "model.json", "size": 1234, "sha256": "ab12…" }, …] }
 * ```
 *
 * @module
 */
import { join, relative, sep } from "node:path";
import { forEachLimited } from "../concurrency.ts";
import { CacheError, ConfigError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { hashFile } from "../file_hash.ts";
import { S3Bucket, type S3BucketOptions } from "./bucket.ts";
import type { S3Settings } from "./settings.ts";

export { type S3Settings, s3SettingsFromEnv } from "./settings.ts";

/** Name of the manifest that marks a release complete. */
export const MANIFEST_NAME = "MANIFEST.json";

/** One file of a release as uploaded. */
export interface ReleasedFile {
  /** Full key in the bucket. */
  key: string;
  /** Bytes. */
  size: number;
  /** sha256 (hex) of the content. */
  sha256: string;
}

/** The content of `MANIFEST.json`. */
export interface ReleaseManifest {
  /** Format version. */
  format: 1;
  /** When the release was completed (ISO time). */
  created_at: string;
  /** The files, paths relative to the prefix, sorted. */
  files: { path: string; size: number; sha256: string }[];
}

/** Options of {@linkcode uploadModelDir}. */
export interface UploadModelDirOptions {
  /** Where to upload (bucket, endpoint, credentials). */
  s3: S3Settings;
  /** The released model folder. */
  dir: string;
  /** Key prefix of the release, e.g. `models/<version>/` (a trailing `/` is added). */
  prefix: string;
  /** Progress goes here. */
  log: Logger;
  /** Files uploaded at once (default 4). */
  jobs?: number;
  /** Multipart and retry tuning (tests). */
  bucketOptions?: S3BucketOptions;
  /**
   * Files that describe the model rather than being it, left out when an
   * existing release is compared with this folder (default `["card.json"]`).
   */
  metadataFiles?: string[];
}

/** The normalised prefix (`a/b/`), or a ConfigError for an unusable one. */
function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  const parts = trimmed.split("/");
  if (!trimmed || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new ConfigError(`invalid release prefix '${prefix}'`, {
      field: "prefix",
      hint: "use something like models/<version>/",
    });
  }
  return trimmed + "/";
}

/** Every regular file under `dir` (symlinks followed), relative paths with `/`, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      const info = entry.isSymlink ? await Deno.stat(path) : entry;
      if (info.isDirectory) await walk(path);
      else if (info.isFile) files.push(relative(dir, path).split(sep).join("/"));
    }
  };
  await walk(dir);
  return files.sort();
}

function sameContent(
  a: ReleaseManifest["files"],
  b: ReleaseManifest["files"],
  metadata: string[],
): boolean {
  const key = (files: ReleaseManifest["files"]) =>
    JSON.stringify(
      files.filter((f) => !metadata.includes(f.path)).map((f) => [f.path, f.size, f.sha256]),
    );
  return key(a) === key(b);
}

function parseManifest(bytes: Uint8Array, url: string): ReleaseManifest {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    if (value?.format === 1 && Array.isArray(value.files)) return value as ReleaseManifest;
  } catch {
    // reported below
  }
  throw new CacheError(`unreadable release manifest`, { file: url });
}

/**
 * Read the manifest of the release at `prefix`; undefined while the release
 * is incomplete (or absent).
 *
 * @example
 * ```ts ignore
 * import { readReleaseManifest } from "./model_upload.ts";
 * const manifest = await readReleaseManifest(settings, "models/v3/");
 * if (!manifest) throw new Error("release v3 is not complete");
 * ```
 */
export async function readReleaseManifest(
  s3: S3Settings,
  prefix: string,
  bucketOptions: S3BucketOptions = {},
): Promise<ReleaseManifest | undefined> {
  const bucket = new S3Bucket(s3, bucketOptions);
  try {
    const key = normalizePrefix(prefix) + MANIFEST_NAME;
    const bytes = await bucket.getBytes(key);
    return bytes ? parseManifest(bytes, bucket.url(key)) : undefined;
  } finally {
    bucket.close();
  }
}

/**
 * Upload every file of `dir` under `prefix`, then `MANIFEST.json` (see the
 * module doc for the convention). Returns the release's `s3://` URI and its
 * files. Throws a `ServiceError` when S3 fails (the manifest is then not
 * written), a `ConfigError` when a different release already has the prefix.
 *
 * @example
 * ```ts ignore
 * import { s3SettingsFromEnv, uploadModelDir } from "./model_upload.ts";
 * const s3 = s3SettingsFromEnv(env); // read once by the stage
 * if (s3) {
 *   const { uri } = await uploadModelDir({ s3, dir: "artifacts/model", prefix: `models/${version}/`, log });
 *   log.info("model released", { uri });
 * }
 * ```
 */
export async function uploadModelDir(
  options: UploadModelDirOptions,
): Promise<{ uri: string; files: ReleasedFile[] }> {
  const prefix = normalizePrefix(options.prefix);
  const { log } = options;
  const paths = await listFiles(options.dir);
  if (paths.includes(MANIFEST_NAME)) {
    throw new ConfigError(`${MANIFEST_NAME} is reserved for the release manifest`, {
      file: join(options.dir, MANIFEST_NAME),
    });
  }
  const local: ReleaseManifest["files"] = [];
  for (const path of paths) {
    const { hash, size } = await hashFile(join(options.dir, path));
    local.push({ path, size, sha256: hash });
  }
  const bucket = new S3Bucket(options.s3, { ...options.bucketOptions, log });
  const uri = bucket.url(prefix);
  const files = local.map((f) => ({ key: prefix + f.path, size: f.size, sha256: f.sha256 }));
  try {
    const manifestKey = prefix + MANIFEST_NAME;
    const existing = await bucket.getBytes(manifestKey);
    if (existing) {
      const metadata = options.metadataFiles ?? ["card.json"];
      if (sameContent(parseManifest(existing, bucket.url(manifestKey)).files, local, metadata)) {
        log.info("model release already complete", { uri });
        return { uri, files };
      }
      throw new ConfigError(`a different release already exists at ${uri}`, {
        file: bucket.url(manifestKey),
        hint: "releases are immutable: upload under a new version",
      });
    }
    log.info("uploading model release", { uri, files: local.length });
    await forEachLimited(local, options.jobs ?? 4, async (f) => {
      const src = join(options.dir, f.path);
      await bucket.uploadFile(prefix + f.path, src, {
        contentType: f.path.endsWith(".json") ? "application/json" : "application/octet-stream",
        verify: (sha256) => {
          if (sha256 !== f.sha256) {
            throw new CacheError(`${src} changed while the release was being uploaded`, {
              file: src,
            });
          }
        },
      });
      log.debug("uploaded", { key: prefix + f.path, size: f.size });
    });
    const manifest: ReleaseManifest = {
      format: 1,
      created_at: new Date().toISOString(),
      files: local,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n");
    await bucket.putBytes(manifestKey, bytes, "application/json");
    log.info("model release complete", { uri, files: local.length });
    return { uri, files };
  } finally {
    bucket.close();
  }
}
