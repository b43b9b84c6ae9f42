/**
 * The `monitor` section of params.yaml, read once into a typed object.
 *
 * ```yaml
 * monitor:
 *   name: default          # key of this monitor's state (several may share a store)
 *   source:
 *     kind: mongodb        # mongodb | s3 | folder
 *     database: threatline # mongodb (URI from env MONGODB_URI)
 *     collection: flows_live
 *     order_field: _id     # ascending and unique: the watermark
 *     url: s3://bucket/in/ # s3: objects whose keys sort after the watermark
 *     path: incoming/      # folder: files whose names sort after the watermark
 *     max_records: 1000000 # per run (mongodb); the rest waits for the next run
 *   output:
 *     collection: predictions # mongodb: upserted by the record's _id
 *     url: s3://bucket/scored/ # s3
 *     path: scored/            # folder
 *   state: {kind: auto, path: .cache/monitor, collection: monitor_state, url: ""}
 *   lease_seconds: 900
 *   labels: {field: "", collection: "", file: ""}
 *   window: 10000          # recent scores kept for the live metrics
 *   min_labeled: 50        # live metrics need this many labelled records
 *   thresholds: {max_drifted_columns: 3, min_precision: 0, min_recall: 0, max_fpr: 1, min_roc_auc: 0}
 * ```
 *
 * @module
 */
import { openSection, type Section } from "../section.ts";
import type { YamlFile } from "../yaml.ts";

/** Where new records come from. */
export type MonitorSource =
  | {
    kind: "mongodb";
    database: string;
    collection: string;
    orderField: string;
    maxRecords: number;
  }
  | { kind: "s3"; url: string }
  | { kind: "folder"; path: string };

/** Where predictions go. */
export type MonitorOutput =
  | { kind: "mongodb"; collection: string }
  | { kind: "s3"; url: string }
  | { kind: "folder"; path: string };

/** Where the watermark, window and lease live. */
export type MonitorStateParams =
  | { kind: "file"; path: string }
  | { kind: "mongodb"; collection: string }
  | { kind: "s3"; url: string };

/** Quality and drift limits; crossing one is an alert (exit 9). */
export interface MonitorThresholds {
  /** Alert when more feature columns than this drift. */
  maxDriftedColumns: number;
  /** Alert below this live precision. */
  minPrecision: number;
  /** ... recall. */
  minRecall: number;
  /** Alert above this live false-positive rate. */
  maxFpr: number;
  /** Alert below this live ROC-AUC. */
  minRocAuc: number;
}

/** The typed `monitor` section. */
export interface MonitorParams {
  /** State key. */
  name: string;
  /** Source of new records. */
  source: MonitorSource;
  /** Destination of predictions. */
  output: MonitorOutput;
  /** State store. */
  state: MonitorStateParams;
  /** Lease length, seconds. */
  leaseSeconds: number;
  /** Label sources. */
  labels: { field?: string; collection?: string; file?: string };
  /** Recent scores kept. */
  window: number;
  /** Labelled records needed for live metrics. */
  minLabeled: number;
  /** Alert limits. */
  thresholds: MonitorThresholds;
}

const KINDS = ["mongodb", "s3", "folder"] as const;

function nonEmpty(s: Section, key: string, path: string): string {
  const v = s.string(key);
  if (v.trim() === "") throw s.error(key, `'${path}.${key}' must not be empty`);
  return v;
}

function s3Url(s: Section, key: string, path: string): string {
  const v = nonEmpty(s, key, path);
  if (!/^s3:\/\/[^/]+/.test(v)) throw s.error(key, `'${path}.${key}' must be s3://bucket/prefix/`);
  return v;
}

/**
 * Read and validate `monitor` (a `ConfigError` naming file, line and key).
 *
 * @example
 * ```ts
 * import { parseYaml } from "../yaml.ts";
 * import { readMonitorParams } from "./params.ts";
 * const p = readMonitorParams(parseYaml(
 *   "monitor:\n  source: {kind: folder, path: in}\n  output: {path: out}\n", "params.yaml"));
 * p.state; // { kind: "file", path: ".cache/monitor" }
 * ```
 */
export function readMonitorParams(y: YamlFile): MonitorParams {
  const m = openSection(y, ["monitor"]);
  const name = m.string("name", { default: "default" });
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw m.error("name", "'monitor.name' must be 1-100 of letters, digits, '_', '.', '-'");
  }
  const src = m.section("source");
  const kind = src.string("kind", { oneOf: KINDS });
  let source: MonitorSource;
  if (kind === "mongodb") {
    source = {
      kind,
      database: nonEmpty(src, "database", "monitor.source"),
      collection: nonEmpty(src, "collection", "monitor.source"),
      orderField: src.string("order_field", { default: "_id" }),
      maxRecords: src.number("max_records", { default: 1_000_000, integer: true, min: 1 }),
    };
  } else if (kind === "s3") source = { kind, url: s3Url(src, "url", "monitor.source") };
  else source = { kind, path: nonEmpty(src, "path", "monitor.source") };
  src.done();

  const out = m.section("output");
  let output: MonitorOutput;
  if (kind === "mongodb") {
    output = { kind, collection: out.string("collection", { default: "predictions" }) };
  } else if (kind === "s3") output = { kind, url: s3Url(out, "url", "monitor.output") };
  else output = { kind, path: nonEmpty(out, "path", "monitor.output") };
  out.done();

  const st = m.optionalSection("state");
  const stateKind = st?.string("kind", {
    default: "auto",
    oneOf: ["auto", "file", "mongodb", "s3"] as const,
  }) ?? "auto";
  const resolved = stateKind === "auto" ? (kind === "folder" ? "file" : kind) : stateKind;
  let state: MonitorStateParams;
  if (resolved === "mongodb") {
    if (kind !== "mongodb") {
      throw m.error("state", "'monitor.state.kind' mongodb needs a mongodb source");
    }
    state = {
      kind: "mongodb",
      collection: st?.string("collection", { default: "monitor_state" }) ?? "monitor_state",
    };
  } else if (resolved === "s3") {
    const url = st?.has("url") ? s3Url(st, "url", "monitor.state") : undefined;
    if (!url && kind !== "s3") throw m.error("state", "'monitor.state.url' is required");
    state = {
      kind: "s3",
      url: url ?? (source as { url: string }).url.replace(/\/?$/, "/") + "_monitor/",
    };
  } else {
    state = {
      kind: "file",
      path: st?.string("path", { default: ".cache/monitor" }) ?? ".cache/monitor",
    };
  }
  st?.done();

  const labels = m.optionalSection("labels");
  const opt = (key: string) => {
    const v = labels?.has(key) ? labels.string(key) : "";
    return v === "" ? undefined : v;
  };
  const labelParams = { field: opt("field"), collection: opt("collection"), file: opt("file") };
  if (labelParams.collection && kind !== "mongodb") {
    throw m.error("labels", "'monitor.labels.collection' needs a mongodb source");
  }
  labels?.done();

  const t = m.optionalSection("thresholds");
  const num = (key: string, def: number, max?: number) =>
    t?.number(key, { default: def, min: 0, max }) ?? def;
  const thresholds: MonitorThresholds = {
    maxDriftedColumns: num("max_drifted_columns", Infinity),
    minPrecision: num("min_precision", 0, 1),
    minRecall: num("min_recall", 0, 1),
    maxFpr: num("max_fpr", 1, 1),
    minRocAuc: num("min_roc_auc", 0, 1),
  };
  t?.done();
  const params: MonitorParams = {
    name,
    source,
    output,
    state,
    leaseSeconds: m.number("lease_seconds", { default: 900, min: 1 }),
    labels: labelParams,
    window: m.number("window", { default: 10_000, integer: true, min: 1, max: 1_000_000 }),
    minLabeled: m.number("min_labeled", { default: 50, integer: true, min: 1 }),
    thresholds,
  };
  m.done();
  return params;
}
