/**
 * What `deno task serve` and `deno task dashboard` share: the model loader
 * for `--model` (a folder, `s3://…` or `models:/name@alias`) and the life of
 * the server, from start to a graceful stop on SIGTERM/SIGINT.
 *
 * @module
 */
import { EXIT } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import { loadServedModel } from "../lib/serve/classes.ts";
import { parseModelSource, resolveModelSource } from "../lib/scoring/mod.ts";
import {
  localDirLoader,
  type ModelHolder,
  type ModelLoader,
  ModelWatcher,
  resolvingLoader,
  ServerHandle,
  type SwapTarget,
} from "../lib/serve/mod.ts";
import type { UrlChecker } from "../lib/url/url_checker.ts";

/**
 * The loader for `--model`: a local folder, or a remote source resolved again
 * at each poll (so a new release or a moved alias is swapped in).
 *
 * @example
 * ```ts ignore
 * const loader = modelLoader({ model: "artifacts/model", env, log });
 * ```
 */
export function modelLoader(o: {
  model: string;
  env: Record<string, string | undefined>;
  log: Logger;
}): ModelLoader {
  const load = (dir: string) => loadServedModel(dir, { log: o.log });
  if (parseModelSource(o.model).kind === "dir") return localDirLoader(o.model, load);
  const resolve = async (source: string) =>
    (await resolveModelSource(source, { env: o.env, log: o.log })).dir;
  return resolvingLoader(o.model, resolve, load);
}

/** Wait for SIGTERM or SIGINT; a second one exits at once. */
function nextSignal(log: Logger): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    let seen = false;
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(sig, () => {
        if (seen) {
          log.warn("second signal: exiting without waiting", { signal: sig });
          Deno.exit(EXIT.interrupted);
        }
        seen = true;
        resolve(sig);
      });
    }
  });
}

/** Options of {@linkcode serveUntilSignal}. */
export interface ServeUntilSignalOptions {
  /** The app's fetch handler. */
  fetch: (req: Request) => Response | Promise<Response>;
  /** Where to listen, the API key's presence, the reload interval and the request timeout. */
  config: {
    host: string;
    port: number;
    apiKey?: string;
    reloadSeconds: number;
    limits: { requestTimeoutMs: number };
  };
  /** The served model and how to load it again (polled every `reloadSeconds`). */
  models: ModelHolder;
  loader: ModelLoader;
  /** The URL model and its folder, polled the same way. */
  urlModel?: { holder: SwapTarget<UrlChecker>; loader: ModelLoader<UrlChecker> };
  log: Logger;
  /** Called at the first signal, before the server stops (mark draining, cancel work). */
  onStop?: () => void | Promise<void>;
  /** Requests being answered now, for the shutdown log line. */
  inFlight?: () => number;
}

/**
 * Start the server and the model watcher, wait for SIGTERM/SIGINT, then stop
 * both: in-flight requests get the request timeout to finish, plus a second.
 *
 * @example
 * ```ts ignore
 * await serveUntilSignal({ fetch: app.fetch, config, models, loader, log, onStop: () => {} });
 * ```
 */
export async function serveUntilSignal(o: ServeUntilSignalOptions): Promise<void> {
  const signal = nextSignal(o.log);
  const server = ServerHandle.start({
    fetch: o.fetch,
    hostname: o.config.host,
    port: o.config.port,
    auth: o.config.apiKey !== undefined,
    log: o.log,
  });
  const intervalMs = o.config.reloadSeconds * 1000;
  const watchers = intervalMs > 0
    ? [
      new ModelWatcher({ holder: o.models, loader: o.loader, intervalMs, log: o.log }),
      ...(o.urlModel ? [new ModelWatcher({ ...o.urlModel, intervalMs, log: o.log })] : []),
    ]
    : [];
  for (const w of watchers) w.start();
  const sig = await signal;
  o.log.info("shutting down: finishing in-flight requests", {
    signal: sig,
    ...(o.inFlight ? { in_flight: o.inFlight() } : {}),
  });
  await o.onStop?.();
  await Promise.all(watchers.map((w) => w.stop()));
  await server.shutdown({ graceMs: o.config.limits.requestTimeoutMs + 1000 });
}
