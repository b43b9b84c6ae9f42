/**
 * The state file of the running test services,
 * `.cache/services/state.json`: for each service its pid, ports, URL,
 * executable, log and data directory. Written atomically; a missing file
 * means "nothing is up" (a return value, not an error).
 *
 * @module
 */
import { CacheError } from "../errors.ts";

/** Names of the test services (also the keys of the state file). */
export type ServiceName = "s3" | "mongodb" | "mlflow";

/** One started server, as recorded in the state file. */
export interface ServiceRecord {
  /** Service name. */
  name: ServiceName;
  /** Server program and version, e.g. `MinIO v0.0.0-2026…`. */
  server: string;
  /** Pid of the server, also its process group id. */
  pid: number;
  /** Executable the pid must be running (checked before signalling it). */
  exe: string;
  /** Named loopback ports, e.g. `{ api: 41234, console: 41235 }`. */
  ports: Record<string, number>;
  /** Base URL the clients use. */
  url: string;
  /** Log file (stdout and stderr). */
  logFile: string;
  /** Data directory, removed by `down`. */
  dataDir: string;
  /** ISO time it was started. */
  startedAt: string;
  /** Whether it answered its readiness check. */
  ready: boolean;
}

/** Contents of the state file. */
export interface ServicesState {
  /** Format version. */
  version: 1;
  /** The started services by name. */
  services: Partial<Record<ServiceName, ServiceRecord>>;
  /** Pids of the test runs using the services; the last one to leave stops them. */
  holders?: number[];
  /** Brought up by hand (`services up`): stay up until `services down`. */
  pinned?: boolean;
}

/**
 * Path of the state file in `stateDir`.
 *
 * @example
 * ```ts
 * import { statePath } from "./state.ts";
 * statePath("/w/.cache/services"); // "/w/.cache/services/state.json"
 * ```
 */
export function statePath(stateDir: string): string {
  return `${stateDir}/state.json`;
}

/**
 * Read the state file; `undefined` when there is none.
 *
 * @example
 * ```ts ignore
 * import { readState } from "./state.ts";
 * const state = await readState(".cache/services");
 * ```
 */
export async function readState(stateDir: string): Promise<ServicesState | undefined> {
  const file = statePath(stateDir);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  try {
    const state = JSON.parse(text) as ServicesState;
    if (state.version !== 1 || typeof state.services !== "object" || state.services === null) {
      throw new Error(`unknown format version ${state.version}`);
    }
    return state;
  } catch (err) {
    throw new CacheError(`services state file is unreadable: ${(err as Error).message}`, {
      file,
      cause: err,
      hint: "stop the servers it names by hand if they still run, then delete the file",
    });
  }
}

/**
 * Write the state file atomically (temporary file, then rename).
 *
 * @example
 * ```ts ignore
 * import { writeState } from "./state.ts";
 * await writeState(".cache/services", { version: 1, services: {} });
 * ```
 */
export async function writeState(stateDir: string, state: ServicesState): Promise<void> {
  await Deno.mkdir(stateDir, { recursive: true });
  const file = statePath(stateDir);
  const tmp = `${file}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(state, null, 2) + "\n");
  await Deno.rename(tmp, file);
}

/**
 * Delete the state file if it exists.
 *
 * @example
 * ```ts ignore
 * import { removeState } from "./state.ts";
 * await removeState(".cache/services");
 * ```
 */
export async function removeState(stateDir: string): Promise<void> {
  await Deno.remove(statePath(stateDir)).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}
