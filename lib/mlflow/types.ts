/**
 * The MLflow REST entities the client reads and writes (field names as on
 * the wire).
 *
 * @module
 */

/** A key/value pair (params and tags). */
export interface KeyValue {
  /** Key. */
  key: string;
  /** Value (always a string in MLflow). */
  value: string;
}

/** One metric value. */
export interface Metric {
  /** Metric name. */
  key: string;
  /** Value. */
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Step (default 0). */
  step?: number;
}

/** An experiment. */
export interface Experiment {
  /** Id. */
  experiment_id: string;
  /** Name. */
  name: string;
  /** Root of its runs' artifacts. */
  artifact_location?: string;
  /** `active` or `deleted`. */
  lifecycle_stage?: string;
}

/** Run states. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

/** What identifies a run. */
export interface RunInfo {
  /** Run id. */
  run_id: string;
  /** Experiment id. */
  experiment_id: string;
  /** Display name. */
  run_name?: string;
  /** State. */
  status: RunStatus;
  /** Start, ms since the epoch. */
  start_time?: number;
  /** End, ms since the epoch. */
  end_time?: number;
  /** Where its artifacts live, e.g. `mlflow-artifacts:/1/<run>/artifacts`. */
  artifact_uri: string;
}

/** A run with its data. */
export interface Run {
  /** Identity and state. */
  info: RunInfo;
  /** Latest params, metrics and tags. */
  data: { params?: KeyValue[]; metrics?: Metric[]; tags?: KeyValue[] };
}

/** An artifact listing entry. */
export interface FileInfo {
  /** Path relative to the run's artifact root. */
  path: string;
  /** Whether it is a folder. */
  is_dir: boolean;
  /** Bytes (files only). */
  file_size?: number;
}

/** A model version in the registry. */
export interface ModelVersion {
  /** Registered model name. */
  name: string;
  /** Version number, as a string. */
  version: string;
  /** Legacy stage: `None`, `Staging`, `Production` or `Archived`. */
  current_stage?: string;
  /** Where the model files are. */
  source?: string;
  /** The run that produced it. */
  run_id?: string;
  /** `READY`, `PENDING_REGISTRATION` or `FAILED_REGISTRATION`. */
  status?: string;
  /** Version tags. */
  tags?: KeyValue[];
  /** Aliases pointing at it. */
  aliases?: string[];
}

/** A registered model. */
export interface RegisteredModel {
  /** Name. */
  name: string;
  /** Latest version per stage. */
  latest_versions?: ModelVersion[];
  /** Aliases and the versions they point at. */
  aliases?: { alias: string; version: string }[];
}
