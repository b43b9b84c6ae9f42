/**
 * Syncing the cache with a remote store (`deno task push` / `pull`, and the
 * remote run-cache lookup of `repro`).
 *
 * What moves: the objects that pipeline.lock's outs refer to (a directory
 * out is its files plus its manifest) and the run-cache entries of the
 * lock's stages, keyed by their signature, so another machine that computes
 * the same signature restores the outs instead of running the stage.
 * `push --all-runs` also sends every other local run entry whose objects are
 * all present.
 *
 * Order keeps both stores consistent at every moment: files before their
 * manifest (a manifest in a store implies its files are there, so a
 * directory whose manifest the other side has is skipped whole), objects
 * before the run entry that refers to them. What the other side already has
 * is skipped; everything else moves with at most `jobs` transfers at once,
 * verified against its hash by the stores.
 *
 * @module
 */
import { join } from "node:path";
import { forEachLimited } from "../../concurrency.ts";
import { CacheError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { decodeManifest, isDirHash } from "./hash.ts";
import { LocalStore } from "./local_store.ts";
import { type LockFile, type LockOut, stageSignature } from "./lock.ts";
import type { GetResult, ObjectStore, RunEntry } from "./object_store.ts";
import { recordRun } from "./run_cache.ts";

/** Options of {@linkcode pushCache} and {@linkcode pullCache}. */
export interface SyncOptions {
  /** The lock whose outs (and stage signatures) are synced. */
  lock: LockFile;
  /** Only these stages of the lock (default: all). */
  stages?: readonly string[];
  /** Transfers at once (default 4). */
  jobs?: number;
  /** Progress goes here. */
  log: Logger;
  /** Push only: also every local run entry whose objects are all in the local cache. */
  allRuns?: boolean;
  /** Folder for downloads in flight (default: the system's temp folder). */
  tmpDir?: string;
}

/** An out that could not be synced. */
export interface SyncFailure {
  /** Stage of the lock. */
  stage: string;
  /** Out path. */
  path: string;
  /** Object hash. */
  hash: string;
  /** Not in the source store, or failed verification there. */
  result: "missing" | "corrupt";
}

/** What a sync did. */
export interface SyncSummary {
  /** Objects copied. */
  copied: number;
  /** Objects the destination already had. */
  skipped: number;
  /** Bytes copied. */
  bytes: number;
  /** Run entries copied. */
  runsCopied: number;
  /** Run entries the destination already had. */
  runsSkipped: number;
  /** Outs of the lock that could not be synced. */
  failed: SyncFailure[];
  /** Wall time. */
  seconds: number;
}

/** One transfer direction with its counters. */
interface Transfer {
  from: ObjectStore;
  to: ObjectStore;
  jobs: number;
  log: Logger;
  verb: string;
  tmp: string;
  stats: SyncSummary;
  lastReport: number;
  /** Log progress at info level (push/pull), or only at debug (a run-cache fetch). */
  loud: boolean;
}

const PROGRESS_EVERY_MS = 2000;

function report(t: Transfer, force = false): void {
  const now = performance.now();
  if (!force && now - t.lastReport < PROGRESS_EVERY_MS) return;
  t.lastReport = now;
  t.log[t.loud ? "info" : "debug"](`${t.verb}: ${t.stats.copied} objects copied`, {
    mib: Math.round(t.stats.bytes / 1024 / 1024 * 10) / 10,
    skipped: t.stats.skipped,
  });
}

/** Copy one object the destination lacks. */
async function copyObject(t: Transfer, hash: string): Promise<GetResult> {
  let src: string;
  let temp: string | undefined;
  if (t.from instanceof LocalStore) {
    src = t.from.objectPath(hash);
  } else {
    temp = src = join(t.tmp, `${hash.slice(0, 16)}-${crypto.randomUUID().slice(0, 8)}`);
    const got = await t.from.getObject(hash, temp);
    if (got !== "ok") return got;
  }
  try {
    const size = (await Deno.stat(src)).size;
    await t.to.putObject(hash, src);
    t.stats.copied++;
    t.stats.bytes += size;
    report(t);
    return "ok";
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    if (err instanceof CacheError) return "corrupt"; // the source changed under us
    throw err;
  } finally {
    if (temp) await Deno.remove(temp).catch(() => {});
  }
}

/**
 * Make every object in `hashes` (files and directory outs) present at the
 * destination; the result says, per hash, whether it now is.
 */
async function transferObjects(
  t: Transfer,
  hashes: Iterable<string>,
): Promise<Map<string, GetResult>> {
  const result = new Map<string, GetResult>();
  const dirs = new Map<string, { bytes: Uint8Array; files: string[] }>();
  const files = new Set<string>();
  await forEachLimited(new Set(hashes), t.jobs, async (hash) => {
    if (await t.to.hasObject(hash)) {
      result.set(hash, "ok");
      t.stats.skipped++;
    } else if (!isDirHash(hash)) {
      files.add(hash);
    } else {
      try {
        const bytes = await t.from.readObjectBytes(hash);
        if (!bytes) return void result.set(hash, "missing");
        const entries = decodeManifest(bytes, hash);
        dirs.set(hash, { bytes, files: entries.map((e) => e.hash) });
        for (const e of entries) files.add(e.hash);
      } catch (err) {
        if (!(err instanceof CacheError)) throw err;
        result.set(hash, "corrupt");
      }
    }
  });
  const fileResult = new Map<string, GetResult>();
  await forEachLimited(files, t.jobs, async (hash) => {
    if (result.get(hash) === "ok" || await t.to.hasObject(hash)) {
      if (result.get(hash) !== "ok") t.stats.skipped++;
      return void fileResult.set(hash, "ok");
    }
    fileResult.set(hash, await copyObject(t, hash));
  });
  for (const [hash, got] of fileResult) if (!result.has(hash)) result.set(hash, got);
  await forEachLimited(dirs, t.jobs, async ([hash, dir]) => {
    const bad = dir.files.map((f) => fileResult.get(f)!).find((r) => r !== "ok");
    if (bad) return void result.set(hash, bad);
    await t.to.putObjectBytes(hash, dir.bytes);
    t.stats.copied++;
    t.stats.bytes += dir.bytes.length;
    result.set(hash, "ok");
  });
  return result;
}

function sameOuts(a: readonly LockOut[], b: readonly LockOut[]): boolean {
  const key = (outs: readonly LockOut[]) =>
    outs.map((o) => `${o.path}\0${o.hash}`).sort().join("\n");
  return key(a) === key(b);
}

/** Copy the run entries whose objects all made it (or were already there). */
async function transferRuns(
  t: Transfer,
  entries: RunEntry[],
  objects: Map<string, GetResult>,
): Promise<void> {
  await forEachLimited(entries, t.jobs, async (entry) => {
    if (entry.outs.some((o) => objects.get(o.hash) !== "ok")) {
      t.log.debug("run entry not synced: its objects are incomplete", { stage: entry.stage });
      return;
    }
    const there = await t.to.getRun(entry.signature);
    if (there && sameOuts(there.outs, entry.outs)) return void t.stats.runsSkipped++;
    await recordRun(t.to, entry);
    t.stats.runsCopied++;
  });
}

/** The lock's stages to sync, with their outs and run-cache signatures. */
function selectedStages(options: SyncOptions) {
  return Object.entries(options.lock.stages)
    .filter(([name]) => !options.stages || options.stages.includes(name))
    .map(([name, stage]) => ({ name, outs: stage.outs, signature: stageSignature(stage) }));
}

async function sync(
  from: ObjectStore,
  to: ObjectStore,
  verb: string,
  options: SyncOptions,
  collectRuns: (stages: ReturnType<typeof selectedStages>) => Promise<RunEntry[]>,
): Promise<SyncSummary> {
  const started = performance.now();
  if (options.tmpDir) await Deno.mkdir(options.tmpDir, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: options.tmpDir, prefix: `${verb}-` });
  const t: Transfer = {
    from,
    to,
    verb,
    tmp,
    jobs: Math.max(1, options.jobs ?? 4),
    log: options.log,
    lastReport: performance.now(),
    loud: verb !== "fetch",
    stats: {
      copied: 0,
      skipped: 0,
      bytes: 0,
      runsCopied: 0,
      runsSkipped: 0,
      failed: [],
      seconds: 0,
    },
  };
  try {
    const stages = selectedStages(options);
    const runs = await collectRuns(stages);
    const hashes = [...stages.flatMap((s) => s.outs), ...runs.flatMap((r) => r.outs)]
      .map((o) => o.hash);
    const objects = await transferObjects(t, hashes);
    for (const stage of stages) {
      for (const out of stage.outs) {
        const got = objects.get(out.hash);
        if (got === "missing" || got === "corrupt") {
          t.stats.failed.push({ stage: stage.name, path: out.path, hash: out.hash, result: got });
        }
      }
    }
    await transferRuns(t, runs, objects);
    if (t.stats.copied > 0) report(t, true);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  t.stats.seconds = Math.round(performance.now() - started) / 1000;
  return t.stats;
}

/**
 * Upload the objects and run entries of the lock's (selected) stages from
 * `local` to `remote`. A lock stage without a local run entry gets one from
 * the lock itself (cmd + deps + params produced these outs).
 *
 * @example
 * ```ts ignore
 * import { pushCache } from "./sync.ts";
 * const summary = await pushCache(ws.store, ws.remote!, { lock, jobs: 4, log });
 * if (summary.failed.length) console.log("missing locally:", summary.failed.map((f) => f.path));
 * ```
 */
export async function pushCache(
  local: ObjectStore,
  remote: ObjectStore,
  options: SyncOptions,
): Promise<SyncSummary> {
  return await sync(local, remote, "push", options, async (stages) => {
    const runs = new Map<string, RunEntry>();
    const createdAt = new Date().toISOString();
    for (const s of stages) {
      const entry = await local.getRun(s.signature) ??
        { signature: s.signature, stage: s.name, outs: s.outs, createdAt };
      runs.set(s.signature, entry);
    }
    if (options.allRuns) {
      for await (const entry of local.listRuns()) {
        if (!runs.has(entry.signature)) runs.set(entry.signature, entry);
      }
    }
    return [...runs.values()];
  });
}

/**
 * Download the objects and run entries of the lock's (selected) stages from
 * `remote` into `local`. Restoring the outs into the workspace is
 * `checkout`'s job.
 *
 * @example
 * ```ts ignore
 * import { pullCache } from "./sync.ts";
 * const summary = await pullCache(ws.remote!, ws.store, { lock, stages: ["train"], log });
 * ```
 */
export async function pullCache(
  remote: ObjectStore,
  local: ObjectStore,
  options: SyncOptions,
): Promise<SyncSummary> {
  return await sync(remote, local, "pull", options, async (stages) => {
    const runs: RunEntry[] = [];
    await forEachLimited(stages, Math.max(1, options.jobs ?? 4), async (s) => {
      const entry = await remote.getRun(s.signature);
      if (entry) runs.push(entry);
    });
    return runs;
  });
}

/** Options of {@linkcode fetchRun}. */
export interface FetchRunOptions {
  /** The stage's declared out paths: an entry recorded with other outs is a miss. */
  outs: readonly string[];
  /** Transfers at once (default 4). */
  jobs?: number;
  /** Progress goes here. */
  log: Logger;
  /** Folder for downloads in flight (default: the system's temp folder). */
  tmpDir?: string;
}

/**
 * Look `signature` up in the remote run-cache; on a hit, download the
 * entry's objects into `local` (verified) and record the entry there, so the
 * local run-cache can restore it. Undefined on a miss or when an object of
 * the entry is missing or corrupt on the remote.
 *
 * @example
 * ```ts ignore
 * import { fetchRun } from "./sync.ts";
 * const entry = await fetchRun(ws.remote!, ws.store, signature, { outs: ["model.bin"], log });
 * ```
 */
export async function fetchRun(
  remote: ObjectStore,
  local: ObjectStore,
  signature: string,
  options: FetchRunOptions,
): Promise<RunEntry | undefined> {
  const entry = await remote.getRun(signature);
  if (!entry) return undefined;
  const declared = [...options.outs].sort().join("\n");
  if (entry.outs.map((o) => o.path).sort().join("\n") !== declared) return undefined;
  const lock: LockFile = { version: 1, stages: {} };
  const summary = await sync(remote, local, "fetch", { ...options, lock }, () => {
    return Promise.resolve([entry]);
  });
  if (summary.runsCopied + summary.runsSkipped > 0) return entry;
  options.log.warn("remote run-cache entry is incomplete (objects missing or corrupt)", {
    stage: entry.stage,
    signature: signature.slice(0, 12),
  });
  return undefined;
}
