/**
 * The process groups of running stage commands (each stage command runs in a
 * session of its own, see executor.ts): whether one is still alive, and
 * ending one that a killed runner left behind. Signals go through the `kill`
 * command (`--allow-run=kill`), so the least-privilege tasks can use them.
 *
 * @module
 */
import type { Logger } from "../../log.ts";

/** A stage command's process group as recorded in the workspace lock. */
export interface StageGroup {
  /** Stage name. */
  stage: string;
  /** Process group id (= the pid of the group's leader, the stage's `sh`). */
  pgid: number;
  /** Kernel start time of the leader (`/proc/<pgid>/stat` field 22), against pid reuse. */
  start?: string;
}

async function kill(signal: string, pgid: number): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("kill", {
      args: [`-${signal}`, "--", `-${pgid}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** The leader's start time, or undefined when the leader is gone (or /proc is unreadable). */
export async function leaderStart(pid: number): Promise<string | undefined> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/stat`);
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * End the groups a dead runner left running: SIGTERM to each group still
 * alive, then SIGKILL to those still there after `graceMs`. A group whose
 * leader now has another start time is a reused pid, not ours, and is left
 * alone; a group whose leader exited but whose members remain is ours (the
 * kernel does not reuse a pid while it names a live group). Returns the
 * groups that were signalled.
 *
 * @example
 * ```ts ignore
 * import { endOrphanGroups } from "./_process_groups.ts";
 * await endOrphanGroups(holder.groups ?? [], { log });
 * ```
 */
export async function endOrphanGroups(
  groups: StageGroup[],
  options: { log: Logger; graceMs?: number },
): Promise<StageGroup[]> {
  const ended: StageGroup[] = [];
  for (const g of groups) {
    if (!Number.isSafeInteger(g.pgid) || g.pgid <= 1) continue;
    if (!(await kill("0", g.pgid))) continue; // already gone
    const start = await leaderStart(g.pgid);
    if (g.start && start && start !== g.start) continue; // pid reused by someone else
    options.log.warn("ending a stage command the previous run left running", {
      stage: g.stage,
      pgid: g.pgid,
    });
    await kill("TERM", g.pgid);
    ended.push(g);
  }
  const deadline = Date.now() + (options.graceMs ?? 5000);
  for (const g of ended) {
    while (await kill("0", g.pgid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (await kill("0", g.pgid)) await kill("KILL", g.pgid);
  }
  return ended;
}
