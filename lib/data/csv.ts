/**
 * A streaming RFC 4180 CSV reader and a small writer, hand-rolled for speed:
 * chunks are decoded once and fields cut with `charCodeAt`/`slice`, records
 * come out in batches with the (1-based) line each record starts on. Quoted
 * fields may hold delimiters, `""` and newlines; `\n`, `\r\n` and `\r` end
 * records; blank lines are skipped; `.gz` files are decompressed on the fly.
 *
 * @module
 */
import { DataError } from "../errors.ts";

/** Options of the reader. */
export interface CsvOptions {
  /** Field separator, one character (default `,`). */
  delimiter?: string;
  /** File name for error messages. */
  file?: string;
}

/** Records parsed from one chunk of input. */
export interface CsvBatch {
  /** The records' fields. */
  rows: string[][];
  /** 1-based line where each record starts. */
  lines: number[];
}

const QUOTE = 34, LF = 10, CR = 13;

/**
 * Incremental CSV parser: feed text with {@linkcode CsvParser.push}, finish
 * with {@linkcode CsvParser.end}. Malformed quoting throws a `DataError`
 * naming file, line and column.
 *
 * @example
 * ```ts
 * import { CsvParser } from "./csv.ts";
 * const p = new CsvParser();
 * const a = p.push('a,"b\nc"\n1,');
 * const b = p.end();
 * [a.rows, b.rows, b.lines]; // [[["a", "b\nc"]], [["1", ""]], [3]]
 * ```
 */
export class CsvParser {
  #carry = "";
  #line = 1;
  #width = 0;
  #delim: number;
  #file: string;

  /** Create a parser. */
  constructor(options: CsvOptions = {}) {
    const d = options.delimiter ?? ",";
    if (d.length !== 1 || d === '"' || d === "\n" || d === "\r") {
      throw new RangeError(`CSV delimiter must be one character other than quote/newline: '${d}'`);
    }
    this.#delim = d.charCodeAt(0);
    this.#file = options.file ?? "<csv>";
  }

  /** Parse the complete records in `text` (plus what was held back before). */
  push(text: string): CsvBatch {
    return this.#parse(this.#carry + text, false);
  }

  /** Parse whatever is left; the input has ended. */
  end(): CsvBatch {
    const rest = this.#carry;
    this.#carry = "";
    return this.#parse(rest, true);
  }

  #fail(buf: string, at: number, line: number, message: string): never {
    const column = at - buf.lastIndexOf("\n", at - 1);
    throw new DataError(message, { file: this.#file, line, column, code: "CSV" });
  }

  #parse(buf: string, final: boolean): CsvBatch {
    const rows: string[][] = [];
    const lines: number[] = [];
    const n = buf.length;
    const delim = this.#delim;
    let i = 0;
    let line = this.#line;
    let recordStart = 0;
    let recordLine = line;
    let incomplete = false;
    records: while (i < n) {
      recordStart = i;
      recordLine = line;
      // Records usually have as many fields as the last one: preallocate.
      const fields: string[] = new Array(this.#width);
      let nf = 0;
      let sawQuote = false;
      for (;;) {
        let c: number;
        if (i < n && buf.charCodeAt(i) === QUOTE) {
          sawQuote = true;
          let value = "";
          let seg = i + 1;
          let j = seg;
          for (;;) {
            const q = buf.indexOf('"', j);
            if (q === -1) {
              if (!final) {
                incomplete = true;
                break records;
              }
              this.#fail(buf, recordStart, recordLine, "unterminated quoted field");
            }
            for (let k = buf.indexOf("\n", j); k !== -1 && k < q; k = buf.indexOf("\n", k + 1)) {
              line++;
            }
            if (q + 1 >= n && !final) {
              incomplete = true;
              break records;
            }
            if (buf.charCodeAt(q + 1) === QUOTE) {
              value += buf.slice(seg, q + 1);
              j = seg = q + 2;
              continue;
            }
            value += buf.slice(seg, q);
            i = q + 1;
            break;
          }
          fields[nf++] = value;
          c = i < n ? buf.charCodeAt(i) : -1;
          if (c !== delim && c !== LF && c !== CR && c !== -1) {
            this.#fail(buf, i, line, `unexpected ${JSON.stringify(buf[i])} after a closing quote`);
          }
        } else {
          let j = i;
          c = -1;
          while (j < n) {
            c = buf.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          if (j >= n) {
            if (!final) {
              incomplete = true;
              break records;
            }
            c = -1;
          }
          fields[nf++] = buf.slice(i, j);
          i = j;
        }
        if (c === delim) {
          i++;
          if (i >= n && !final) {
            incomplete = true;
            break records;
          }
          if (i >= n) {
            fields[nf++] = "";
            break;
          }
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n && !final) {
            incomplete = true;
            break records;
          }
          i += buf.charCodeAt(i + 1) === LF ? 2 : 1;
        } else if (c === LF) {
          i++;
        }
        break;
      }
      line++;
      if (nf === 1 && fields[0] === "" && !sawQuote) continue;
      if (nf !== fields.length) {
        fields.length = nf;
        if (nf > 0) this.#width = nf;
      }
      rows.push(fields);
      lines.push(recordLine);
    }
    if (incomplete) {
      // An incomplete record: keep it for the next chunk.
      this.#carry = buf.slice(recordStart);
      this.#line = recordLine;
    } else {
      this.#carry = "";
      this.#line = line;
    }
    return { rows, lines };
  }
}

/**
 * Parse a whole CSV text at once.
 *
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * parseCsv("a,b\n1,2\n").rows; // [["a", "b"], ["1", "2"]]
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvBatch {
  const p = new CsvParser(options);
  const a = p.push(text);
  const b = p.end();
  return { rows: a.rows.concat(b.rows), lines: a.lines.concat(b.lines) };
}

/**
 * Parse a byte stream (UTF-8) into batches of records, one per chunk.
 * Invalid UTF-8 throws a `DataError`.
 *
 * @example
 * ```ts
 * import { readCsvStream } from "./csv.ts";
 * const stream = ReadableStream.from([new TextEncoder().encode("x\n1\n")]);
 * for await (const batch of readCsvStream(stream)) console.log(batch.rows);
 * ```
 */
export async function* readCsvStream(
  stream: ReadableStream<Uint8Array>,
  options: CsvOptions = {},
): AsyncGenerator<CsvBatch> {
  const file = options.file ?? "<csv>";
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parser = new CsvParser(options);
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (err) {
      throw new DataError("file is not valid UTF-8 text", { file, cause: err, code: "CSV" });
    }
  };
  try {
    for await (const chunk of stream) {
      const batch = parser.push(decode(chunk));
      if (batch.rows.length > 0) yield batch;
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    // DecompressionStream and the file reader fail with TypeError/Error.
    throw new DataError(`cannot read: ${(err as Error).message}`, { file, cause: err });
  }
  const last = parser.push(decode());
  const rest = parser.end();
  if (last.rows.length > 0) yield last;
  if (rest.rows.length > 0) yield rest;
}

/**
 * Open a CSV file (gzip-compressed when the name ends in `.gz`) and parse it
 * in batches. A missing file throws a `DataError`.
 *
 * @example
 * ```ts ignore
 * import { readCsvFile } from "./csv.ts";
 * for await (const { rows, lines } of readCsvFile("data/flows.csv.gz")) console.log(rows.length, lines[0]);
 * ```
 */
export async function* readCsvFile(
  path: string,
  options: Omit<CsvOptions, "file"> = {},
): AsyncGenerator<CsvBatch> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("data file not found", { file: path, cause: err });
    }
    throw err;
  }
  let stream: ReadableStream<Uint8Array> = file.readable;
  if (path.endsWith(".gz")) {
    const gunzip = new DecompressionStream("gzip") as unknown as TransformStream<
      Uint8Array,
      Uint8Array
    >;
    stream = stream.pipeThrough(gunzip);
  }
  yield* readCsvStream(stream, { ...options, file: path });
}

const NEEDS_QUOTES = /["\r\n,]/;

/**
 * Quote a field when it holds a quote, newline or comma (RFC 4180).
 *
 * @example
 * ```ts
 * import { csvField } from "./csv.ts";
 * [csvField("a"), csvField('say "hi", ok')]; // ["a", '"say ""hi"", ok"']
 * ```
 */
export function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Write a CSV file with a header row, streaming the rows out in blocks and
 * renaming into place at the end (never a half-written file at `path`).
 *
 * @example
 * ```ts ignore
 * import { writeCsvFile } from "./csv.ts";
 * await writeCsvFile("out.csv", ["a", "b"], [["1", "x,y"]]);
 * ```
 */
export async function writeCsvFile(
  path: string,
  header: string[],
  rows: Iterable<string[]>,
): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  try {
    let block = header.map(csvField).join(",") + "\n";
    for (const row of rows) {
      block += row.map(csvField).join(",") + "\n";
      if (block.length >= 1 << 20) {
        await writeAll(file, encoder.encode(block));
        block = "";
      }
    }
    await writeAll(file, encoder.encode(block));
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
}
