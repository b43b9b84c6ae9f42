/**
 * Model registry with a promotion gate. Every registration creates a new
 * version of the registered model (created on first use), tagged with the
 * gate metric's value (`threatline.metric.<name>`). The new version then
 * meets the current champion:
 *
 * - mode `alias` (MLflow ≥ 2.3): the champion is the version the alias
 *   `champion` points at. A better version gets `champion`; otherwise it
 *   gets `challenger` and `champion` stays where it was.
 * - mode `stages` (the older workflow, for servers that use it): every new
 *   version goes to `Staging`; the champion is the latest `Production`
 *   version. A better version moves to `Production` (archiving the previous
 *   one); otherwise it stays in `Staging`.
 *
 * "Better" means strictly better by more than `minDelta` in the gate's
 * direction (`max`: higher wins, `min`: lower wins). With no champion yet,
 * the first version becomes champion. A champion whose value for the gate
 * metric is unknown (no tag on the version, no metric on its run) is kept:
 * the new version stays a challenger and the result says why. The decision
 * is also written on the version as the tag `threatline.decision`.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { type KeyValue, MlflowApiError, type MlflowClient, type ModelVersion } from "./client.ts";

/** How registrations are promoted. */
export type RegistryMode = "alias" | "stages";

/** The alias of the promoted version (alias mode). */
export const CHAMPION_ALIAS = "champion";
/** The alias of the latest version that did not beat the champion (alias mode). */
export const CHALLENGER_ALIAS = "challenger";

/** The promotion gate: a holdout metric and which way is better. */
export interface Gate {
  /** Metric name, e.g. `roc_auc`. */
  metric: string;
  /** `max`: higher is better; `min`: lower is better. */
  direction: "max" | "min";
  /** Required improvement over the champion (default 0: any strict improvement). */
  minDelta?: number;
}

/** What the gate decided. */
export interface GateDecision {
  /** Whether the candidate becomes the champion. */
  promote: boolean;
  /** A sentence saying why. */
  reason: string;
}

/**
 * Decide whether `candidate` beats `champion` (undefined: no champion yet;
 * `null`: a champion whose value is unknown).
 *
 * @example
 * ```ts
 * import { gateDecision } from "./registry.ts";
 * const gate = { metric: "roc_auc", direction: "max" } as const;
 * gateDecision(gate, 0.97, { version: "1", value: 0.95 }).promote; // true
 * gateDecision(gate, 0.94, { version: "1", value: 0.95 }).promote; // false
 * ```
 */
export function gateDecision(
  gate: Gate,
  candidate: number,
  champion: { version: string; value: number | null } | undefined,
): GateDecision {
  const m = gate.metric;
  if (!champion) return { promote: true, reason: `no champion yet; ${m} = ${candidate}` };
  if (champion.value === null) {
    return {
      promote: false,
      reason: `champion v${champion.version} has no recorded ${m}, so it is kept`,
    };
  }
  const delta = gate.minDelta ?? 0;
  const better = gate.direction === "max"
    ? candidate > champion.value + delta
    : candidate < champion.value - delta;
  const op = better ? (gate.direction === "max" ? ">" : "<") : "does not beat";
  const margin = delta > 0 ? ` by more than ${delta}` : "";
  return {
    promote: better,
    reason: `${m} ${candidate} ${op} champion v${champion.version}'s ${champion.value}${
      better ? "" : margin
    }`,
  };
}

/** Options of {@linkcode registerModel}. */
export interface RegisterOptions {
  /** The client. */
  client: MlflowClient;
  /** Registered model name. */
  name: string;
  /** Where the model files are (e.g. `<run artifact_uri>/model`). */
  source: string;
  /** The run that produced the files. */
  runId?: string;
  /** The candidate's value of `gate.metric` on the holdout set. */
  value: number;
  /** The promotion gate. */
  gate: Gate;
  /** `alias` (default) or `stages`. */
  mode?: RegistryMode;
  /** More version tags (e.g. the model card version, the S3 URI). */
  tags?: Record<string, string>;
  /** Version description. */
  description?: string;
  /** Progress. */
  log?: Logger;
}

/** What {@linkcode registerModel} did. */
export interface Registration {
  /** Registered model name. */
  name: string;
  /** The new version. */
  version: string;
  /** Mode used. */
  mode: RegistryMode;
  /** `champion` when promoted, else `challenger`. */
  decision: "champion" | "challenger";
  /** Why. */
  reason: string;
  /** The champion before this registration, if any. */
  previousChampion?: { version: string; value: number | null };
  /** The version's stage afterwards (stages mode). */
  stage?: string;
}

/**
 * The version tag holding a gate metric's value.
 *
 * @example
 * ```ts
 * import { metricTag } from "./registry.ts";
 * metricTag("roc_auc"); // "threatline.metric.roc_auc"
 * ```
 */
export function metricTag(metric: string): string {
  return `threatline.metric.${metric}`;
}

/**
 * Register a new model version and run the promotion gate (see the module
 * doc). MLflow failures are `ServiceError`s from the client.
 *
 * @example
 * ```ts ignore
 * import { registerModel } from "./registry.ts";
 * const reg = await registerModel({ client, name: "threat-detector", source: `${run.artifact_uri}/model`,
 *   runId: run.run_id, value: 0.991, gate: { metric: "roc_auc", direction: "max" } });
 * reg.decision; // "champion" or "challenger"
 * ```
 */
export async function registerModel(o: RegisterOptions): Promise<Registration> {
  const { client, name, gate } = o;
  const mode = o.mode ?? "alias";
  const log = o.log ?? nullLogger;
  if (!Number.isFinite(o.value)) {
    throw new DataError(
      `the gate metric '${gate.metric}' must be a finite number, got ${o.value}`,
      {
        field: gate.metric,
      },
    );
  }
  const model = await client.ensureRegisteredModel(name);
  const championVersion = mode === "alias"
    ? model.aliases?.find((a) => a.alias === CHAMPION_ALIAS)?.version
    : (await client.getLatestVersions(name, ["Production"]))[0]?.version;
  const tags: KeyValue[] = [
    ...Object.entries(o.tags ?? {}).map(([key, value]) => ({ key, value })),
    { key: metricTag(gate.metric), value: String(o.value) },
    { key: "threatline.gate", value: `${gate.direction} ${gate.metric}` },
  ];
  const created = await client.createModelVersion({
    name,
    source: o.source,
    runId: o.runId,
    tags,
    description: o.description,
  });
  const version = created.version;
  const previousChampion = championVersion === undefined
    ? undefined
    : { version: championVersion, value: await recordedValue(client, name, championVersion, gate) };
  const { promote, reason } = gateDecision(gate, o.value, previousChampion);
  let stage: string | undefined;
  if (mode === "alias") {
    await client.setAlias(name, promote ? CHAMPION_ALIAS : CHALLENGER_ALIAS, version);
  } else {
    stage = (await client.transitionStage({ name, version, stage: "Staging" })).current_stage;
    if (promote) {
      stage = (await client.transitionStage({
        name,
        version,
        stage: "Production",
        archiveExisting: true,
      })).current_stage;
    }
  }
  const decision = promote ? "champion" : "challenger";
  await client.setModelVersionTag(name, version, { key: "threatline.decision", value: decision });
  log.info(promote ? "MLflow: new champion" : "MLflow: registered as challenger", {
    model: name,
    version,
    mode,
    reason,
  });
  return { name, version, mode, decision, reason, previousChampion, stage };
}

/** The gate metric of a registered version: its tag, else its run's metric, else null. */
async function recordedValue(
  client: MlflowClient,
  name: string,
  version: string,
  gate: Gate,
): Promise<number | null> {
  const mv: ModelVersion = await client.getModelVersion(name, version);
  const tagged = Number(mv.tags?.find((t) => t.key === metricTag(gate.metric))?.value ?? NaN);
  if (Number.isFinite(tagged)) return tagged;
  if (!mv.run_id) return null;
  const run = await client.getRun(mv.run_id).catch((err) => {
    if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_DOES_NOT_EXIST") {
      return undefined;
    }
    throw err;
  });
  const logged = run?.data.metrics?.find((m) => m.key === gate.metric)?.value;
  return typeof logged === "number" && Number.isFinite(logged) ? logged : null;
}
