/**
 * The types of a parsed pipeline (stages, outs, params references), apart
 * from the parser in `spec.ts` so the parser's helpers (`_stage.ts`,
 * `graph.ts`, `params.ts`) can use them without an import cycle. `spec.ts`
 * re-exports them.
 *
 * @module
 */
/** What a stage output is: a plain out, a metrics file or a plots file. */
export type OutKind = "out" | "metric" | "plot";

/** 1-based position in the pipeline file. */
export interface SpecLocation {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** One output of a stage (from `outs`, `metrics` or `plots`). */
export interface OutSpec {
  /** Normalised workspace-relative posix path. */
  path: string;
  /** Which list it came from. */
  kind: OutKind;
  /** Whether the runner caches it (default true; false for metrics). */
  cache: boolean;
  /** Whether it is kept (not deleted) before the stage runs (default false). */
  persist: boolean;
  /** Plot options (`x`, `y`, `template`, `title`, …), kept opaque. */
  options?: Record<string, unknown>;
  /** Where the path is written in the pipeline file. */
  where?: SpecLocation;
}

/** Keys a stage reads from one params file. */
export interface ParamRef {
  /** Normalised params file path (default `params.yaml`). */
  file: string;
  /** Dotted keys, in declaration order. */
  keys: string[];
  /** Where each key is declared, index-aligned with `keys`. */
  keyWhere?: SpecLocation[];
}

/** One validated stage. */
export interface StageSpec {
  /** Stage name (the key under `stages`). */
  name: string;
  /** Commands, run in order (a string `cmd` becomes a one-item list). */
  cmd: string[];
  /** Normalised dep paths, in declaration order. */
  deps: string[];
  /** Params per file, files in order of first mention. */
  params: ParamRef[];
  /** `outs`, `metrics` and `plots` together, each with its kind. */
  outs: OutSpec[];
  /** `desc`, if given. */
  desc?: string;
  /** `always_changed`: run even when nothing changed. */
  alwaysChanged: boolean;
  /** `frozen`: never run; its lock entry is trusted as is. */
  frozen: boolean;
  /**
   * `source_check`: a cheap command whose output describes an external
   * source (row count, max id, metadata). The stage is stale when the output
   * differs from the one recorded in the lock (source_check.ts).
   */
  sourceCheck?: string;
  /** Where the stage name is written. */
  where: SpecLocation;
  /** Where each dep is written, index-aligned with `deps`. */
  depWhere?: SpecLocation[];
}

/** A validated pipeline file. */
export interface PipelineSpec {
  /** The pipeline file, as named in messages (e.g. `pipeline.yaml`). */
  file: string;
  /** Stages in file order. */
  stages: StageSpec[];
  /** Stages by name. */
  byName: Map<string, StageSpec>;
}
