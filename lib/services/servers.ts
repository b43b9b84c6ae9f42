/**
 * The three test servers: how each is installed, started, probed for
 * readiness at the protocol level, prepared, and which environment variables
 * point the tests at it.
 *
 * - `s3`: MinIO, built from source with Go; readiness is
 *   `GET /minio/health/live` and then an authenticated S3 `ListBuckets`.
 * - `mongodb`: FerretDB 1.x on its embedded SQLite backend, built with Go;
 *   readiness is a MongoDB `ping` through npm:mongodb.
 * - `mlflow`: the MLflow tracking server (SQLite backend store, so the model
 *   registry works, and the artifact proxy) from PyPI in a venv; readiness is
 *   `GET /health` and then `experiments/get-by-name`.
 *
 * @module
 */
import { goBuild, type InstallContext, pipVenv } from "./install.ts";
import { LOOPBACK } from "./ports.ts";
import type { ServiceName, ServiceRecord } from "./state.ts";

/** How to start a server (see {@linkcode ServiceDef.launch}). */
export interface Launch {
  /** Arguments after the executable. */
  args: string[];
  /** Extra environment variables. */
  env: Record<string, string>;
}

/** Everything the manager needs to know about one kind of test server. */
export interface ServiceDef {
  /** Service name. */
  name: ServiceName;
  /** Server program and version, for messages and the state file. */
  server: string;
  /** Names of the loopback ports it needs; the first serves the clients. */
  portNames: string[];
  /** Overall readiness limit in milliseconds. */
  readyTimeoutMs: number;
  /** Install where missing; return the executable. */
  install(ctx: InstallContext): Promise<string>;
  /** Arguments and environment for `exe`. */
  launch(exe: string, ports: Record<string, number>, dataDir: string): Launch;
  /** The URL clients use. */
  url(ports: Record<string, number>): string;
  /** One readiness attempt at the protocol level; throws when not ready. */
  probe(rec: ServiceRecord, signal: AbortSignal): Promise<void>;
  /** One-time setup once ready (e.g. the test bucket). */
  prepare?(rec: ServiceRecord, signal: AbortSignal): Promise<void>;
  /** Environment variables that point clients at it. */
  env(rec: ServiceRecord): Record<string, string>;
}

/** Test credentials of the S3 server (loopback only, throwaway data). */
export const S3_TEST_CREDENTIALS = {
  accessKeyId: "threatline",
  secretAccessKey: "threatline-test-secret",
  region: "us-east-1",
  bucket: "threatline-test",
} as const;

/** Pinned MinIO: the last commit of github.com/minio/minio (2026-02-12); builds with Go 1.26. */
export const MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c";
/** Pinned FerretDB: the latest 1.x release (SQLite backend). */
export const FERRETDB_VERSION = "v1.24.2";
/** Pinned MLflow (3.18.0 is listed on PyPI but its mlflow-skinny 3.18.0 is not served here). */
export const MLFLOW_VERSION = "3.17.2";

/** Per-attempt limit of one readiness request. */
const ATTEMPT_MS = 3000;

function attemptSignal(signal: AbortSignal): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_MS)]);
}

async function httpGetOk(url: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(url, { signal: attemptSignal(signal) });
  const body = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${body.slice(0, 200)}`);
  return body;
}

/** S3 on MinIO. */
export const s3Service: ServiceDef = {
  name: "s3",
  server: `MinIO ${MINIO_VERSION}`,
  portNames: ["api", "console"],
  readyTimeoutMs: 30_000,
  install: (ctx) =>
    goBuild(
      { name: "minio", module: "github.com/minio/minio", version: MINIO_VERSION, pkg: "." },
      ctx,
    ),
  launch: (_exe, ports, dataDir) => ({
    args: [
      "server",
      `${dataDir}/data`,
      "--address",
      `${LOOPBACK}:${ports.api}`,
      "--console-address",
      `${LOOPBACK}:${ports.console}`,
    ],
    env: {
      MINIO_ROOT_USER: S3_TEST_CREDENTIALS.accessKeyId,
      MINIO_ROOT_PASSWORD: S3_TEST_CREDENTIALS.secretAccessKey,
      MINIO_UPDATE: "off",
      MINIO_CALLHOME_ENABLE: "off",
    },
  }),
  url: (ports) => `http://${LOOPBACK}:${ports.api}`,
  async probe(rec, signal) {
    await httpGetOk(`${rec.url}/minio/health/live`, signal);
    await withS3(rec, async (s3, sdk) => {
      await s3.send(new sdk.ListBucketsCommand({}), { abortSignal: attemptSignal(signal) });
    });
  },
  async prepare(rec, signal) {
    await withS3(rec, async (s3, sdk) => {
      const Bucket = S3_TEST_CREDENTIALS.bucket;
      try {
        await s3.send(new sdk.CreateBucketCommand({ Bucket }), { abortSignal: signal });
      } catch (err) {
        if ((err as Error).name !== "BucketAlreadyOwnedByYou") throw err;
      }
      await s3.send(new sdk.HeadBucketCommand({ Bucket }), { abortSignal: signal });
    });
  },
  env: (rec) => ({
    S3_ENDPOINT_URL: rec.url,
    AWS_ENDPOINT_URL_S3: rec.url,
    AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: S3_TEST_CREDENTIALS.region,
    THREATLINE_TEST_BUCKET: S3_TEST_CREDENTIALS.bucket,
  }),
};

async function withS3(
  rec: ServiceRecord,
  fn: (
    s3: import("@aws-sdk/client-s3").S3Client,
    sdk: typeof import("@aws-sdk/client-s3"),
  ) => Promise<void>,
): Promise<void> {
  const sdk = await import("@aws-sdk/client-s3");
  const s3 = new sdk.S3Client({
    endpoint: rec.url,
    region: S3_TEST_CREDENTIALS.region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: {
      accessKeyId: S3_TEST_CREDENTIALS.accessKeyId,
      secretAccessKey: S3_TEST_CREDENTIALS.secretAccessKey,
    },
  });
  try {
    await fn(s3, sdk);
  } finally {
    s3.destroy();
  }
}

/** MongoDB wire protocol on FerretDB 1.x with its embedded SQLite backend. */
export const mongodbService: ServiceDef = {
  name: "mongodb",
  server: `FerretDB ${FERRETDB_VERSION} (SQLite backend)`,
  portNames: ["listen"],
  readyTimeoutMs: 30_000,
  install: (ctx) =>
    goBuild({
      name: "ferretdb",
      module: "github.com/FerretDB/FerretDB",
      version: FERRETDB_VERSION,
      pkg: "./cmd/ferretdb",
      // Its release build generates this file; without it the binary panics at start.
      files: { "build/version/version.txt": `${FERRETDB_VERSION}\n` },
    }, ctx),
  launch: (_exe, ports, dataDir) => ({
    args: [
      "--handler=sqlite",
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      `--listen-addr=${LOOPBACK}:${ports.listen}`,
      "--debug-addr=-",
      "--telemetry=disable",
      "--log-format=text",
    ],
    env: {},
  }),
  url: (ports) => `mongodb://${LOOPBACK}:${ports.listen}/?directConnection=true`,
  async probe(rec, signal) {
    const { MongoClient } = await import("mongodb");
    const client = new MongoClient(rec.url, {
      serverSelectionTimeoutMS: ATTEMPT_MS,
      connectTimeoutMS: ATTEMPT_MS,
    });
    const onAbort = () => client.close(true);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const res = await client.db("admin").command({ ping: 1 });
      if (res.ok !== 1) throw new Error(`ping answered ${JSON.stringify(res)}`);
    } finally {
      signal.removeEventListener("abort", onAbort);
      await client.close();
    }
  },
  env: (rec) => ({ MONGODB_URI: rec.url }),
};

/** The MLflow tracking server with the model registry and the artifact proxy. */
export const mlflowService: ServiceDef = {
  name: "mlflow",
  server: `MLflow ${MLFLOW_VERSION}`,
  portNames: ["http"],
  readyTimeoutMs: 90_000,
  install: async (ctx) => {
    const venv = await pipVenv({ name: "mlflow", version: MLFLOW_VERSION }, ctx);
    return `${venv}/bin/mlflow`;
  },
  launch: (_exe, ports, dataDir) => ({
    args: [
      "server",
      "--backend-store-uri",
      `sqlite:///${dataDir}/mlflow.db`,
      "--artifacts-destination",
      `${dataDir}/artifacts`,
      "--serve-artifacts",
      "--host",
      LOOPBACK,
      "--port",
      String(ports.http),
      "--workers",
      "1",
    ],
    env: {
      MLFLOW_DISABLE_TELEMETRY: "true",
      DO_NOT_TRACK: "true",
      // Background job runners (GenAI features) are not needed: two processes instead of nine.
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
      PYTHONUNBUFFERED: "1",
    },
  }),
  url: (ports) => `http://${LOOPBACK}:${ports.http}`,
  async probe(rec, signal) {
    await httpGetOk(`${rec.url}/health`, signal);
    const body = await httpGetOk(
      `${rec.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`,
      signal,
    );
    if (!JSON.parse(body)?.experiment?.experiment_id) {
      throw new Error(`experiments/get-by-name answered ${body.slice(0, 200)}`);
    }
  },
  env: (rec) => ({ MLFLOW_TRACKING_URI: rec.url }),
};

/**
 * All test services, in start order.
 *
 * @example
 * ```ts
 * import { ALL_SERVICES } from "./servers.ts";
 * ALL_SERVICES.map((s) => s.name); // ["s3", "mongodb", "mlflow"]
 * ```
 */
export const ALL_SERVICES: readonly ServiceDef[] = [s3Service, mongodbService, mlflowService];
