/**
 * A workspace: the folder holding pipeline.yaml, with its local cache, hash
 * memo and parsed params files — the state one command works with, opened
 * once and closed at the end (which saves the hash memo).
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { Logger } from "../../log.ts";
import type { YamlFile } from "../../yaml.ts";
import type { PathInfo } from "./hash.ts";
import { HashMemo } from "./hash_memo.ts";
import { LocalStore } from "./local_store.ts";
import type { ObjectStore } from "./object_store.ts";

/** Resolved settings of a workspace (from flags and env, parsed once by the task). */
export interface WorkspaceConfig {
  /** Absolute path of the workspace root (where pipeline.yaml is). */
  root: string;
  /** Cache folder, absolute or relative to root (default `.cache`). */
  cacheDir?: string;
  /** Pipeline file name relative to root (default `pipeline.yaml`). */
  pipelineFile?: string;
  /** Lock file name relative to root (default `pipeline.lock`). */
  lockFile?: string;
  /** The remote cache (push/pull, remote run-cache lookups), if one is configured. */
  remote?: ObjectStore;
  /** Stat memo file (default `<cache>/tmp/hash_memo.json`); experiments keep their own. */
  memoFile?: string;
}

/** An open workspace. */
export interface Workspace {
  /** Absolute root. */
  root: string;
  /** Absolute cache folder. */
  cacheDir: string;
  /** Pipeline file name relative to root. */
  pipelineFile: string;
  /** Absolute path of pipeline.lock. */
  lockPath: string;
  /** The local content-addressed cache. */
  store: ObjectStore;
  /** The remote cache, if one is configured (closed with the workspace). */
  remote?: ObjectStore;
  /** Stat memo of file hashes. */
  memo: HashMemo;
  /** Params files parsed so far (each parsed once per command). */
  paramFiles: Map<string, YamlFile>;
  /**
   * Hashes of workspace paths observed during this command, so a folder that
   * many stages depend on is walked once. Whoever changes a path (a stage
   * run, a restore) must forget it: see `forgetPaths` in observe.ts.
   */
  observed: Map<string, PathInfo | undefined>;
  /** Logger. */
  log: Logger;
  /** Save the hash memo and close the remote. */
  close(): Promise<void>;
}

/**
 * Open the workspace at `config.root`.
 *
 * @example
 * ```ts ignore
 * import { openWorkspace } from "./workspace.ts";
 * const ws = await openWorkspace({ root: Deno.cwd() }, log);
 * try { … } finally { await ws.close(); }
 * ```
 */
export async function openWorkspace(config: WorkspaceConfig, log: Logger): Promise<Workspace> {
  const root = config.root;
  const cacheDir = resolve(root, config.cacheDir ?? ".cache");
  const memo = await HashMemo.open(config.memoFile ?? join(cacheDir, "tmp", "hash_memo.json"));
  return {
    root,
    cacheDir,
    pipelineFile: config.pipelineFile ?? "pipeline.yaml",
    lockPath: join(root, config.lockFile ?? "pipeline.lock"),
    store: new LocalStore(cacheDir, { log }),
    ...(config.remote ? { remote: config.remote } : {}),
    memo,
    paramFiles: new Map(),
    observed: new Map(),
    log,
    async close() {
      // The memo is only a cache: failing to save it (a full disk) is not the command's failure.
      await memo.save().catch((err) => {
        log.warn("the stat memo could not be saved", { error: (err as Error).message });
      });
      const remote = config.remote as Partial<AsyncDisposable> | undefined;
      await remote?.[Symbol.asyncDispose]?.();
    },
  };
}
