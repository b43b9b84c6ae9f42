/**
 * `deno task test [--no-services] [deno test args…]`: bring the test services
 * up (installing what is missing), run `deno test --allow-all --quiet …` with
 * their variables and `THREATLINE_REQUIRE_SERVICES=1` (a missing service then
 * fails its tests instead of skipping them), stop the services again, even
 * on failure or Ctrl-C, and exit with deno test's exit code.
 *
 * Services already up are reused. Each run registers its pid in the state
 * file; the last run to finish stops the services, unless they were brought
 * up by hand (`deno task services up`: they stay up until `services down`).
 * So two runs in one workspace at once share the servers safely.
 *
 * `--no-services` (or `THREATLINE_NO_SERVICES=1`) runs the tests without
 * starting anything: a quick unit-only run in which the service tests are
 * reported as ignored.
 *
 * @module
 */
import { runMain } from "../lib/cli.ts";
import { EXIT, HelpRequested, InterruptedError } from "../lib/errors.ts";
import { wantsHelp } from "../lib/args.ts";
import type { Logger } from "../lib/log.ts";
import {
  ALL_SERVICES,
  defaultWorkspace,
  REQUIRE_SERVICES_VAR,
  serviceEnvVars,
  servicesConfigFromEnv,
  servicesRelease,
  servicesUp,
} from "../lib/services/mod.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Split this task's own flag from the arguments passed on to `deno test`.
 *
 * @example
 * ```ts ignore
 * splitArgs(["--no-services", "lib/s3/"], {}); // { services: false, testArgs: ["lib/s3/"] }
 * ```
 */
export function splitArgs(
  args: string[],
  env: Record<string, string | undefined>,
): { services: boolean; testArgs: string[] } {
  const noServices = args.includes("--no-services") ||
    ["1", "true", "yes"].includes((env.THREATLINE_NO_SERVICES ?? "").toLowerCase());
  return { services: !noServices, testArgs: args.filter((a) => a !== "--no-services") };
}

const USAGE = "deno task test [--no-services] [deno test args…] (those: deno test --help)";

async function runDenoTest(
  testArgs: string[],
  env: Record<string, string>,
  onSignal: (forward: (signal: Deno.Signal) => void) => void,
): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--quiet", ...testArgs],
    env,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  onSignal((signal) => {
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
  });
  const status = await child.status;
  if (status.signal) return EXIT.interrupted;
  return status.code;
}

async function main(args: string[], log: Logger): Promise<number> {
  // Help starts no services; deno test's own options are in `deno test --help`.
  if (wantsHelp(args)) throw new HelpRequested(USAGE);
  const env = Deno.env.toObject();
  const { services, testArgs } = splitArgs(args, env);
  if (!services) {
    log.info("services: not started (--no-services); tests that need them are ignored");
    return await runDenoTest(testArgs, env, () => {});
  }

  const config = servicesConfigFromEnv(defaultWorkspace(), env);
  const abort = new AbortController();
  let forward: (signal: Deno.Signal) => void = () => {};
  const listeners = SIGNALS.map((signal) => {
    const listener = () => {
      log.warn(`${signal}: stopping`);
      abort.abort(new InterruptedError(signal));
      // Ctrl-C reaches deno test through the terminal; a SIGTERM sent to us alone does not.
      if (signal === "SIGTERM") forward(signal);
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });

  let holding = false;
  try {
    const up = await servicesUp({ config, log, signal: abort.signal, holder: Deno.pid }).catch(
      (err) => {
        if (abort.signal.aborted) throw abort.signal.reason;
        log.error("the test services could not be started", {
          hint: "'deno task test --no-services' runs the tests that need none",
        });
        throw err;
      },
    );
    holding = true;
    for (const def of ALL_SERVICES) {
      const rec = up.state.services[def.name]!;
      const how = up.reused.includes(def.name) ? "already up, reused" : "started";
      log.info(`service ${def.name} up`, { server: def.server, url: rec.url, how });
    }
    if (abort.signal.aborted) throw abort.signal.reason;
    const childEnv = { ...env, ...serviceEnvVars(up.state), [REQUIRE_SERVICES_VAR]: "1" };
    const code = await runDenoTest(testArgs, childEnv, (f) => (forward = f));
    return abort.signal.aborted ? EXIT.interrupted : code;
  } finally {
    if (holding) {
      const stopped = await servicesRelease({ config, log, holder: Deno.pid });
      if (stopped.length) log.info("services down", { stopped: stopped.join(",") });
    }
    for (const remove of listeners) remove();
  }
}

if (import.meta.main) {
  await runMain(({ args, log }) => main(args, log));
}
