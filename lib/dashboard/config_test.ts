import assert, { throws } from "node:assert/strict";
import { ConfigError, HelpRequested } from "../errors.ts";
import { DASHBOARD_USAGE, parseDashboardConfig } from "./config.ts";

Deno.test("dashboard config: --url-model as serve's (default artifacts/url/model, optional)", () => {
  const d = parseDashboardConfig([], {});
  assert.equal(d.port, 8088);
  assert.equal(d.urlModel, "artifacts/url/model");
  assert.equal(d.urlModelRequired, false);
  const given = parseDashboardConfig(["--url-model", "models/url", "--port", "0"], {});
  assert.equal(given.urlModel, "models/url");
  assert.equal(given.urlModelRequired, true, "a folder given by flag must exist");
  assert.equal(given.port, 0);
});

Deno.test("dashboard config: --help and bad flags show the dashboard's usage, not serve's", () => {
  throws(
    () => parseDashboardConfig(["--help"], {}),
    (e: unknown) => e instanceof HelpRequested && e.message === DASHBOARD_USAGE,
  );
  throws(
    () => parseDashboardConfig(["--bogus"], {}),
    (e: unknown) => e instanceof ConfigError && e.hint === `usage: ${DASHBOARD_USAGE}`,
  );
});
