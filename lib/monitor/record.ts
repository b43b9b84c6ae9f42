/**
 * Where a monitor run is recorded: a prediction-history entry (the
 * dashboard's history, lib/history/) and an MLflow monitoring run.
 *
 * @module
 */
import type { HistoryEntry } from "../history/mod.ts";
import { MlflowClient } from "../mlflow/client.ts";
import type { MlflowConfig } from "../mlflow/config.ts";
import type { Metric } from "../mlflow/types.ts";
import type { MonitorReport } from "./run.ts";

/**
 * The history entry of a run.
 *
 * @example
 * ```ts ignore
 * await history.append(historyEntry(report, { input: "threatline.flows", time: new Date() }));
 * ```
 */
export function historyEntry(
  r: MonitorReport,
  o: { input: string; time: Date; model?: string },
): HistoryEntry {
  return {
    id: `${o.time.getTime().toString(36).padStart(9, "0")}-${crypto.randomUUID().slice(0, 8)}`,
    time: o.time.toISOString(),
    source: "monitor",
    input: o.input,
    model: o.model ?? "threatline",
    modelVersion: r.modelVersion,
    rows: r.scored,
    rejects: r.rejected,
    labels: { threat: r.labels.threat, benign: r.labels.benign },
    driftFlags: r.drifted,
    extra: {
      units: r.units.length,
      watermark: r.watermark.to,
      live: r.live ?? null,
      alerts: r.alerts,
    },
  };
}

/**
 * The metrics of a run as MLflow metrics (`live_*` only when measured).
 *
 * @example
 * ```ts ignore
 * monitorMetrics(report, Date.now()).map((m) => m.key);
 * ```
 */
export function monitorMetrics(r: MonitorReport, timestamp: number): Metric[] {
  const m: Record<string, number> = {
    records: r.records,
    scored: r.scored,
    rejected: r.rejected,
    predicted_threats: r.labels.threat,
    drifted_columns: r.drifted.length,
    alerts: r.alerts.length,
    labels_joined: r.labelsJoined,
    seconds: r.seconds,
  };
  if (r.live) {
    m.live_labeled = r.live.labeled;
    m.live_precision = r.live.precision;
    m.live_recall = r.live.recall;
    m.live_fpr = r.live.fpr;
    if (Number.isFinite(r.live.roc_auc)) m.live_roc_auc = r.live.roc_auc;
  }
  return Object.entries(m).map(([key, value]) => ({ key, value, timestamp, step: 0 }));
}

/**
 * Log a run to MLflow as a finished run tagged `threatline.kind=monitor`;
 * returns its id.
 *
 * @example
 * ```ts ignore
 * const runId = await logMonitorRun(config, report, "default");
 * ```
 */
export async function logMonitorRun(
  config: MlflowConfig,
  r: MonitorReport,
  name: string,
): Promise<string> {
  const client = new MlflowClient({
    trackingUri: config.trackingUri,
    auth: config.auth,
    timeoutMs: config.timeoutMs,
  });
  const exp = await client.ensureExperiment(config.experimentName);
  const now = Date.now();
  const run = await client.createRun({
    experimentId: exp.experiment_id,
    runName: `monitor-${name}`,
    startTime: now - Math.round(r.seconds * 1000),
    tags: [
      { key: "threatline.kind", value: "monitor" },
      { key: "threatline.monitor", value: name },
      { key: "threatline.model_version", value: r.modelVersion },
    ],
  });
  await client.logBatch(run.run_id, {
    params: [
      { key: "model_version", value: r.modelVersion },
      { key: "watermark_from", value: String(r.watermark.from ?? "").slice(0, 500) },
      { key: "watermark_to", value: String(r.watermark.to ?? "").slice(0, 500) },
    ],
    metrics: monitorMetrics(r, now),
    tags: [
      { key: "drifted", value: r.drifted.join(",").slice(0, 5000) },
      { key: "alerts", value: r.alerts.join(" | ").slice(0, 5000) },
    ],
  });
  await client.updateRun(run.run_id, { status: r.alerts.length > 0 ? "FAILED" : "FINISHED" });
  return run.run_id;
}
