/**
 * Downloading a release from S3 or the MLflow registry into the local model
 * cache (imported only when such a source is used, so local scoring loads no
 * AWS SDK). Private: see `model_source.ts`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ConfigError, DataError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { cardFamily, type ModelSource, releaseFiles } from "./_release.ts";

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/** Whether `dir` already holds every file with the expected sha256. */
async function cached(dir: string, files: { path: string; sha256?: string }[]): Promise<boolean> {
  for (const f of files) {
    try {
      const bytes = await Deno.readFile(`${dir}/${f.path}`);
      if (f.sha256 && sha256(bytes) !== f.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Write the files into `dir` through a temp folder renamed into place. */
async function install(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  const parent = dir.replace(/\/[^/]+$/, "");
  await Deno.mkdir(parent, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: ".download-" });
  try {
    for (const [path, bytes] of files) {
      const target = `${tmp}/${path}`;
      await Deno.mkdir(target.replace(/\/[^/]+$/, ""), { recursive: true });
      await Deno.writeFile(target, bytes);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(tmp, dir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

/**
 * Download (once) the S3 release at `source` into the cache; returns its folder.
 *
 * @example
 * ```ts ignore
 * import { fetchS3Release } from "./_remote_models.ts";
 * const dir = await fetchS3Release(parseModelSource("s3://b/models/v1/"), env, cacheDir, log);
 * ```
 */
export async function fetchS3Release(
  source: Extract<ModelSource, { kind: "s3" }>,
  env: Record<string, string | undefined>,
  cacheDir: string,
  log: Logger,
): Promise<string> {
  const { s3ConnectionFromEnv } = await import("../s3/settings.ts");
  const { readReleaseManifest, MANIFEST_NAME } = await import("../s3/model_upload.ts");
  const { S3Bucket } = await import("../s3/bucket.ts");
  const settings = { ...s3ConnectionFromEnv(env), bucket: source.bucket };
  const manifest = await readReleaseManifest(settings, source.prefix);
  if (!manifest) {
    throw new DataError(`no complete release at ${source.uri}: ${MANIFEST_NAME} is missing`, {
      file: source.uri,
      hint: "an upload that did not finish leaves no manifest; release the model again",
    });
  }
  const dir = `${cacheDir}/s3/${sha256(source.uri + "\n" + JSON.stringify(manifest.files))}`;
  if (await cached(dir, manifest.files)) {
    log.debug("model from cache", { source: source.uri, dir });
    return dir;
  }
  const bucket = new S3Bucket(settings);
  const files = new Map<string, Uint8Array>();
  try {
    for (const f of manifest.files) {
      const key = source.prefix + f.path;
      const bytes = await bucket.getBytes(key);
      if (!bytes) {
        throw new DataError(`the release lists ${f.path}, but it is missing`, {
          file: bucket.url(key),
        });
      }
      if (bytes.length !== f.size || sha256(bytes) !== f.sha256) {
        throw new DataError(`${f.path} does not match the release manifest (size or sha256)`, {
          file: bucket.url(key),
          hint: "the release was changed after upload; release the model again",
        });
      }
      files.set(f.path, bytes);
    }
  } finally {
    bucket.close();
  }
  await install(dir, files);
  log.info("model downloaded", { source: source.uri, files: files.size, dir });
  return dir;
}

/**
 * Download (once) the MLflow registry version that `source`'s alias points
 * at into the cache; returns its folder.
 *
 * @example
 * ```ts ignore
 * import { fetchMlflowRelease } from "./_remote_models.ts";
 * const dir = await fetchMlflowRelease(parseModelSource("models:/threat@champion"), env, cacheDir, log);
 * ```
 */
export async function fetchMlflowRelease(
  source: Extract<ModelSource, { kind: "mlflow" }>,
  env: Record<string, string | undefined>,
  cacheDir: string,
  log: Logger,
): Promise<string> {
  const { mlflowConfigFromEnv } = await import("../mlflow/config.ts");
  const { MlflowClient } = await import("../mlflow/client.ts");
  const config = mlflowConfigFromEnv(env);
  if (!config) {
    throw new ConfigError(
      `${source.uri} needs the MLflow registry: MLFLOW_TRACKING_URI is not set`,
      {
        field: "MLFLOW_TRACKING_URI",
        hint: "set MLFLOW_TRACKING_URI (and credentials), or score a local folder or s3:// release",
      },
    );
  }
  const client = MlflowClient.fromConfig(config, { log });
  const model = await client.getRegisteredModel(source.name);
  const version = model?.aliases?.find((a) => a.alias === source.alias)?.version;
  if (!model || version === undefined) {
    throw new DataError(
      model
        ? `registered model '${source.name}' has no alias '${source.alias}'`
        : `no registered model '${source.name}' in MLflow at ${client.trackingUri}`,
      { file: source.uri },
    );
  }
  const mv = await client.getModelVersion(source.name, version);
  const from = mv.source;
  if (!from) {
    throw new DataError(`${source.uri} (version ${version}) has no source`, { file: source.uri });
  }
  const key = sha256(`${client.trackingUri}\n${source.name}\n${version}\n${from}`);
  const dir = `${cacheDir}/mlflow/${key}`;
  // A registered version's files never change; the card's version hash is checked on load.
  const have = await Deno.readTextFile(`${dir}/card.json`).then((t) => JSON.parse(t), () => null);
  if (have && await cached(dir, releaseFiles(cardFamily(have)).map((path) => ({ path })))) {
    return dir;
  }
  const card = await client.downloadArtifact(from, "card.json");
  let family: string | undefined;
  try {
    family = cardFamily(JSON.parse(new TextDecoder().decode(card)));
  } catch {
    throw new DataError(`${source.uri} (version ${version}): card.json is not JSON`, {
      file: source.uri,
    });
  }
  const files = new Map<string, Uint8Array>([["card.json", card]]);
  for (const f of releaseFiles(family).filter((f) => f !== "card.json")) {
    files.set(f, await client.downloadArtifact(from, f));
  }
  await install(dir, files);
  log.info("model downloaded", { source: source.uri, version, dir });
  return dir;
}
