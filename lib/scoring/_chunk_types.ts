/**
 * The data a batch passes between its reader, its workers and its writer:
 * inputs, chunks, results, rejects, and the worker protocol. Private to
 * lib/scoring.
 *
 * @module
 */
import type { Where } from "../errors.ts";
import type { DriftState } from "./_batch_drift.ts";
import type { OutputFormat } from "./_out_format.ts";
import type { ScorerSnapshot } from "./scorer.ts";
import type { OvrModel } from "../learn/multiclass.ts";

/** Input formats. */
export type InputFormat = "csv" | "jsonl";

/** One input file as the chunk scorer sees it. */
export interface ChunkInput {
  /** Name for messages. */
  file: string;
  /** Its format. */
  format: InputFormat;
  /** CSV: the header's column names; JSON Lines: unused. */
  header: string[];
  /** CSV: the field separator, one ASCII character (default `,`). */
  delimiter?: string;
}

/** One rejected row. */
export interface Reject {
  /** 1-based row number (across the inputs). */
  row: number;
  /** Line where it starts in its file. */
  line: number;
  /** Why, naming the field. */
  reason: string;
  /** The raw record (without its line end). */
  record: string;
}

/** A chunk to score. */
export interface ChunkJob {
  /** Order of the chunk (results are written in this order). */
  seq: number;
  /** Whole records. */
  bytes: Uint8Array;
  /** Row number of its first record. */
  startRow: number;
  /** Line number of its first byte. */
  startLine: number;
  /** Records in it (as counted by `scanRecords`). */
  records: number;
}

/** What scoring a chunk gives. */
export interface ChunkResult {
  /** The chunk's order. */
  seq: number;
  /** Output bytes of its scored rows, in order. */
  output: Uint8Array;
  /** Its rejected rows, in order. */
  rejects: Reject[];
  /** Rows read. */
  rows: number;
  /** Rows scored. */
  scored: number;
}

/** How a batch is scored (the same in every worker). */
export interface ChunkSetup {
  /** Output format. */
  output: OutputFormat;
  /** Identify rows by the schema's id column (else by row number). */
  useId: boolean;
  /** Accept fields the schema does not know (JSON Lines; CSV headers are checked before). */
  allowUnknown?: boolean;
  /** Label threshold (default: the model card's). */
  threshold?: number;
  /** The model folder's class model (`multiclass.json`): rows also get `class` and `class_probability`. */
  classes?: OvrModel;
}

/** A message to a batch worker. */
export type WorkerRequest =
  | { type: "init"; snapshot: ScorerSnapshot; setup: ChunkSetup }
  | { type: "input"; input: ChunkInput }
  | { type: "chunk"; job: ChunkJob }
  | { type: "finish" };

/** A message from a batch worker. */
export type WorkerReply =
  | { type: "ready"; engine: string }
  | { type: "result"; result: ChunkResult }
  | { type: "drift"; state: DriftState }
  | {
    type: "error";
    error: { name: string; message: string; where?: Where; hint?: string; stack?: string };
  };
