import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { defaultWorkspace, servicesConfigFromEnv } from "./config.ts";

Deno.test("servicesConfigFromEnv: tool cache from THREATLINE_TOOL_CACHE, XDG_CACHE_HOME, HOME", () => {
  const base = { HOME: "/home/me", PATH: "" };
  assert.equal(servicesConfigFromEnv("/w/", base).toolCache, "/home/me/.cache/threatline");
  assert.equal(
    servicesConfigFromEnv("/w", { ...base, XDG_CACHE_HOME: "/xdg" }).toolCache,
    "/xdg/threatline",
  );
  assert.equal(
    servicesConfigFromEnv("/w", { ...base, XDG_CACHE_HOME: "/xdg", THREATLINE_TOOL_CACHE: "/t/" })
      .toolCache,
    "/t",
  );
  const config = servicesConfigFromEnv("/w/", {
    ...base,
    THREATLINE_PYTHON: "/usr/bin/python3.12",
  });
  assert.equal(config.stateDir, "/w/.cache/services");
  assert.equal(config.python, "/usr/bin/python3.12");
});

Deno.test("servicesConfigFromEnv: a relative tool cache or no HOME is a ConfigError", () => {
  assert.throws(
    () => servicesConfigFromEnv("/w", { HOME: "/h", THREATLINE_TOOL_CACHE: "rel" }),
    ConfigError,
  );
  assert.throws(() => servicesConfigFromEnv("/w", {}), ConfigError);
  assert.throws(() => servicesConfigFromEnv("w", { HOME: "/h" }), TypeError);
});

Deno.test("defaultWorkspace: the repository root, which holds deno.json", () => {
  assert.ok(Deno.statSync(`${defaultWorkspace()}/deno.json`).isFile);
});
