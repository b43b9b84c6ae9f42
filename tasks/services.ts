/**
 * `deno task services up|down|status|env [NAME…]`: the test services
 * (MinIO for S3, FerretDB for MongoDB, MLflow) on free loopback ports.
 *
 * - `up`     install where missing, start, wait until each answers; a no-op
 *            when all are up and healthy. Prints what is up.
 * - `down`   stop them (SIGTERM, then SIGKILL) and remove their data and state.
 * - `status` show each one; exit 0 when all are up and healthy, 1 otherwise.
 * - `env`    print `export VAR=…` lines: `eval "$(deno task -q services env)"`.
 *
 * NAMEs (`s3`, `mongodb`, `mlflow`) restrict the command to those services.
 * State, logs and data: `.cache/services/`; installed servers: the tool cache
 * (`$THREATLINE_TOOL_CACHE`, default `~/.cache/threatline`).
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { wantsHelp } from "../lib/args.ts";
import { ConfigError, EXIT, HelpRequested, InterruptedError, ServiceError } from "../lib/errors.ts";
import {
  ALL_SERVICES,
  defaultWorkspace,
  readState,
  type ServiceDef,
  serviceEnvVars,
  servicesConfigFromEnv,
  servicesDown,
  servicesStatus,
  servicesUp,
  shellExports,
} from "../lib/services/mod.ts";

const USAGE = "deno task services up|down|status|env [s3|mongodb|mlflow …]";

/**
 * Pick the services named on the command line (all when none is named).
 *
 * @example
 * ```ts ignore
 * selectServices(["s3"]); // [s3Service]
 * ```
 */
export function selectServices(names: string[]): ServiceDef[] {
  if (names.length === 0) return [...ALL_SERVICES];
  return names.map((name) => {
    const def = ALL_SERVICES.find((d) => d.name === name);
    if (!def) {
      throw new ConfigError(`unknown service '${name}'`, {
        hint: `known: ${ALL_SERVICES.map((d) => d.name).join(", ")}`,
      });
    }
    return def;
  });
}

if (import.meta.main) {
  await runMain(async ({ args, log }) => {
    if (wantsHelp(args)) throw new HelpRequested(USAGE);
    const [command, ...names] = args;
    const services = selectServices(names);
    const config = servicesConfigFromEnv(defaultWorkspace(), Deno.env.toObject());
    switch (command) {
      case "up": {
        const abort = new AbortController();
        const onSignal = () => abort.abort(new InterruptedError("SIGINT"));
        Deno.addSignalListener("SIGINT", onSignal);
        try {
          const started = Date.now();
          const { state, started: fresh } = await servicesUp({
            config,
            log,
            services,
            signal: abort.signal,
          });
          for (const def of services) {
            const rec = state.services[def.name]!;
            console.log(
              `${def.name.padEnd(8)} ${rec.url.padEnd(52)} pid ${rec.pid}  ${def.server}`,
            );
          }
          log.info(fresh.length ? "services up" : "services were already up", {
            started: fresh.join(",") || undefined,
            seconds: (Date.now() - started) / 1000,
          });
        } catch (err) {
          if (abort.signal.aborted) throw abort.signal.reason;
          throw err;
        } finally {
          Deno.removeSignalListener("SIGINT", onSignal);
        }
        return EXIT.ok;
      }
      case "down": {
        const stopped = await servicesDown({ config, log, services });
        log.info(stopped.length ? "services down" : "no services were up", {
          stopped: stopped.join(",") || undefined,
        });
        return EXIT.ok;
      }
      case "status": {
        const statuses = await servicesStatus({ config, log, services });
        for (const s of statuses) {
          const rec = s.record;
          console.log(
            `${s.name.padEnd(8)} ${s.status.padEnd(10)}` +
              (rec ? ` ${rec.url.padEnd(52)} pid ${rec.pid}  log ${rec.logFile}` : ""),
          );
        }
        return statuses.every((s) => s.status === "up") ? EXIT.ok : EXIT.stale;
      }
      case "env": {
        const state = await readState(config.stateDir);
        const vars = state ? serviceEnvVars(state, services) : {};
        if (Object.keys(vars).length === 0) {
          throw new ServiceError("the test services are not up", {
            hint: "run 'deno task services up' first",
          });
        }
        console.log(shellExports(vars));
        return EXIT.ok;
      }
      default:
        throw new ConfigError(command ? `unknown command '${command}'` : "missing command", {
          hint: `usage: ${USAGE}`,
        });
    }
  });
}
