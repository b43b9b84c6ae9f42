/**
 * The first record of a batch input: the header row (checked against the
 * model), or, for a model trained on header-less files, the columns the
 * model's `preprocess.json` names (the first row stays data unless it
 * repeats those names). Empty and blank-only inputs are a `DataError` here;
 * header-only inputs are caught by the caller once it has counted the rows.
 * CSV records are split at the input's delimiter (the model's
 * `preprocess.json` `input.delimiter` unless the caller overrides it); a first
 * line that stays one field is a `DataError` naming the delimiter.
 * Private to lib/scoring.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { CsvParser } from "../data/csv.ts";
import type { Preprocessor } from "../learn/preprocess.ts";
import type { InputFormat } from "./_chunk.ts";
import type { RecordChunker } from "./_input.ts";

/** What {@linkcode readInputHeader} found. */
export interface InputHeader {
  /** Column names of the input's rows. */
  header: string[];
  /** Lines the header took (0 when the first row is data). */
  headerLines: number;
}

/** What {@linkcode readInputHeader} needs. */
export interface HeaderOptions {
  /** The model's preprocessing. */
  pre: Preprocessor;
  /** The input's format. */
  format: InputFormat;
  /** Name for messages. */
  file: string;
  /** Raw bytes read so far (tells an empty input from a blank one). */
  bytesRead: () => number;
  /** CSV field separator (default `,`). */
  delimiter?: string;
}

/**
 * The input's columns. Throws a `DataError` for an empty (0-byte) input,
 * for one with only blank lines, and for a CSV whose first line is one field
 * at the delimiter while the model reads several columns (a wrong delimiter).
 *
 * @example
 * ```ts ignore
 * const { header, headerLines } = await readInputHeader(chunker, { pre, format, file, bytesRead });
 * ```
 */
export async function readInputHeader(
  chunker: RecordChunker,
  o: HeaderOptions,
): Promise<InputHeader> {
  const first = await chunker.first();
  if (!first) {
    const empty = o.bytesRead() === 0;
    throw new DataError(
      empty ? "the input is empty (0 bytes)" : "the input holds only blank lines",
      {
        file: o.file,
        hint: o.format === "csv" && o.pre.spec.input?.header !== false
          ? "give a header row naming the columns, then one row per record"
          : "give one record per line",
      },
    );
  }
  const input = o.pre.spec.input;
  const delimiter = o.delimiter ?? ",";
  const fields = o.format === "csv" ? csvFields(first.bytes, o.file, delimiter) : [];
  if (o.format === "csv") {
    checkDelimiter(fields, { pre: o.pre, file: o.file, line: first.lines, delimiter });
  }
  if (o.format === "csv" && input && !input.header) {
    const names = new Set(input.columns);
    // A header row (every field a column name) is accepted too, and checked as usual.
    const isHeader = fields.length > 0 && fields.every((f) => names.has(f.trim()));
    if (isHeader) return { header: fields.map((f) => f.trim()), headerLines: first.lines };
    chunker.putBack(first.bytes);
    return { header: [...input.columns], headerLines: 0 };
  }
  const header = o.format === "csv" ? fields.map((c) => c.trim()) : jsonKeys(first, o.file);
  return { header, headerLines: first.lines };
}

/**
 * How a delimiter reads in messages.
 *
 * @example
 * ```ts
 * import { delimiterName } from "./_header.ts";
 * [delimiterName(";"), delimiterName("\t")]; // ["';'", "tab"]
 * ```
 */
export function delimiterName(d: string): string {
  return d === "\t" ? "tab" : `'${d}'`;
}

/**
 * A first line that stays one field while the model reads more, and holds
 * another common separator (or the model reads header-less files): the
 * wrong delimiter.
 */
function checkDelimiter(
  fields: string[],
  at: { pre: Preprocessor; file: string; line: number; delimiter: string },
): void {
  const wanted = at.pre.spec.input?.header === false
    ? at.pre.spec.input.columns.length
    : at.pre.encoders.filter((e) => !e.column.nullable).length;
  if (fields.length !== 1 || wanted < 2) return;
  const seen = [",", ";", "\t", "|"].find((d) => d !== at.delimiter && fields[0].includes(d));
  // With a header and no other separator in sight, the header check says more.
  if (!seen && at.pre.spec.input?.header !== false) return;
  const model = at.pre.spec.input?.delimiter ?? ",";
  throw new DataError(
    `the first line is a single field when split at ${delimiterName(at.delimiter)}` +
      (seen ? `; it looks ${delimiterName(seen)}-separated` : ""),
    {
      file: at.file,
      line: at.line,
      hint: `the model reads ${delimiterName(model)}-separated files; ` +
        `give the file's separator with --delimiter${
          seen ? ` (e.g. --delimiter ${JSON.stringify(seen)})` : ""
        }`,
    },
  );
}

function csvFields(bytes: Uint8Array, file: string, delimiter: string): string[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DataError("the first line is not valid UTF-8 text", { file, line: 1 });
  }
  const p = new CsvParser({ file, delimiter });
  return [...p.push(text).rows, ...p.end().rows][0] ?? [];
}

/** The keys of a JSON Lines input's first record. */
function jsonKeys(first: { bytes: Uint8Array; lines: number }, file: string): string[] {
  let record: unknown;
  try {
    record = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(first.bytes));
  } catch (err) {
    throw new DataError(`the first line is not JSON: ${(err as Error).message}`, { file });
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    throw new DataError("the first line is not a JSON object", { file });
  }
  return Object.keys(record);
}

/**
 * Check an input's columns against the model: every non-nullable feature
 * present, nothing the schema does not know, no duplicate. Throws one
 * `DataError` listing every problem.
 *
 * @example
 * ```ts ignore
 * import { checkHeader } from "./batch.ts";
 * checkHeader(scorer.preprocess, ["url_length", "sfh"], { file: "in.csv", line: 1 });
 * ```
 */
export function checkHeader(
  pre: Preprocessor,
  header: string[],
  at: { file: string; line?: number },
): void {
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) {
    throw new DataError(`the header names column '${dup}' twice`, { ...at, field: dup });
  }
  const missing = pre.encoders.map((e) => e.column)
    .filter((c) => !c.nullable && !header.includes(c.name)).map((c) => c.name);
  // Source-only (`drop`) columns of the training files are accepted and ignored.
  const dropped = new Set(pre.spec.input?.drop ?? []);
  const unexpected = header.filter((h) => !pre.fields.has(h) && !dropped.has(h));
  if (missing.length === 0 && unexpected.length === 0) return;
  const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(", ");
  const problems = [
    ...(missing.length ? [`missing column(s) ${list(missing)}`] : []),
    ...(unexpected.length ? [`unexpected column(s) ${list(unexpected)}`] : []),
  ];
  const target = pre.schema.target.column;
  throw new DataError(`wrong header: ${problems.join("; ")}`, {
    ...at,
    field: missing[0] ?? unexpected[0],
    hint: `the model reads ${pre.inputs.join(",")}` +
      `${
        pre.schema.id ? ` (and the id '${pre.schema.id}')` : ""
      }; the label '${target}' may be present`,
  });
}
