/**
 * The staleness check: a pure function that says WHY a stage must run, or
 * `undefined` when it is fresh. No I/O here — the caller observes the
 * workspace (hashes of deps and outs, param values) and passes it in.
 *
 * @module
 */
import { canonicalJson, type LockStage } from "../cache/lock.ts";
import type { StageSpec } from "../spec/spec.ts";

/** What the workspace holds now for one stage. */
export interface ObservedStage {
  /** Hash of each declared dep (undefined when the path does not exist). */
  deps: Map<string, string | undefined>;
  /** Current values of the declared params: file -> dotted key -> value. */
  params: Record<string, Record<string, unknown>>;
  /** Hash of each declared out (undefined when missing); omit to skip out checks. */
  outs?: Map<string, string | undefined>;
  /** What the stage's `source_check` printed now (undefined: not checked). */
  source?: string;
}

/** Why a stage is stale. `kind` is stable and machine-readable. */
export type StaleReason =
  | { kind: "new" }
  | { kind: "forced" }
  | { kind: "always_changed" }
  | { kind: "source_changed"; before: string | undefined; after: string }
  | { kind: "cmd_changed"; before: string[]; after: string[] }
  | { kind: "dep_added"; path: string }
  | { kind: "dep_removed"; path: string }
  | { kind: "dep_missing"; path: string }
  | { kind: "dep_changed"; path: string; before: string; after: string }
  | { kind: "param_added"; file: string; key: string; value: unknown }
  | { kind: "param_removed"; file: string; key: string; before: unknown }
  | { kind: "param_changed"; file: string; key: string; before: unknown; after: unknown }
  | { kind: "outs_changed"; added: string[]; removed: string[] }
  | { kind: "out_missing"; path: string }
  | { kind: "out_changed"; path: string; before: string; after: string }
  | { kind: "upstream"; stage: string };

/** Inputs of {@linkcode whyStale}. */
export interface StaleInput {
  /** The stage as declared now. */
  stage: StageSpec;
  /** The stage's entry in pipeline.lock, if any. */
  locked: LockStage | undefined;
  /** What the workspace holds now. */
  observed: ObservedStage;
  /** Names of upstream stages already known to be stale (status only). */
  staleUpstream?: string[];
}

/**
 * The first reason the stage is stale, or `undefined` when it is fresh.
 * Checked in this order: new, always_changed, cmd, deps, params, outs,
 * upstream. A frozen stage is never stale.
 *
 * @example
 * ```ts ignore
 * import { whyStale } from "./stale.ts";
 * const reason = whyStale({ stage, locked: lock.stages[stage.name], observed });
 * if (reason) console.log(describeReason(reason));
 * ```
 */
export function whyStale(input: StaleInput): StaleReason | undefined {
  const { stage, locked, observed } = input;
  if (stage.frozen) return undefined;
  if (!locked) return { kind: "new" };
  if (stage.alwaysChanged) return { kind: "always_changed" };
  if (observed.source !== undefined && observed.source !== locked.source_check) {
    return { kind: "source_changed", before: locked.source_check, after: observed.source };
  }
  if (!sameJson(stage.cmd, locked.cmd)) {
    return { kind: "cmd_changed", before: locked.cmd, after: stage.cmd };
  }
  const lockedDeps = new Map(locked.deps.map((d) => [d.path, d.hash]));
  for (const path of stage.deps) {
    const before = lockedDeps.get(path);
    if (before === undefined) return { kind: "dep_added", path };
    const after = observed.deps.get(path);
    if (after === undefined) return { kind: "dep_missing", path };
    if (after !== before) return { kind: "dep_changed", path, before, after };
  }
  for (const path of lockedDeps.keys()) {
    if (!stage.deps.includes(path)) return { kind: "dep_removed", path };
  }
  const paramReason = compareParams(locked.params, observed.params);
  if (paramReason) return paramReason;
  const declared = stage.outs.map((o) => o.path);
  const lockedOuts = new Map(locked.outs.map((o) => [o.path, o.hash]));
  const added = declared.filter((p) => !lockedOuts.has(p));
  const removed = [...lockedOuts.keys()].filter((p) => !declared.includes(p));
  if (added.length || removed.length) return { kind: "outs_changed", added, removed };
  if (observed.outs) {
    for (const path of declared) {
      const after = observed.outs.get(path);
      const before = lockedOuts.get(path)!;
      if (after === undefined) return { kind: "out_missing", path };
      if (after !== before) return { kind: "out_changed", path, before, after };
    }
  }
  const upstream = input.staleUpstream?.[0];
  if (upstream !== undefined) return { kind: "upstream", stage: upstream };
  return undefined;
}

function compareParams(
  before: Record<string, Record<string, unknown>>,
  after: Record<string, Record<string, unknown>>,
): StaleReason | undefined {
  for (const file of Object.keys(after).sort()) {
    for (const key of Object.keys(after[file]).sort()) {
      const value = after[file][key];
      if (!before[file] || !(key in before[file])) return { kind: "param_added", file, key, value };
      if (!sameJson(before[file][key], value)) {
        return { kind: "param_changed", file, ...firstChange(key, before[file][key], value) };
      }
    }
  }
  for (const file of Object.keys(before).sort()) {
    for (const key of Object.keys(before[file]).sort()) {
      if (!after[file] || !(key in after[file])) {
        return { kind: "param_removed", file, key, before: before[file][key] };
      }
    }
  }
  return undefined;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The first leaf that differs between two values of a param key: a section
 * declared whole (`params: [train]`) is named by the dotted key that changed
 * (`train.search.mlp.hidden`), not printed whole. A key added or removed
 * inside a mapping is a change from or to `undefined`.
 */
function firstChange(
  key: string,
  before: unknown,
  after: unknown,
): { key: string; before: unknown; after: unknown } {
  if (isMapping(before) && isMapping(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      const [b, a] = [before[k], after[k]];
      if (b === undefined || a === undefined || !sameJson(b, a)) {
        return firstChange(`${key}.${k}`, b, a);
      }
    }
  }
  return { key, before, after };
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

const short = (h: string) => h.slice(0, 8);
const show = (v: unknown) => JSON.stringify(v);
/** A param value for a one-line message: JSON, cut to 80 characters. */
const showValue = (v: unknown) => {
  const text = v === undefined ? "(unset)" : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);

/**
 * A one-line, human description of a {@linkcode StaleReason}.
 *
 * @example
 * ```ts
 * import { describeReason } from "./stale.ts";
 * describeReason({ kind: "dep_changed", path: "data/x.csv", before: "aaaaaaaaaa", after: "bbbbbbbbbb" });
 * // "dep 'data/x.csv' changed (aaaaaaaa -> bbbbbbbb)"
 * ```
 */
export function describeReason(r: StaleReason): string {
  switch (r.kind) {
    case "new":
      return "new stage (not in pipeline.lock)";
    case "forced":
      return "forced";
    case "always_changed":
      return "always_changed is set";
    case "source_changed":
      return `the source changed (source_check: ${clip(r.before ?? "none")} -> ${clip(r.after)})`;
    case "cmd_changed":
      return `cmd changed (${show(r.before.join(" && "))} -> ${show(r.after.join(" && "))})`;
    case "dep_added":
      return `dep '${r.path}' added`;
    case "dep_removed":
      return `dep '${r.path}' removed`;
    case "dep_missing":
      return `dep '${r.path}' is missing`;
    case "dep_changed":
      return `dep '${r.path}' changed (${short(r.before)} -> ${short(r.after)})`;
    case "param_added":
      return `param '${r.key}' (${r.file}) added = ${showValue(r.value)}`;
    case "param_removed":
      return `param '${r.key}' (${r.file}) removed`;
    case "param_changed":
      return `param '${r.key}' (${r.file}) changed ${showValue(r.before)} -> ${showValue(r.after)}`;
    case "outs_changed":
      return `declared outs changed (added: ${r.added.join(", ") || "-"}; removed: ${
        r.removed.join(", ") || "-"
      })`;
    case "out_missing":
      return `out '${r.path}' is missing`;
    case "out_changed":
      return `out '${r.path}' was modified (${short(r.before)} -> ${short(r.after)})`;
    case "upstream":
      return `upstream stage '${r.stage}' is stale`;
  }
}
