import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { DEFAULT_LIMITS } from "./body.ts";
import { API_KEY_ENV, parseServeConfig } from "./config.ts";

Deno.test("parseServeConfig: defaults", () => {
  deepStrictEqual(parseServeConfig([], {}), {
    host: "127.0.0.1",
    port: 8080,
    model: "artifacts/model",
    reloadSeconds: 5,
    apiKey: undefined,
    limits: { ...DEFAULT_LIMITS },
    urlModel: "artifacts/url/model",
    urlModelRequired: false,
  });
  const url = parseServeConfig(["--url-model", "m/url"], {});
  deepStrictEqual([url.urlModel, url.urlModelRequired], ["m/url", true]);
});

Deno.test("parseServeConfig: flags and the key from the environment", () => {
  const c = parseServeConfig([
    "--port=0",
    "--host",
    "0.0.0.0",
    "--model",
    "/m",
    "--reload-seconds",
    "0.5",
    "--max-body-bytes",
    "2048",
    "--max-batch",
    "10",
    "--request-timeout-seconds",
    "2.5",
  ], { [API_KEY_ENV]: "0123456789abcdef0123" });
  deepStrictEqual(
    [c.port, c.host, c.model, c.reloadSeconds, c.apiKey],
    [0, "0.0.0.0", "/m", 0.5, "0123456789abcdef0123"],
  );
  deepStrictEqual(
    [c.limits.maxBodyBytes, c.limits.maxBatchRecords, c.limits.requestTimeoutMs],
    [2048, 10, 2500],
  );
  strictEqual(parseServeConfig([], { [API_KEY_ENV]: "" }).apiKey, undefined);
});

Deno.test("parseServeConfig: bad values are ConfigErrors naming the flag; the key never in a message", () => {
  const bad: [string[], string][] = [
    [["--port", "70000"], "--port"],
    [["--port", "x"], "--port"],
    [["--reload-seconds=-1"], "--reload-seconds"],
    [["--max-batch", "0"], "--max-batch"],
    [["--request-timeout-seconds", "0"], "--request-timeout-seconds"],
    [["--host", ""], "--host"],
  ];
  for (const [args, field] of bad) {
    throws(() => parseServeConfig(args, {}), (e: unknown) => {
      ok(e instanceof ConfigError && e.where.field === field, `${args}: ${e}`);
      return true;
    });
  }
  throws(() => parseServeConfig(["--nope"], {}), ConfigError);
  throws(() => parseServeConfig(["extra"], {}), ConfigError);
  const secret = "short key";
  throws(() => parseServeConfig([], { [API_KEY_ENV]: secret }), (e: unknown) => {
    ok(e instanceof ConfigError && e.where.field === API_KEY_ENV);
    ok(!e.message.includes(secret) && !(e.hint ?? "").includes(secret));
    return true;
  });
});
