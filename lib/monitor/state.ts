/**
 * The monitor's durable state and the lease that serialises runs.
 *
 * State: the watermark (last source position whose outputs are written),
 * the window of recent scores with their labels, and a lease. Every store
 * offers one primitive, compare-and-swap on a revision
 * ({@linkcode CasStore}); the lease is built on it:
 *
 * - `acquireLease` writes `lease = {owner, until}` only if no other owner
 *   holds an unexpired lease, by CAS: of two runs that start together one
 *   wins, the other gets a `LockedError` (exit 5).
 * - `commit` writes the new watermark and window by CAS, and only while the
 *   lease is still this run's: a run whose lease expired and was taken over
 *   cannot move the watermark any more (fencing).
 *
 * A run killed with SIGKILL leaves its lease until it expires
 * (`monitor.lease_seconds`); `--break-lease` takes it over at once.
 *
 * @module
 */
import { LockedError, PipelineError } from "../errors.ts";

/** Recent scored records (oldest first), for the live metrics. */
export interface ScoreWindow {
  /** Record ids (strings; Mongo ids in extended JSON). */
  ids: string[];
  /** Probabilities. */
  p: number[];
  /** True classes, null while the label has not arrived. */
  y: (0 | 1 | null)[];
}

/** The lease of a running monitor. */
export interface Lease {
  /** Who holds it (random per run). */
  owner: string;
  /** Epoch milliseconds it expires at. */
  until: number;
}

/** The durable state of one monitor. */
export interface MonitorState {
  /** Source position whose records all have outputs; null: from the start. */
  watermark: string | null;
  /** Holder of the lease, if any. */
  lease: Lease | null;
  /** Recent scores. */
  window: ScoreWindow;
  /** Committed runs so far. */
  runs: number;
  /** Records scored so far (rejected included). */
  records: number;
}

/** A stored state and its revision (opaque to callers). */
export interface Versioned {
  /** The state, undefined before the first write. */
  state: MonitorState | undefined;
  /** Its revision, undefined before the first write. */
  rev: string | undefined;
}

/** Compare-and-swap storage of one state document. */
export interface CasStore {
  /** Where it lives, for messages. */
  readonly where: string;
  /** The current state and revision. */
  read(): Promise<Versioned>;
  /** Write `state` if the revision is still `rev`; false when another writer came first. */
  write(state: MonitorState, rev: string | undefined): Promise<boolean>;
  /** Release connections. */
  close(): Promise<void>;
}

/**
 * The state of a monitor that never ran.
 *
 * @example
 * ```ts
 * import { emptyState } from "./state.ts";
 * emptyState().watermark; // null
 * ```
 */
export function emptyState(): MonitorState {
  return { watermark: null, lease: null, window: { ids: [], p: [], y: [] }, runs: 0, records: 0 };
}

/** A held lease: the state it was acquired with. */
export interface Held {
  /** The lease. */
  lease: Lease;
  /** The state when it was acquired. */
  state: MonitorState;
}

/** Options of {@linkcode acquireLease}. */
export interface AcquireOptions {
  /** Lease length, seconds. */
  seconds: number;
  /** Take the lease even when another owner holds it (an operator's decision). */
  breakLease?: boolean;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Take the lease, or throw `LockedError` naming the holder.
 *
 * @example
 * ```ts ignore
 * const held = await acquireLease(store, { seconds: 900 });
 * ```
 */
export async function acquireLease(store: CasStore, o: AcquireOptions): Promise<Held> {
  const now = o.now ?? Date.now;
  const { state, rev } = await store.read();
  const current = state ?? emptyState();
  const t = now();
  if (current.lease && current.lease.until > t && !o.breakLease) {
    throw new LockedError(
      `another monitor run holds the lease on ${store.where} for ${
        Math.ceil((current.lease.until - t) / 1000)
      } s more (owner ${current.lease.owner})`,
      { hint: "wait for it; after a crash give --break-lease to take it over" },
    );
  }
  const lease = { owner: crypto.randomUUID(), until: t + o.seconds * 1000 };
  const next = { ...current, lease };
  if (!await store.write(next, rev)) {
    throw new LockedError(`another monitor run took the lease on ${store.where} first`);
  }
  return { lease, state: next };
}

/** The lease was lost (expired and taken over): nothing may be committed. */
export class LeaseLostError extends PipelineError {
  /** Create the error. */
  constructor(where: string) {
    super(`the monitor's lease on ${where} was taken over by another run; nothing committed`, {
      code: "LEASE_LOST",
      exitCode: 5,
      hint: "raise monitor.lease_seconds above the longest run",
    });
  }
}

/**
 * Commit a run's progress while holding the lease: `update` gets the stored
 * state and returns the new one. `release` drops the lease.
 *
 * @example
 * ```ts ignore
 * await commit(store, held.lease, (s) => ({ ...s, watermark: "42" }), { extendSeconds: 900 });
 * ```
 */
export async function commit(
  store: CasStore,
  lease: Lease,
  update: (s: MonitorState) => MonitorState,
  o: { release?: boolean; extendSeconds?: number; now?: () => number } = {},
): Promise<MonitorState> {
  const now = o.now ?? Date.now;
  for (let attempt = 0; attempt < 5; attempt++) {
    const { state, rev } = await store.read();
    if (!state?.lease || state.lease.owner !== lease.owner) throw new LeaseLostError(store.where);
    const next = update(state);
    next.lease = o.release ? null : {
      owner: lease.owner,
      until: o.extendSeconds ? now() + o.extendSeconds * 1000 : state.lease.until,
    };
    if (await store.write(next, rev)) {
      if (next.lease) lease.until = next.lease.until;
      return next;
    }
  }
  throw new LeaseLostError(store.where);
}
