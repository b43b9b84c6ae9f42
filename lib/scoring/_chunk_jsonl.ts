/**
 * Scoring one chunk of JSON Lines input: each line a JSON object, transformed
 * by the preprocessing, counted into the column codecs for drift. Private to
 * lib/scoring (the JSONL path of `ChunkScorer` in `_chunk.ts`).
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { csvField } from "../data/csv.ts";
import { type Preprocessor, transformRecord } from "../learn/preprocess.ts";
import { cellKey, countValue } from "./_batch_drift.ts";
import { type Codec, fatal, type Ids, lenient } from "./_codec.ts";
import { isBlank, LF } from "./_records.ts";
import type { ChunkJob, Reject } from "./_chunk_types.ts";

/** What one JSONL chunk is scored with and into (the chunk scorer's state). */
export interface JsonlChunk {
  /** The preprocessing that encodes a record. */
  pre: Preprocessor;
  /** Pass unknown categories instead of rejecting the row. */
  allowUnknown: boolean;
  /** Encoded rows are written here, `pre.width` values a row. */
  x: Float32Array;
  /** The feature columns' codecs (their drift counts grow). */
  codecs: Codec[];
  /** The numeric cells of the current row, by numeric column index. */
  rowCells: (number | null)[];
  /** The id column, when rows are identified by it. */
  idName: string | undefined;
  /** Offer a scored row to the drift sample. */
  sampleRow(row: number): void;
  /** The chunk. */
  job: ChunkJob;
  /** Scored rows' numbers (out). */
  rows: number[];
  /** Scored rows' ids (out). */
  ids: Ids;
  /** Rejected rows (out). */
  rejects: Reject[];
}

/**
 * Score the records of a JSONL chunk into `t.x`; returns the records read.
 *
 * @example
 * ```ts ignore
 * import { scoreJsonl } from "./_chunk_jsonl.ts";
 * const read = scoreJsonl({ pre, allowUnknown: false, x, codecs, rowCells, idName, sampleRow, job, rows, ids, rejects });
 * ```
 */
export function scoreJsonl(t: JsonlChunk): number {
  const { job, rows, ids, rejects, pre, x, codecs, rowCells, idName } = t;
  const { bytes } = job;
  const width = pre.width;
  const options = { allowUnknown: t.allowUnknown };
  let pos = 0, row = job.startRow, line = job.startLine, read = 0;
  while (pos < bytes.length) {
    let end = bytes.indexOf(LF, pos);
    if (end === -1) end = bytes.length;
    const a = pos;
    pos = end + 1;
    if (isBlank(bytes, a, end)) {
      line++;
      continue;
    }
    read++;
    const text = lenient.decode(bytes.subarray(a, end)).replace(/\r$/, "");
    const reject = (reason: string) => rejects.push({ row, line, reason, record: text });
    try {
      const record = JSON.parse(fatal.decode(bytes.subarray(a, end)));
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        reject("the line is not a JSON object");
      } else {
        const base = rows.length * width;
        x.set(transformRecord(pre, record, options), base);
        for (const c of codecs) {
          const v = c.coerce(record[c.enc.column.name]);
          if (c.discrete) countValue(c.counts, cellKey(v as never), 1);
          else rowCells[c.numeric] = v as number | null;
        }
        if (idName !== undefined) {
          const id = record[idName] ?? null;
          ids.csv.push(csvField(id === null ? "" : String(id)));
          ids.json.push(JSON.stringify(id));
        }
        rows.push(row);
        if (rowCells.length > 0) t.sampleRow(row);
      }
    } catch (err) {
      if (err instanceof DataError) reject(err.message);
      else if (err instanceof SyntaxError || err instanceof TypeError) {
        reject(`not valid JSON: ${err.message}`);
      } else throw err;
    }
    row++;
    line++;
  }
  return read;
}
