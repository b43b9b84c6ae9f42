/**
 * Run records of one stage run: the runner gives each stage command a fresh
 * folder in `THREATLINE_RUN_RECORD_DIR`; whatever JSON files it writes there
 * (times, durations, per-candidate seconds: everything that must not go into
 * a hashed out) are folded into the stage's entry of the run history.
 *
 * @module
 */
import { join } from "node:path";
import type { Workspace } from "../cache/workspace.ts";

/** The env var naming the folder a stage may write run records (JSON files) into. */
export const RUN_RECORD_ENV = "THREATLINE_RUN_RECORD_DIR";

/** A fresh, empty record folder for one stage run, under `<cache>/runs/records/`. */
export async function newRecordDir(ws: Workspace, stage: string): Promise<string> {
  const root = join(ws.cacheDir, "runs", "records");
  await Deno.mkdir(root, { recursive: true });
  return await Deno.makeTempDir({ dir: root, prefix: `${stage.replace(/[^\w.-]/g, "_")}-` });
}

/**
 * The JSON files a stage wrote into its record folder, by name (a file that
 * is not JSON is kept as `{ unreadable: message }`); the folder is removed.
 */
export async function collectRecords(
  ws: Workspace,
  dir: string | undefined,
): Promise<{ records?: Record<string, unknown> }> {
  if (!dir) return {};
  const records: Record<string, unknown> = {};
  try {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
    for (const name of names.sort()) {
      const text = await Deno.readTextFile(join(dir, name));
      try {
        records[name] = JSON.parse(text);
      } catch (err) {
        ws.log.warn("a run record is not JSON", { file: name, error: (err as Error).message });
        records[name] = { unreadable: (err as Error).message };
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return nonEmpty(records);
}

function nonEmpty(records: Record<string, unknown>): { records?: Record<string, unknown> } {
  return Object.keys(records).length ? { records } : {};
}
