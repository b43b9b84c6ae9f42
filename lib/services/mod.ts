/**
 * Test services: real MinIO (S3), FerretDB (MongoDB wire protocol) and MLflow
 * servers on loopback for integration tests. `tasks/services.ts` and
 * `tasks/test.ts` drive them; tests read their addresses with
 * {@linkcode servicesFromEnv} and gate on them with {@linkcode serviceGate}.
 *
 * @example
 * ```ts ignore
 * import { serviceGate, servicesFromEnv } from "../lib/services/mod.ts";
 * const env = servicesFromEnv();
 * const mongo = serviceGate(env, { MONGODB_URI: env.mongodbUri });
 * Deno.test({ name: `mongodb works ${mongo.label}`, ignore: mongo.ignore, fn() { mongo.check(); } });
 * ```
 *
 * @module
 */
export { defaultWorkspace, type ServicesConfig, servicesConfigFromEnv } from "./config.ts";
export {
  REQUIRE_SERVICES_VAR,
  SERVICE_ENV_VARS,
  type ServiceGate,
  serviceGate,
  type ServicesEnv,
  servicesFromEnv,
  shellExports,
} from "./env.ts";
export {
  type ManagerOptions,
  serviceEnvVars,
  servicesDown,
  servicesRelease,
  servicesStatus,
  type ServiceStatus,
  servicesUp,
  type UpResult,
} from "./manager.ts";
export {
  ALL_SERVICES,
  FERRETDB_VERSION,
  MINIO_VERSION,
  MLFLOW_VERSION,
  S3_TEST_CREDENTIALS,
  type ServiceDef,
} from "./servers.ts";
export { readState, type ServiceName, type ServiceRecord, type ServicesState } from "./state.ts";
