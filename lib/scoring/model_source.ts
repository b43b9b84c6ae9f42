/**
 * Where the scorers' model comes from, resolved to a local release folder
 * that `loadScorer` then checks (card, files' content version):
 *
 * - a folder (default `artifacts/model`);
 * - `s3://bucket/prefix/`: a release uploaded by lib/s3/model_upload.ts. Its
 *   `MANIFEST.json` is read first (no manifest: the release is incomplete and
 *   refused), then every file it lists is downloaded and checked against the
 *   manifest's size and sha256 into a cache folder keyed by the manifest's
 *   hash, so a release is downloaded once;
 * - `models:/<name>@<alias>` (e.g. `@champion`): the MLflow registry version
 *   the alias points at; its model files are downloaded through MLflow's
 *   artifact proxy into a cache folder keyed by name and version.
 *
 * Connection settings come from the environment the entry point hands in
 * (`AWS_*`, `MLFLOW_TRACKING_URI` …, as lib/s3/settings.ts and
 * lib/mlflow/config.ts read them); this module reads no variable itself.
 *
 * @module
 */
import { ConfigError, DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { cardFamily, type ModelSource, releaseFiles } from "./_release.ts";

export { cardFamily, type ModelSource, releaseFiles } from "./_release.ts";

/** The default model source. */
export const DEFAULT_MODEL_SOURCE = "artifacts/model";

/**
 * Parse a model source string; a malformed URI is a `ConfigError`.
 *
 * @example
 * ```ts
 * import { parseModelSource } from "./model_source.ts";
 * parseModelSource("models:/threat-detector@champion");
 * // { kind: "mlflow", uri: "models:/threat-detector@champion", name: "threat-detector", alias: "champion" }
 * parseModelSource("s3://releases/models/3fa1/").kind; // "s3"
 * ```
 */
export function parseModelSource(spec: string): ModelSource {
  if (spec.startsWith("s3://")) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(spec);
    const prefix = (m?.[2] ?? "").replace(/^\/+|\/+$/g, "");
    if (!m || !prefix) {
      throw new ConfigError(`an S3 model source is s3://bucket/prefix/, got '${spec}'`, {
        field: "--model",
      });
    }
    return { kind: "s3", uri: spec, bucket: m[1], prefix: prefix + "/" };
  }
  if (spec.startsWith("models:/")) {
    const m = /^models:\/([^@/]+)@([A-Za-z0-9_-]+)$/.exec(spec);
    if (!m) {
      throw new ConfigError(`an MLflow model source is models:/<name>@<alias>, got '${spec}'`, {
        field: "--model",
        hint: "e.g. models:/threat-detector@champion",
      });
    }
    return { kind: "mlflow", uri: spec, name: m[1], alias: m[2] };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new ConfigError(`unsupported model source '${spec}'`, {
      field: "--model",
      hint: "a folder, s3://bucket/prefix/ or models:/<name>@<alias>",
    });
  }
  return { kind: "dir", dir: spec };
}

/** Options of {@linkcode resolveModelSource}. */
export interface ResolveOptions {
  /** The environment (read once by the entry point): AWS_*, MLFLOW_*, HOME. */
  env?: Record<string, string | undefined>;
  /** Where downloaded releases are kept (default `$HOME/.cache/threatline/models`). */
  cacheDir?: string;
  /** Progress. */
  log?: Logger;
}

/** A resolved source: the local folder to load. */
export interface ResolvedModel {
  /** Local release folder. */
  dir: string;
  /** The source as given. */
  source: string;
  /** Its kind. */
  kind: ModelSource["kind"];
}

/**
 * Resolve a model source to a local release folder, downloading remote
 * releases into the cache (once). A missing folder or incomplete release is
 * a `DataError`; missing settings a `ConfigError`; S3/MLflow failures
 * `ServiceError`s from their clients.
 *
 * @example
 * ```ts ignore
 * import { resolveModelSource } from "./model_source.ts";
 * const { dir } = await resolveModelSource("s3://releases/models/3fa1/", { env: Deno.env.toObject() });
 * ```
 */
export async function resolveModelSource(
  spec: string = DEFAULT_MODEL_SOURCE,
  options: ResolveOptions = {},
): Promise<ResolvedModel> {
  const source = parseModelSource(spec);
  if (source.kind === "dir") {
    const card = `${source.dir}/card.json`;
    try {
      await Deno.stat(card);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      throw new DataError("no released model here (card.json not found)", {
        file: source.dir,
        hint: source.dir === DEFAULT_MODEL_SOURCE
          ? "run the pipeline first (deno task repro, or the train stage)"
          : "point --model at a release folder, s3://bucket/prefix/ or models:/<name>@<alias>",
      });
    }
    return { dir: source.dir, source: spec, kind: "dir" };
  }
  const env = options.env ?? {};
  const log = options.log ?? nullLogger;
  const home = env.HOME ?? env.USERPROFILE;
  const cacheDir = options.cacheDir ??
    (home ? `${home}/.cache/threatline/models` : await Deno.makeTempDir({ prefix: "models_" }));
  const fetched = source.kind === "s3"
    ? await (await import("./_remote_models.ts")).fetchS3Release(source, env, cacheDir, log)
    : await (await import("./_remote_models.ts")).fetchMlflowRelease(source, env, cacheDir, log);
  let card: unknown;
  try {
    card = JSON.parse(await Deno.readTextFile(`${fetched}/card.json`));
  } catch {
    throw new DataError(`the release at ${spec} has no readable card.json`, { file: spec });
  }
  for (const f of releaseFiles(cardFamily(card))) {
    try {
      await Deno.stat(`${fetched}/${f}`);
    } catch {
      throw new DataError(`the release at ${spec} has no ${f}`, { file: spec });
    }
  }
  return { dir: fetched, source: spec, kind: source.kind };
}
