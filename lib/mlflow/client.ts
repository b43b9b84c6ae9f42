/**
 * A small typed client for the MLflow 2.0 REST API (tracking, model registry
 * and the tracking server's artifact proxy), over `fetch`.
 *
 * Every request has a timeout (`AbortSignal.timeout`); an unreachable server,
 * a timeout and an error answer all become a {@linkcode ServiceError} (exit
 * status 7) naming the server and the endpoint, with MLflow's `error_code`
 * and `message` when it sent them ({@linkcode MlflowApiError}). Busy answers
 * (429, 502, 503, 504) are retried twice with backoff; nothing else is.
 * Credentials live only in private fields and are never part of a message.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import {
  type CallOptions,
  type HttpSettings,
  type Method,
  MlflowApiError,
  mlflowRequest,
} from "./_http.ts";
import type { MlflowAuth, MlflowConfig } from "./config.ts";
import type {
  Experiment,
  FileInfo,
  KeyValue,
  Metric,
  ModelVersion,
  RegisteredModel,
  Run,
  RunInfo,
  RunStatus,
} from "./types.ts";

export { MlflowApiError } from "./_http.ts";
export type * from "./types.ts";

/** Options of the {@linkcode MlflowClient} constructor. */
export interface MlflowClientOptions {
  /** Base URL of the tracking server (no credentials in it). */
  trackingUri: string;
  /** Authentication (default none). */
  auth?: MlflowAuth;
  /** Milliseconds per request (default 30 000). */
  timeoutMs?: number;
  /** Retries of a busy answer (429/502/503/504; default 2). */
  retries?: number;
  /** First backoff before a retry in ms, doubled each time (default 250). */
  retryBaseMs?: number;
  /** The fetch to use (tests pass a fake). */
  fetch?: typeof fetch;
  /** Debug lines per request. */
  log?: Logger;
}

/** Limits of one `runs/log-batch` request (MLflow's MAX_*_PER_BATCH). */
export const BATCH_LIMITS = { params: 100, tags: 100, metrics: 1000 } as const;

/**
 * The REST client. Methods map 1:1 to endpoints; "get" methods for things
 * that may not exist return `undefined` instead of throwing.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "./client.ts";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000", timeoutMs: 5000 });
 * const exp = await client.ensureExperiment("threatline");
 * const run = await client.createRun({ experimentId: exp.experiment_id, runName: "demo" });
 * await client.logBatch(run.run_id, { params: [{ key: "lr", value: "0.01" }] });
 * await client.updateRun(run.run_id, { status: "FINISHED" });
 * ```
 */
export class MlflowClient {
  #http: HttpSettings;

  /** Create a client; no request is made. */
  constructor(options: MlflowClientOptions) {
    this.#http = {
      base: options.trackingUri.replace(/\/+$/, ""),
      auth: options.auth ?? { kind: "none" },
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 2,
      retryBaseMs: options.retryBaseMs ?? 250,
      fetch: options.fetch ?? fetch,
      log: options.log ?? nullLogger,
    };
  }

  /**
   * A client for a resolved {@linkcode MlflowConfig}.
   *
   * @example
   * ```ts ignore
   * const client = MlflowClient.fromConfig(config, { log });
   * ```
   */
  static fromConfig(
    config: MlflowConfig,
    extra: Pick<MlflowClientOptions, "fetch" | "log" | "retries"> = {},
  ): MlflowClient {
    return new MlflowClient({ ...extra, ...config });
  }

  /** The server's base URL (never holds credentials). */
  get trackingUri(): string {
    return this.#http.base;
  }

  /** The UI address of a run. */
  runUrl(experimentId: string, runId: string): string {
    return `${this.#http.base}/#/experiments/${experimentId}/runs/${runId}`;
  }

  /** The experiment called `name`, or undefined. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const got = await this.#maybe<{ experiment: Experiment }>(
      "GET",
      "mlflow/experiments/get-by-name",
      { query: { experiment_name: name } },
    );
    return got?.experiment;
  }

  /** The active experiment called `name`, created when missing. */
  async ensureExperiment(name: string): Promise<Experiment> {
    let exp = await this.getExperimentByName(name);
    if (!exp) {
      try {
        await this.#request("POST", "mlflow/experiments/create", { body: { name } });
      } catch (err) {
        if (!(err instanceof MlflowApiError && err.errorCode === "RESOURCE_ALREADY_EXISTS")) {
          throw err;
        }
      }
      exp = await this.getExperimentByName(name);
    }
    if (!exp || exp.lifecycle_stage === "deleted") {
      throw new ServiceError(`MLflow at ${this.#http.base}: experiment '${name}' is deleted`, {
        field: "MLFLOW_EXPERIMENT_NAME",
        hint: "restore it in the MLflow UI, or set MLFLOW_EXPERIMENT_NAME to another name",
      });
    }
    return exp;
  }

  /** Start a run (status RUNNING). */
  async createRun(
    o: { experimentId: string; runName?: string; startTime?: number; tags?: KeyValue[] },
  ): Promise<RunInfo> {
    const body = {
      experiment_id: o.experimentId,
      run_name: o.runName,
      start_time: o.startTime ?? Date.now(),
      tags: o.tags,
    };
    return (await this.#request<{ run: Run }>("POST", "mlflow/runs/create", { body })).run.info;
  }

  /** A run with its latest params, metrics and tags. */
  async getRun(runId: string): Promise<Run> {
    return (await this.#request<{ run: Run }>("GET", "mlflow/runs/get", {
      query: { run_id: runId },
    }))
      .run;
  }

  /** Every value a metric took in a run (all steps). */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const got = await this.#request<{ metrics?: Metric[] }>("GET", "mlflow/metrics/get-history", {
      query: { run_id: runId, metric_key: key, max_results: 25000 },
    });
    return got.metrics ?? [];
  }

  /** Runs of experiments matching an MLflow filter string. */
  async searchRuns(
    o: { experimentIds: string[]; filter?: string; maxResults?: number },
  ): Promise<Run[]> {
    const body = {
      experiment_ids: o.experimentIds,
      filter: o.filter,
      max_results: o.maxResults ?? 1000,
    };
    return (await this.#request<{ runs?: Run[] }>("POST", "mlflow/runs/search", { body })).runs ??
      [];
  }

  /** Log params, metrics and tags, split into requests within {@linkcode BATCH_LIMITS}. */
  async logBatch(
    runId: string,
    batch: { params?: KeyValue[]; metrics?: Metric[]; tags?: KeyValue[] },
  ): Promise<void> {
    for (const kind of ["params", "tags", "metrics"] as const) {
      const items = batch[kind] ?? [];
      for (let i = 0; i < items.length; i += BATCH_LIMITS[kind]) {
        const body = { run_id: runId, [kind]: items.slice(i, i + BATCH_LIMITS[kind]) };
        await this.#request("POST", "mlflow/runs/log-batch", { body });
      }
    }
  }

  /** End (or rename) a run. */
  async updateRun(
    runId: string,
    o: { status: RunStatus; endTime?: number; runName?: string },
  ): Promise<void> {
    const ended = o.status !== "RUNNING" && o.status !== "SCHEDULED";
    const body = {
      run_id: runId,
      status: o.status,
      end_time: o.endTime ?? (ended ? Date.now() : undefined),
      run_name: o.runName,
    };
    await this.#request("POST", "mlflow/runs/update", { body });
  }

  /** Upload one file through the artifact proxy (`--serve-artifacts`). */
  async uploadArtifact(artifactUri: string, path: string, data: Uint8Array): Promise<void> {
    const endpoint = artifactEndpoint(artifactUri, path, this.#http.base);
    // Allow ~1 MB/s on top of the normal timeout for big files.
    const timeoutMs = this.#http.timeoutMs + data.byteLength / 1000;
    await this.#request("PUT", endpoint, { raw: data, timeoutMs });
  }

  /** Download one file through the artifact proxy. */
  async downloadArtifact(artifactUri: string, path: string): Promise<Uint8Array> {
    const endpoint = artifactEndpoint(artifactUri, path, this.#http.base);
    return await this.#request<Uint8Array>("GET", endpoint, { bytes: true });
  }

  /** Artifacts of a run under `path` (one level). */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const got = await this.#request<{ files?: FileInfo[] }>("GET", "mlflow/artifacts/list", {
      query: { run_id: runId, path },
    });
    return got.files ?? [];
  }

  /** A registered model, or undefined. */
  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const got = await this.#maybe<{ registered_model: RegisteredModel }>(
      "GET",
      "mlflow/registered-models/get",
      { query: { name } },
    );
    return got?.registered_model;
  }

  /** The registered model called `name`, created when missing. */
  async ensureRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    const found = await this.getRegisteredModel(name);
    if (found) return found;
    try {
      const body = { name, description };
      return (await this.#request<{ registered_model: RegisteredModel }>(
        "POST",
        "mlflow/registered-models/create",
        { body },
      )).registered_model;
    } catch (err) {
      if (!(err instanceof MlflowApiError && err.errorCode === "RESOURCE_ALREADY_EXISTS")) {
        throw err;
      }
      return (await this.getRegisteredModel(name))!;
    }
  }

  /** Register a new version of a model from the files at `source`. */
  async createModelVersion(
    o: { name: string; source: string; runId?: string; tags?: KeyValue[]; description?: string },
  ): Promise<ModelVersion> {
    const body = {
      name: o.name,
      source: o.source,
      run_id: o.runId,
      tags: o.tags,
      description: o.description,
    };
    return (await this.#request<{ model_version: ModelVersion }>(
      "POST",
      "mlflow/model-versions/create",
      { body },
    )).model_version;
  }

  /** One model version. */
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return (await this.#request<{ model_version: ModelVersion }>(
      "GET",
      "mlflow/model-versions/get",
      {
        query: { name, version },
      },
    )).model_version;
  }

  /** Set a tag on a model version. */
  async setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void> {
    const body = { name, version, key: tag.key, value: tag.value };
    await this.#request("POST", "mlflow/model-versions/set-tag", { body });
  }

  /** Point `alias` at `version` (moving it if it pointed elsewhere). */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    const body = { name, alias, version };
    await this.#request("POST", "mlflow/registered-models/alias", { body });
  }

  /** Remove an alias. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.#request("DELETE", "mlflow/registered-models/alias", { query: { name, alias } });
  }

  /** Move a version to a legacy stage (`Staging`, `Production`, `Archived`, `None`). */
  async transitionStage(
    o: { name: string; version: string; stage: string; archiveExisting?: boolean },
  ): Promise<ModelVersion> {
    const body = {
      name: o.name,
      version: o.version,
      stage: o.stage,
      archive_existing_versions: o.archiveExisting ?? false,
    };
    return (await this.#request<{ model_version: ModelVersion }>(
      "POST",
      "mlflow/model-versions/transition-stage",
      { body },
    )).model_version;
  }

  /** The latest version in each of `stages`. */
  async getLatestVersions(name: string, stages: string[]): Promise<ModelVersion[]> {
    const got = await this.#request<{ model_versions?: ModelVersion[] }>(
      "POST",
      "mlflow/registered-models/get-latest-versions",
      { body: { name, stages } },
    );
    return got.model_versions ?? [];
  }

  #request<T>(method: Method, endpoint: string, o: CallOptions = {}): Promise<T> {
    return mlflowRequest<T>(this.#http, method, endpoint, o);
  }

  /** Like #request, but RESOURCE_DOES_NOT_EXIST gives undefined. */
  async #maybe<T>(method: Method, endpoint: string, o: CallOptions): Promise<T | undefined> {
    try {
      return await this.#request<T>(method, endpoint, o);
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_DOES_NOT_EXIST") {
        return undefined;
      }
      throw err;
    }
  }
}

/**
 * The artifact-proxy endpoint of `path` inside a run whose `artifact_uri` is
 * `mlflow-artifacts:/<experiment>/<run>/artifacts` (or with a host, as
 * MLflow writes when the server has `--artifacts-destination` with a host):
 * `mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<path>`, each
 * segment URL-encoded. Another scheme means the server does not proxy
 * artifacts: a {@linkcode ServiceError}.
 *
 * @example
 * ```ts
 * import { artifactEndpoint } from "./client.ts";
 * artifactEndpoint("mlflow-artifacts:/1/abc/artifacts", "model/card.json", "http://h:5000");
 * // "mlflow-artifacts/artifacts/1/abc/artifacts/model/card.json"
 * ```
 */
export function artifactEndpoint(artifactUri: string, path: string, server: string): string {
  if (!artifactUri.startsWith("mlflow-artifacts:")) {
    throw new ServiceError(
      `MLflow at ${server} stores this run's artifacts at '${artifactUri}', not behind its artifact proxy`,
      { hint: "start the tracking server with --serve-artifacts (the default since MLflow 2.0)" },
    );
  }
  const root = new URL(artifactUri).pathname.replace(/^\/+|\/+$/g, "");
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.length === 0 || segments.includes("..")) {
    throw new RangeError(`bad artifact path '${path}'`);
  }
  const rootSegments = root.split("/").map(decodeURIComponent);
  return `mlflow-artifacts/artifacts/${
    [...rootSegments, ...segments].map(encodeURIComponent).join("/")
  }`;
}
