/**
 * The prediction history a task appends to: MongoDB's `predictions`
 * collection when `MONGODB_URI` is set (and granted), else the local file
 * below the workspace cache — or none when the task may not write there
 * (said once in the log; scoring goes on).
 *
 * @module
 */
import { join } from "node:path";
import { localHistoryPath, openHistory, type PredictionHistory } from "../lib/history/mod.ts";
import type { Logger } from "../lib/log.ts";
import { configFromEnv, grantedEnv } from "./_workspace.ts";

/**
 * Open the task's history, or undefined when it cannot be written.
 *
 * @example
 * ```ts ignore
 * const history = await openTaskHistory(log);
 * if (history) await recordScored(history, entry, log);
 * ```
 */
export async function openTaskHistory(log: Logger): Promise<PredictionHistory | undefined> {
  const env = grantedEnv(["MONGODB_URI"]);
  try {
    const config = configFromEnv(log);
    const cacheDir = join(config.root, config.cacheDir ?? ".cache");
    const path = localHistoryPath(cacheDir);
    if (
      !env.MONGODB_URI &&
      Deno.permissions.querySync({ name: "write", path }).state !== "granted"
    ) {
      log.info("prediction history off: no write permission", { file: path });
      return undefined;
    }
    return await openHistory({ cacheDir, mongodbUri: env.MONGODB_URI });
  } catch (err) {
    log.warn("prediction history off", { error: (err as Error).message });
    return undefined;
  }
}
