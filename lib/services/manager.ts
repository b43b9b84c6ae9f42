/**
 * Bring the test services up, down, and report their status. `up` installs
 * what is missing, starts each server on free loopback ports in its own
 * process group, waits until it answers at the protocol level and records it
 * in the state file; `up` when all are up and healthy does nothing. `down`
 * stops them (SIGTERM, then SIGKILL) and removes their data and the state.
 *
 * @module
 */
import { ServiceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { withFileLock } from "./_lock.ts";
import type { ServicesConfig } from "./config.ts";
import { SERVICE_ENV_VARS } from "./env.ts";
import type { InstallContext } from "./install.ts";
import { freePorts } from "./ports.ts";
import { commandLine, isAlive, logTailBlock, spawnLogged, stopProcessGroup } from "./process.ts";
import { ALL_SERVICES, type ServiceDef } from "./servers.ts";
import {
  readState,
  removeState,
  type ServiceName,
  type ServiceRecord,
  type ServicesState,
  writeState,
} from "./state.ts";
import { waitUntilReady } from "./wait.ts";

/** Options of {@linkcode servicesUp}, {@linkcode servicesDown} and {@linkcode servicesStatus}. */
export interface ManagerOptions {
  /** Resolved configuration. */
  config: ServicesConfig;
  /** Progress messages. */
  log: Logger;
  /** Which services (default: all three). */
  services?: readonly ServiceDef[];
  /** Aborts an `up` in progress; what it started is stopped again. */
  signal?: AbortSignal;
  /**
   * `servicesUp`: the pid of a test run that holds the services until it calls
   * {@linkcode servicesRelease}. Without it, the services are pinned: they stay
   * up until {@linkcode servicesDown}.
   */
  holder?: number;
}

/** What {@linkcode servicesUp} did. */
export interface UpResult {
  /** The state after `up`: every requested service, running and ready. */
  state: ServicesState;
  /** Services started by this call. */
  started: ServiceName[];
  /** Services that were already up and healthy. */
  reused: ServiceName[];
}

/**
 * Start every requested service that is not already up and healthy, and
 * register `options.holder` (or pin the services when there is none).
 *
 * @example
 * ```ts ignore
 * import { servicesConfigFromEnv, servicesUp } from "./mod.ts";
 * import { createLogger } from "../log.ts";
 * const config = servicesConfigFromEnv("/work/main", Deno.env.toObject());
 * const { state } = await servicesUp({ config, log: createLogger() });
 * ```
 */
export function servicesUp(options: ManagerOptions): Promise<UpResult> {
  const { config, log } = options;
  const defs = options.services ?? ALL_SERVICES;
  return withStateLock(options, async () => {
    const state: ServicesState = (await readState(config.stateDir)) ??
      { version: 1, services: {} };
    state.holders = (state.holders ?? []).filter(isAlive);
    const register = () => {
      if (options.holder === undefined) state.pinned = true;
      else state.holders!.push(options.holder);
    };
    const reused: ServiceName[] = [];
    const todo: ServiceDef[] = [];
    for (const def of defs) {
      const rec = state.services[def.name];
      if (rec && rec.ready && (await healthy(def, rec))) {
        reused.push(def.name);
        continue;
      }
      if (rec) {
        log.warn(`${def.name} is recorded but not healthy; restarting it`, { pid: rec.pid });
        await stopRecorded(rec, log);
        delete state.services[def.name];
      }
      todo.push(def);
    }
    if (todo.length === 0) {
      register();
      await saveState(config.stateDir, state);
      return { state, started: [], reused };
    }
    await saveState(config.stateDir, state);

    const started: ServiceRecord[] = [];
    try {
      const exes = await installAll(todo, {
        toolCache: config.toolCache,
        logDir: config.stateDir,
        go: config.go,
        python: config.python,
        log,
        signal: options.signal,
      });
      for (const def of todo) {
        const rec = await start(def, exes.get(def.name)!, config);
        started.push(rec);
        state.services[def.name] = rec;
        await saveState(config.stateDir, state); // recorded before waiting: `down` can stop it
      }
      const results = await Promise.allSettled(started.map(async (rec) => {
        const def = todo.find((d) => d.name === rec.name)!;
        await ready(def, rec, options.signal);
        rec.ready = true;
        log.debug(`${def.name} is up`, { server: def.server, url: rec.url, pid: rec.pid });
      }));
      const failures = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
      if (failures.length > 0) throw combine(failures);
      register();
      await saveState(config.stateDir, state);
    } catch (err) {
      for (const rec of started) {
        await stopRecorded(rec, log);
        delete state.services[rec.name];
      }
      await saveState(config.stateDir, state);
      throw err;
    }
    return { state, started: started.map((r) => r.name), reused };
  });
}

/**
 * Unregister the test run `holder`; when no live holder is left and the
 * services are not pinned, stop them all (as {@linkcode servicesDown}).
 * Returns the names of the services it stopped.
 *
 * @example
 * ```ts ignore
 * import { servicesConfigFromEnv, servicesRelease, servicesUp } from "./mod.ts";
 * import { createLogger } from "../log.ts";
 * const options = { config: servicesConfigFromEnv("/work/main", Deno.env.toObject()), log: createLogger() };
 * await servicesUp({ ...options, holder: Deno.pid });
 * await servicesRelease({ ...options, holder: Deno.pid });
 * ```
 */
export function servicesRelease(
  options: ManagerOptions & { holder: number },
): Promise<ServiceName[]> {
  return withStateLock(options, async () => {
    const state = await readState(options.config.stateDir);
    if (!state) return [];
    state.holders = (state.holders ?? []).filter((p) => p !== options.holder && isAlive(p));
    if (state.holders.length > 0 || state.pinned) {
      options.log.info("test services stay up", {
        pinned: state.pinned || undefined,
        usedBy: state.holders.length ? state.holders.join(",") : undefined,
      });
      await saveState(options.config.stateDir, state);
      return [];
    }
    return await stopAll(state, Object.keys(state.services) as ServiceName[], options);
  });
}

/**
 * Stop the recorded services (all, or `options.services`), whoever holds
 * them, and remove their data; the state file goes with the last one.
 * Returns the names of the services it stopped.
 *
 * @example
 * ```ts ignore
 * import { servicesConfigFromEnv, servicesDown } from "./mod.ts";
 * import { createLogger } from "../log.ts";
 * await servicesDown({ config: servicesConfigFromEnv("/work/main", Deno.env.toObject()), log: createLogger() });
 * ```
 */
export function servicesDown(options: ManagerOptions): Promise<ServiceName[]> {
  return withStateLock(options, async () => {
    const state = await readState(options.config.stateDir);
    const names = (options.services ?? ALL_SERVICES).map((d) => d.name);
    return state ? await stopAll(state, names, options) : [];
  });
}

async function stopAll(
  state: ServicesState,
  names: readonly ServiceName[],
  options: ManagerOptions,
): Promise<ServiceName[]> {
  const stopped: ServiceName[] = [];
  for (const name of names) {
    const rec = state.services[name];
    if (!rec) continue;
    await stopRecorded(rec, options.log);
    delete state.services[name];
    stopped.push(name);
  }
  await saveState(options.config.stateDir, state);
  return stopped;
}

/** One line of {@linkcode servicesStatus}. */
export interface ServiceStatus {
  /** Service name. */
  name: ServiceName;
  /** `up` (answers its probe), `unhealthy` (runs, does not answer), `down`. */
  status: "up" | "unhealthy" | "down";
  /** The recorded server, when there is one. */
  record?: ServiceRecord;
}

/**
 * Check each service: running and answering its readiness probe?
 *
 * @example
 * ```ts ignore
 * import { servicesConfigFromEnv, servicesStatus } from "./mod.ts";
 * import { createLogger } from "../log.ts";
 * const config = servicesConfigFromEnv("/work/main", Deno.env.toObject());
 * for (const s of await servicesStatus({ config, log: createLogger() })) console.log(s.name, s.status);
 * ```
 */
export async function servicesStatus(options: ManagerOptions): Promise<ServiceStatus[]> {
  const state = await readState(options.config.stateDir);
  return await Promise.all((options.services ?? ALL_SERVICES).map(async (def) => {
    const record = state?.services[def.name];
    if (!record || !ownsPid(record)) return { name: def.name, status: "down" as const, record };
    const ok = record.ready && await healthy(def, record);
    return { name: def.name, status: ok ? "up" as const : "unhealthy" as const, record };
  }));
}

/**
 * The environment variables that point clients at the recorded services.
 *
 * @example
 * ```ts ignore
 * import { serviceEnvVars } from "./manager.ts";
 * serviceEnvVars(state).MONGODB_URI; // "mongodb://127.0.0.1:40123/?directConnection=true"
 * ```
 */
export function serviceEnvVars(
  state: ServicesState,
  services: readonly ServiceDef[] = ALL_SERVICES,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const def of services) {
    const rec = state.services[def.name];
    if (rec?.ready) Object.assign(vars, def.env(rec));
  }
  const rank = (k: string) => {
    const i = (SERVICE_ENV_VARS as readonly string[]).indexOf(k);
    return i < 0 ? SERVICE_ENV_VARS.length : i;
  };
  return Object.fromEntries(Object.entries(vars).sort(([a], [b]) => rank(a) - rank(b)));
}

/** Write the state, or remove the file when no service is recorded any more. */
async function saveState(stateDir: string, state: ServicesState): Promise<void> {
  if (Object.keys(state.services).length === 0) await removeState(stateDir);
  else await writeState(stateDir, state);
}

function withStateLock<T>(options: ManagerOptions, fn: () => Promise<T>): Promise<T> {
  return Deno.mkdir(options.config.stateDir, { recursive: true }).then(() =>
    withFileLock(`${options.config.stateDir}/lock`, {
      log: options.log,
      what: "the test services of this workspace",
      timeoutMs: 40 * 60_000,
      signal: options.signal,
    }, fn)
  );
}

async function installAll(
  defs: ServiceDef[],
  ctx: InstallContext,
): Promise<Map<ServiceName, string>> {
  // Go builds are CPU-bound: one at a time. The pip install (network-bound) runs beside them.
  // When one fails, the others are aborted and awaited, so no installer outlives this call.
  const failed = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, failed.signal]) : failed.signal;
  const exes = new Map<ServiceName, string>();
  const install = async (def: ServiceDef) => {
    if (signal.aborted) throw signal.reason;
    try {
      exes.set(def.name, await def.install({ ...ctx, signal }));
    } catch (err) {
      failed.abort(err);
      throw err;
    }
  };
  const goDefs = defs.filter((d) => d.name !== "mlflow");
  const results = await Promise.allSettled([
    (async () => {
      for (const def of goDefs) await install(def);
    })(),
    ...defs.filter((d) => d.name === "mlflow").map(install),
  ]);
  const failures = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
  if (failures.length > 0) throw failed.signal.aborted ? failed.signal.reason : combine(failures);
  return exes;
}

async function start(def: ServiceDef, exe: string, config: ServicesConfig): Promise<ServiceRecord> {
  const dataDir = `${config.stateDir}/${def.name}-data`;
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dataDir, { recursive: true });
  const logFile = `${config.stateDir}/${def.name}.log`;
  await Deno.writeTextFile(logFile, `# ${new Date().toISOString()} starting ${def.server}\n`);
  const numbers = freePorts(def.portNames.length);
  const ports = Object.fromEntries(def.portNames.map((n, i) => [n, numbers[i]]));
  const { args, env } = def.launch(exe, ports, dataDir);
  const child = spawnLogged({ cmd: exe, args, env, cwd: dataDir, logFile, detached: true });
  child.unref();
  return {
    name: def.name,
    server: def.server,
    pid: child.pid,
    exe,
    ports,
    url: def.url(ports),
    logFile,
    dataDir,
    startedAt: new Date().toISOString(),
    ready: false,
  };
}

async function ready(def: ServiceDef, rec: ServiceRecord, signal?: AbortSignal): Promise<void> {
  const label = `${def.name} (${def.server}, pid ${rec.pid}, ${rec.url})`;
  const details = () => logTailBlock(rec.logFile);
  const deadline = AbortSignal.timeout(def.readyTimeoutMs);
  await waitUntilReady({
    service: label,
    probe: (s) => def.probe(rec, s),
    timeoutMs: def.readyTimeoutMs,
    alive: () => isAlive(rec.pid),
    details,
    signal,
  });
  if (def.prepare) {
    try {
      await def.prepare(rec, signal ? AbortSignal.any([signal, deadline]) : deadline);
    } catch (err) {
      throw new ServiceError(`${label}: setup failed: ${(err as Error).message}\n${details()}`, {
        cause: err,
      });
    }
  }
}

async function healthy(def: ServiceDef, rec: ServiceRecord): Promise<boolean> {
  if (!ownsPid(rec)) return false;
  try {
    await def.probe(rec, AbortSignal.timeout(5000));
    return true;
  } catch {
    return false;
  }
}

/** Whether the recorded pid is alive and still runs the recorded executable. */
function ownsPid(rec: ServiceRecord): boolean {
  return isAlive(rec.pid) && (commandLine(rec.pid)?.includes(rec.exe) ?? false);
}

async function stopRecorded(rec: ServiceRecord, log: Logger): Promise<void> {
  if (isAlive(rec.pid) && !ownsPid(rec)) {
    log.warn(`${rec.name}: pid ${rec.pid} now runs something else; not signalling it`, {
      cmdline: commandLine(rec.pid),
    });
  } else {
    const how = await stopProcessGroup(rec.pid, { graceMs: 5000 });
    if (how === "kill") log.warn(`${rec.name} ignored SIGTERM; killed`, { pid: rec.pid });
    log.debug(`stopped ${rec.name}`, { pid: rec.pid, how });
  }
  await Deno.remove(rec.dataDir, { recursive: true }).catch(() => {});
}

function combine(errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const message = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n\n");
  return new ServiceError(`${errors.length} services failed to start:\n${message}`, {
    cause: errors[0],
  });
}
