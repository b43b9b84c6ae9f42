/**
 * The runner's cache: content-addressed outs and where they are kept.
 *
 * - `hash.ts`, `hash_memo.ts`: file and folder hashes, memoized by stat;
 * - `object_store.ts`, `local_store.ts`, `s3_store.ts`: the stores;
 *   `remote_config.ts`: `threatline.yaml`'s cache and remote;
 * - `lock.ts`: `pipeline.lock`; `parse_cache.ts`: parsed YAML kept by content hash;
 * - `out_cache.ts`, `run_cache.ts`: outs and
 *   whole stage runs saved and restored;
 * - `sync.ts` (push/pull), `gc.ts`, `checkout.ts`; `workspace.ts`: the cache,
 *   memo and params one command works with.
 *
 * @example
 * ```ts ignore
 * import { openWorkspace } from "./mod.ts";
 * const ws = await openWorkspace({ root: "." }, log);
 * ```
 *
 * @module
 */
export * from "./hash.ts";
export * from "./object_store.ts";
export * from "./local_store.ts";
export * from "./lock.ts";
export * from "./out_cache.ts";
export * from "./run_cache.ts";
export * from "./sync.ts";
export * from "./gc.ts";
export * from "./checkout.ts";
export * from "./remote_config.ts";
export * from "./workspace.ts";
