/**
 * The Runs page's source when `MLFLOW_TRACKING_URI` is set: the parent runs
 * `deno task repro` logs (lib/mlflow/tracking.ts, tag `threatline.kind =
 * repro`) in the configured experiment, as run records. MLflow holds every
 * declared param (not only the changed ones), so the diff of two MLflow
 * runs compares all params; the git dirty flag is not logged there.
 *
 * @module
 */
import type { MlflowClient } from "../mlflow/client.ts";
import type { Run } from "../mlflow/types.ts";
import type { Scalar } from "../reports/diff_table.ts";
import type { RunRecord, StageOutcome } from "../runner/run/run_history.ts";
import type { RunSource } from "./runs_data.ts";

/** Most runs read from MLflow (one `runs/search` page). */
export const MLFLOW_MAX_RUNS = 1000;

/** A run record with every param the run logged. */
export type MlflowRunRecord = RunRecord & { params: Record<string, Record<string, Scalar>> };

const STATUS: Record<string, RunRecord["outcome"]> = {
  FINISHED: "ok",
  FAILED: "failed",
  KILLED: "interrupted",
};

/**
 * One MLflow parent run as a run record.
 *
 * @example
 * ```ts ignore
 * const record = runFromMlflow(run);
 * ```
 */
export function runFromMlflow(run: Run): MlflowRunRecord {
  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  const start = run.info.start_time ?? 0;
  const end = run.info.end_time ?? start;
  const commit = tags["mlflow.source.git.commit"];
  const metrics: Record<string, Scalar> = {};
  for (const m of run.data.metrics ?? []) metrics[m.key] = m.value;
  const params: Record<string, Scalar> = {};
  for (const p of run.data.params ?? []) params[p.key] = p.value;
  const stages = Object.entries(tags)
    .filter(([k]) => k.startsWith("threatline.outcome."))
    .map(([k, v]) => ({
      name: k.slice("threatline.outcome.".length),
      outcome: (v === "fresh" || v === "frozen" ? "skipped" : v) as StageOutcome,
      seconds: 0,
    }));
  return {
    id: run.info.run_id,
    kind: tags["threatline.kind"] ?? "mlflow",
    started: new Date(start).toISOString(),
    ended: new Date(end).toISOString(),
    seconds: Math.max(0, end - start) / 1000,
    outcome: STATUS[run.info.status] ?? ("interrupted" as const),
    ...(commit ? { git: { commit, dirty: false } } : {}),
    args: [],
    changedParams: {},
    metrics: { mlflow: metrics },
    params: { mlflow: params },
    models: {},
    stages,
  };
}

/**
 * The repro runs of an experiment, newest first (at most {@linkcode MLFLOW_MAX_RUNS}).
 *
 * @example
 * ```ts ignore
 * const runs = await mlflowRuns(new MlflowClient({ trackingUri }), "threatline");
 * ```
 */
export async function mlflowRuns(
  client: MlflowClient,
  experimentName: string,
): Promise<MlflowRunRecord[]> {
  const exp = await client.getExperimentByName(experimentName);
  if (!exp) return [];
  const runs = await client.searchRuns({
    experimentIds: [exp.experiment_id],
    filter: "tags.`threatline.kind` = 'repro'",
    maxResults: MLFLOW_MAX_RUNS,
  });
  return runs.map(runFromMlflow).sort((a, b) => (a.started < b.started ? 1 : -1));
}

/**
 * The Runs page's source for an MLflow experiment.
 *
 * @example
 * ```ts ignore
 * const source = mlflowRunSource(client, config.experimentName);
 * ```
 */
export function mlflowRunSource(client: MlflowClient, experimentName: string): RunSource {
  return {
    name: `MLflow experiment ${experimentName}`,
    load: () => mlflowRuns(client, experimentName),
  };
}
