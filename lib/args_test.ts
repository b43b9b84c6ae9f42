import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { parseArgs, wantsHelp } from "./args.ts";
import { errorToExit } from "./cli.ts";
import { ConfigError, EXIT, HelpRequested } from "./errors.ts";

const SPEC = { usage: "deno task demo [STAGE...] [--force]", options: {} } as const;

Deno.test("parseArgs: --help and -h ask for the usage, not an unknown-option error", () => {
  for (const flag of ["--help", "-h"]) {
    throws(
      () => parseArgs(["train", flag], SPEC),
      (e: unknown) => e instanceof HelpRequested && e.message === SPEC.usage,
    );
  }
});

Deno.test("parseArgs: --help after -- is a positional; other unknown flags stay config errors", () => {
  deepStrictEqual(parseArgs(["--", "--help"], SPEC).positionals, ["--help"]);
  deepStrictEqual([wantsHelp(["a", "--", "-h"]), wantsHelp(["-h"]), wantsHelp([])], [
    false,
    true,
    false,
  ]);
  throws(() => parseArgs(["--helpme"], SPEC), (e: unknown) => e instanceof ConfigError);
});

Deno.test("errorToExit: help is the usage line with exit status 0", () => {
  deepStrictEqual(errorToExit(new HelpRequested(SPEC.usage), false), {
    message: `usage: ${SPEC.usage}`,
    exitCode: EXIT.ok,
  });
});

Deno.test("a real entry point: `status --help` prints its usage on stdout and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      new URL("../tasks/status.ts", import.meta.url).pathname,
      "--help",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  deepStrictEqual([out.code, new TextDecoder().decode(out.stderr)], [0, ""]);
  ok(stdout.startsWith("usage: deno task status"), stdout);
});
