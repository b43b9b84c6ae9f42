/**
 * One monitor run, the batch inference engine for periodic evaluation:
 * take the lease, score what arrived since the watermark (unit by unit,
 * lib/monitor/_units.ts) with the batch scorer, write the predictions,
 * commit the watermark after each unit's outputs, join labels that arrived
 * since, compute the live metrics over the window and the alerts, and
 * release the lease.
 *
 * Exactly once: a unit's outputs are idempotent (same ids or names, same
 * content) and the watermark moves only after they are written, so a run
 * killed at any point and started again redoes at most the unit it was in,
 * rewriting the same outputs; the lease stops a second run from advancing
 * the watermark meanwhile. A folder or S3 file named before the watermark
 * that has no predictions file (it arrived late) is scored first, without
 * moving the watermark.
 *
 * @module
 */
import { join } from "node:path";
import { BSON, type MongoClient } from "mongodb";
import { type Logger, nullLogger } from "../log.ts";
import { readCsvFile } from "../data/csv.ts";
import { targetClass } from "../learn/preprocess.ts";
import type { S3Connection } from "../s3/settings.ts";
import { predictBatch } from "../scoring/batch.ts";
import type { Scorer } from "../scoring/scorer.ts";
import type { MonitorParams } from "./params.ts";
import { acquireLease, type CasStore, commit, type ScoreWindow } from "./state.ts";
import {
  fileUnit,
  listNewFiles,
  mongoUnit,
  type NewFiles,
  type Unit,
  unitScores,
} from "./_units.ts";
import { alerts, type LiveMetrics, liveMetrics, pushScores } from "./window.ts";

/** Options of {@linkcode runMonitor}. */
export interface MonitorRunOptions {
  /** The `monitor` params. */
  params: MonitorParams;
  /** The champion model. */
  scorer: Scorer;
  /** Where the state lives. */
  store: CasStore;
  /** MongoDB client (mongodb source, output or labels). */
  mongo?: MongoClient;
  /** S3 connection (s3 source or output). */
  s3?: S3Connection;
  /** Take over a lease left by a crashed run. */
  breakLease?: boolean;
  /** Scorer worker threads (predictBatch's default when absent). */
  workers?: number;
  /** Progress. */
  log?: Logger;
  /** Called after each unit's outputs are written, before its commit (tests). */
  afterWrite?: (unit: string) => Promise<void> | void;
}

/** What a run did. */
export interface MonitorReport {
  /** Model version. */
  modelVersion: string;
  /** Units scored (the Mongo collection, or file names). */
  units: string[];
  /** Records read. */
  records: number;
  /** Records scored. */
  scored: number;
  /** Records rejected. */
  rejected: number;
  /** Predicted labels. */
  labels: { threat: number; benign: number };
  /** Columns that drifted in any unit. */
  drifted: string[];
  /** Whether drift could be tested. */
  driftTested: boolean;
  /** Watermark before and after. */
  watermark: { from: string | null; to: string | null };
  /** Live metrics, when enough labels arrived. */
  live?: LiveMetrics;
  /** Labels joined from the labels collection or file in this run. */
  labelsJoined: number;
  /** Thresholds crossed. */
  alerts: string[];
  /** Wall time, seconds. */
  seconds: number;
}

/** Labels of window ids from the labels collection or file. */
async function joinLabels(
  o: MonitorRunOptions,
  w: ScoreWindow,
): Promise<number> {
  const missing: number[] = [];
  w.y.forEach((y, i) => y === null && missing.push(i));
  if (missing.length === 0) return 0;
  const field = o.params.labels.field ?? "label";
  const found = new Map<string, unknown>();
  const { collection, file } = o.params.labels;
  if (collection && o.mongo && o.params.source.kind === "mongodb") {
    const coll = o.mongo.db(o.params.source.database).collection(collection);
    for (let i = 0; i < missing.length; i += 1000) {
      const ids = missing.slice(i, i + 1000).map((k) =>
        BSON.EJSON.parse(w.ids[k], { relaxed: false })
      );
      for await (const doc of coll.find({ _id: { $in: ids } })) {
        found.set(BSON.EJSON.stringify(doc._id, { relaxed: false }), doc[field] ?? doc.label);
      }
    }
  }
  if (file) {
    let header: string[] | undefined;
    for await (const batch of readCsvFile(file)) {
      for (const r of batch.rows) {
        if (!header) header = r;
        else if (r.length >= 2) found.set(r[header.indexOf("id")], r[header.indexOf("label")]);
      }
    }
  }
  let joined = 0;
  for (const k of missing) {
    const raw = found.get(w.ids[k]);
    if (raw === undefined) continue;
    try {
      w.y[k] = targetClass(o.scorer.preprocess, raw);
      joined++;
    } catch {
      // An unknown label stays unknown.
    }
  }
  return joined;
}

/**
 * Run the monitor once.
 *
 * @example
 * ```ts ignore
 * import { runMonitor } from "./run.ts";
 * const report = await runMonitor({ params, scorer, store, mongo });
 * if (report.alerts.length > 0) Deno.exit(9);
 * ```
 */
export async function runMonitor(o: MonitorRunOptions): Promise<MonitorReport> {
  const start = performance.now();
  const log = o.log ?? nullLogger;
  const p = o.params;
  const held = await acquireLease(o.store, { seconds: p.leaseSeconds, breakLease: o.breakLease });
  const report: MonitorReport = {
    modelVersion: o.scorer.version,
    units: [],
    records: 0,
    scored: 0,
    rejected: 0,
    labels: { threat: 0, benign: 0 },
    drifted: [],
    driftTested: false,
    watermark: { from: held.state.watermark, to: held.state.watermark },
    labelsJoined: 0,
    alerts: [],
    seconds: 0,
  };
  const tmp = await Deno.makeTempDir({ prefix: "threatline_monitor_" });
  const ctx = { params: p, scorer: o.scorer, tmp, mongo: o.mongo, s3: o.s3 };
  let released = false;
  try {
    const watermark = held.state.watermark;
    let pending: NewFiles | undefined;
    const next = async (): Promise<Unit | undefined> => {
      if (p.source.kind === "mongodb") {
        // One unit per run: the backlog beyond max_records waits for the next run.
        return report.units.length > 0 ? undefined : await mongoUnit(ctx, watermark);
      }
      // One listing per run; files arriving meanwhile wait for the next run.
      pending ??= await listNewFiles(ctx, watermark);
      const late = pending.late.shift();
      if (late !== undefined) {
        // Scored first, while the watermark is still the run's: it stays there.
        log.warn("monitor: late file (named before the watermark, never scored): scoring it", {
          file: late,
          watermark,
        });
        return { ...await fileUnit(ctx, late), position: watermark! };
      }
      const name = pending.fresh.shift();
      return name === undefined ? undefined : await fileUnit(ctx, name);
    };
    for (let unit = await next(); unit; unit = await next()) {
      const out = join(tmp, "scored.csv"), rejects = join(tmp, "scored.rejects.csv");
      const s = await predictBatch({
        scorer: o.scorer,
        inputs: [unit.input],
        format: unit.format,
        out,
        rejects,
        outFormat: "csv",
        workers: o.workers,
        log,
      });
      await unit.write({
        out,
        rejects,
        rejected: s.rejected,
        modelVersion: s.modelVersion,
        threshold: s.threshold,
      });
      await o.afterWrite?.(unit.name);
      const scores = await unitScores(unit, out);
      for (const pr of scores.p) {
        if (pr >= s.threshold) report.labels.threat++;
        else report.labels.benign++;
      }
      await commit(o.store, held.lease, (st) => ({
        ...st,
        watermark: unit.position,
        window: pushScores(st.window, scores, p.window),
        records: st.records + s.rows,
      }), { extendSeconds: p.leaseSeconds });
      report.units.push(unit.name);
      report.records += s.rows;
      report.scored += s.scored;
      report.rejected += s.rejected;
      report.driftTested ||= s.driftTested;
      for (const c of s.drifted) if (!report.drifted.includes(c)) report.drifted.push(c);
      report.watermark.to = unit.position;
      log.info("monitor: unit done", { unit: unit.name, rows: s.rows, rejected: s.rejected });
    }
    // Labels that arrived since, the live metrics, the alerts; then release the lease.
    const final = await commit(o.store, held.lease, (st) => {
      const window = { ids: st.window.ids, p: st.window.p, y: [...st.window.y] };
      return { ...st, window, runs: st.runs + 1 };
    }, { extendSeconds: p.leaseSeconds });
    report.labelsJoined = await joinLabels(o, final.window);
    await commit(o.store, held.lease, (st) => ({ ...st, window: final.window }), {
      release: true,
    });
    released = true;
    const live = liveMetrics(final.window, o.scorer.threshold, p.minLabeled);
    report.live = live;
    report.alerts = alerts(report.drifted, live, p.thresholds);
  } finally {
    if (!released) {
      // A failed run gives the lease back (its committed units stay committed).
      await commit(o.store, held.lease, (st) => st, { release: true }).catch(() => {});
    }
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  report.seconds = (performance.now() - start) / 1000;
  return report;
}
