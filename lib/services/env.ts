/**
 * The environment variables that point code and tests at the test services,
 * read once into a typed object by {@linkcode servicesFromEnv}, and a gate
 * for tests that need a service: skip when it is not configured, unless
 * `THREATLINE_REQUIRE_SERVICES=1` (set by `deno task test`), then fail.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";

/** Names of the variables, in the order `services env` prints them. */
export const SERVICE_ENV_VARS = [
  "MONGODB_URI",
  "S3_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_REGION",
  "THREATLINE_TEST_BUCKET",
  "MLFLOW_TRACKING_URI",
] as const;

/** The variable that turns a missing service into a test failure. */
export const REQUIRE_SERVICES_VAR = "THREATLINE_REQUIRE_SERVICES";

/** Addresses and credentials of the test services; a field is undefined when not set. */
export interface ServicesEnv {
  /** `MONGODB_URI`. */
  mongodbUri?: string;
  /** `S3_ENDPOINT_URL`, else `AWS_ENDPOINT_URL_S3`. */
  s3EndpointUrl?: string;
  /** `AWS_ACCESS_KEY_ID`. */
  awsAccessKeyId?: string;
  /** `AWS_SECRET_ACCESS_KEY`. */
  awsSecretAccessKey?: string;
  /** `AWS_REGION`. */
  awsRegion?: string;
  /** `THREATLINE_TEST_BUCKET`. */
  testBucket?: string;
  /** `MLFLOW_TRACKING_URI`. */
  mlflowTrackingUri?: string;
  /** `THREATLINE_REQUIRE_SERVICES=1`: tests must fail, not skip, when a service is missing. */
  requireServices: boolean;
}

/**
 * Read the service variables (default: from the process environment; needs
 * `--allow-env`). Empty values count as unset.
 *
 * @example
 * ```ts
 * import { servicesFromEnv } from "./env.ts";
 * const env = servicesFromEnv({ MONGODB_URI: "mongodb://127.0.0.1:27017/" });
 * env.mongodbUri; // "mongodb://127.0.0.1:27017/"
 * env.mlflowTrackingUri; // undefined
 * ```
 */
export function servicesFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ServicesEnv {
  const get = (name: string) => (env[name] ? env[name] : undefined);
  return {
    mongodbUri: get("MONGODB_URI"),
    s3EndpointUrl: get("S3_ENDPOINT_URL") ?? get("AWS_ENDPOINT_URL_S3"),
    awsAccessKeyId: get("AWS_ACCESS_KEY_ID"),
    awsSecretAccessKey: get("AWS_SECRET_ACCESS_KEY"),
    awsRegion: get("AWS_REGION"),
    testBucket: get("THREATLINE_TEST_BUCKET"),
    mlflowTrackingUri: get("MLFLOW_TRACKING_URI"),
    requireServices: ["1", "true", "yes"].includes((env[REQUIRE_SERVICES_VAR] ?? "").toLowerCase()),
  };
}

/** What {@linkcode serviceGate} returns. */
export interface ServiceGate {
  /** Pass as `Deno.test({ ignore })`: missing variables and not required. */
  ignore: boolean;
  /** Names of the missing variables. */
  missing: string[];
  /** Suffix for the test name that says when it is skipped. */
  label: string;
  /** Call first in the test: throws a {@linkcode ServiceError} naming what is missing. */
  check(): void;
}

/**
 * Gate a test on service variables: `ignore` when any is missing and
 * services are not required; when they are required (`deno task test`), the
 * test runs and `check()` fails it with the missing names.
 *
 * @example
 * ```ts ignore
 * import { serviceGate, servicesFromEnv } from "./env.ts";
 * const env = servicesFromEnv();
 * const gate = serviceGate(env, { MONGODB_URI: env.mongodbUri });
 * Deno.test({ name: `mongodb roundtrip ${gate.label}`, ignore: gate.ignore, fn: () => gate.check() });
 * ```
 */
export function serviceGate(
  env: Pick<ServicesEnv, "requireServices">,
  vars: Record<string, string | undefined>,
): ServiceGate {
  const missing = Object.entries(vars).filter(([, v]) => !v).map(([k]) => k);
  const first = Object.keys(vars)[0] ?? "its variables";
  return {
    ignore: missing.length > 0 && !env.requireServices,
    missing,
    label: `(needs ${first}; skipped without it unless ${REQUIRE_SERVICES_VAR}=1)`,
    check() {
      if (missing.length === 0) return;
      throw new ServiceError(
        `${REQUIRE_SERVICES_VAR}=1 but ${missing.join(", ")} ${
          missing.length === 1 ? "is" : "are"
        } not set`,
        {
          field: missing[0],
          hint: "run the tests through 'deno task test', which starts the services and sets them",
        },
      );
    },
  };
}

/**
 * Format variables as POSIX shell `export NAME='value'` lines.
 *
 * @example
 * ```ts
 * import { shellExports } from "./env.ts";
 * shellExports({ AWS_REGION: "us-east-1" }); // "export AWS_REGION='us-east-1'"
 * ```
 */
export function shellExports(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `export ${k}='${v.replaceAll("'", `'\\''`)}'`)
    .join("\n");
}
