/**
 * The monitor (`deno task monitor`): periodic batch scoring of new records
 * with drift and live-quality evaluation, exactly once per record.
 *
 * @module
 */
import { EXIT, PipelineError } from "../errors.ts";

export { type MonitorParams, readMonitorParams } from "./params.ts";
export { type MonitorReport, type MonitorRunOptions, runMonitor } from "./run.ts";
export {
  acquireLease,
  type CasStore,
  commit,
  emptyState,
  LeaseLostError,
  type MonitorState,
} from "./state.ts";
export { fileStore, mongoStore, s3Store } from "./_stores.ts";
export { alerts, type LiveMetrics, liveMetrics, pushScores } from "./window.ts";
export { historyEntry, logMonitorRun, monitorMetrics } from "./record.ts";

/**
 * Drift or live quality crossed `monitor.thresholds` (exit 9); the message
 * lists every threshold crossed.
 *
 * @example
 * ```ts
 * import { MonitorAlertError } from "./mod.ts";
 * new MonitorAlertError(["live recall 0.5 < monitor.thresholds.min_recall 0.9"]).exitCode; // 8
 * ```
 */
export class MonitorAlertError extends PipelineError {
  /** Create the error from the alerts. */
  constructor(alerts: string[], hint?: string) {
    super(`monitor: ${alerts.length} threshold(s) crossed: ${alerts.join("; ")}`, {
      code: "MONITOR_ALERT",
      exitCode: EXIT.alert,
      hint,
    });
  }
}
