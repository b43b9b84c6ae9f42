/**
 * Batch input: open a file or stdin (gzip recognised by its magic bytes and
 * decompressed with `DecompressionStream`), count the raw bytes read (for
 * progress against the file size), and cut the stream into chunks of whole
 * records with their record and line counts. Private to lib/scoring.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { InputFormat } from "./_chunk.ts";
import { isBlank, nextRecord, type RecordScan, scanJsonLines, scanRecords } from "./_records.ts";

/**
 * The format of an input from its name (`.jsonl`/`.ndjson`, optionally
 * `.gz`, is JSON Lines; anything else CSV), unless given.
 *
 * @example
 * ```ts
 * import { formatOf } from "./_input.ts";
 * [formatOf("a.jsonl.gz"), formatOf("a.csv"), formatOf("-", "jsonl")]; // ["jsonl", "csv", "jsonl"]
 * ```
 */
export function formatOf(path: string, explicit?: InputFormat): InputFormat {
  if (explicit) return explicit;
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path) ? "jsonl" : "csv";
}

/** An opened input. */
export interface OpenInput {
  /** Decompressed bytes. */
  chunks: AsyncIterator<Uint8Array>;
  /** Raw (compressed) size, when known (files). */
  size?: number;
  /** Raw bytes read so far. */
  bytesRead(): number;
  /** Release the file. */
  close(): void;
}

/**
 * Open a file, or stdin for `-` (`stdin` overrides the process's, for tests).
 * A missing file is a `DataError`.
 *
 * @example
 * ```ts ignore
 * import { openInput } from "./_input.ts";
 * const input = await openInput("flows.csv.gz");
 * ```
 */
export async function openInput(
  path: string,
  stdin?: ReadableStream<Uint8Array>,
): Promise<OpenInput> {
  let raw: ReadableStream<Uint8Array>;
  let size: number | undefined;
  let file: Deno.FsFile | undefined;
  if (path === "-") {
    raw = stdin ?? Deno.stdin.readable;
  } else {
    try {
      file = await Deno.open(path, { read: true });
      size = (await file.stat()).size;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new DataError("input file not found", { file: path, cause: err });
      }
      throw err;
    }
    raw = file.readable;
  }
  let read = 0;
  const reader = raw.getReader();
  const first = await reader.read();
  async function* rawChunks(): AsyncGenerator<Uint8Array> {
    if (!first.done) {
      read += first.value.length;
      yield first.value;
    }
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      read += r.value.length;
      yield r.value;
    }
  }
  const gzip = !first.done && first.value[0] === 0x1f && first.value[1] === 0x8b;
  const chunks = gzip
    ? ReadableStream.from(rawChunks()).pipeThrough(
      new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
    ).values()
    : rawChunks();
  const name = path === "-" ? "<stdin>" : path;
  async function* checked(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of chunks) yield c;
    } catch (err) {
      throw new DataError(`cannot read: ${(err as Error).message}`, { file: name, cause: err });
    }
  }
  return {
    chunks: checked(),
    size,
    bytesRead: () => read,
    close() {
      reader.releaseLock();
      try {
        file?.close();
      } catch { /* already closed */ }
    },
  };
}

/** A piece of input cut at record ends. */
export interface Piece {
  /** Whole records (its own buffer, transferable). */
  bytes: Uint8Array;
  /** Records in it. */
  records: number;
  /** Lines in it. */
  lines: number;
}

/** How a {@linkcode RecordChunker} cuts. */
export interface ChunkerOptions {
  /** The input's format. */
  format: InputFormat;
  /** Bytes per piece (about). */
  chunkBytes: number;
  /** CSV field separator, one ASCII character (default `,`). */
  delimiter?: string;
}

/**
 * Cuts an input into pieces of about `chunkBytes` holding whole records
 * (CSV by `CsvParser`'s rules with the input's delimiter, or JSON Lines).
 *
 * @example
 * ```ts ignore
 * import { RecordChunker } from "./_input.ts";
 * const c = new RecordChunker(input.chunks, { format: "csv", chunkBytes: 1 << 20 });
 * const header = await c.first();
 * for (let p = await c.next(); p; p = await c.next()) console.log(p.records);
 * ```
 */
export class RecordChunker {
  #source: AsyncIterator<Uint8Array>;
  #format: InputFormat;
  #chunkBytes: number;
  #buf: Uint8Array;
  #len = 0;
  #eof = false;
  #delimiter: number;

  /** Read from `source`. */
  constructor(source: AsyncIterator<Uint8Array>, o: ChunkerOptions) {
    this.#source = source;
    this.#format = o.format;
    this.#chunkBytes = o.chunkBytes;
    this.#delimiter = (o.delimiter ?? ",").charCodeAt(0);
    this.#buf = new Uint8Array(o.chunkBytes + (1 << 16));
  }

  /** Read until at least `want` bytes are buffered or the input ends. */
  async #fill(want: number): Promise<void> {
    while (!this.#eof && this.#len < want) {
      const r = await this.#source.next();
      if (r.done) {
        this.#eof = true;
        break;
      }
      const c = r.value;
      if (this.#len + c.length > this.#buf.length) {
        const next = new Uint8Array(Math.max(2 * this.#buf.length, this.#len + c.length));
        next.set(this.#buf.subarray(0, this.#len));
        this.#buf = next;
      }
      this.#buf.set(c, this.#len);
      this.#len += c.length;
    }
  }

  /** Cut `bytes[0, end)` off the buffer as its own piece. */
  #take(end: number): Uint8Array {
    const piece = this.#buf.slice(0, end);
    this.#buf.copyWithin(0, end, this.#len);
    this.#len -= end;
    return piece;
  }

  /**
   * The first record, for the header check: CSV consumes it (with any blank
   * lines before it); JSON Lines leaves it in place (it is data). Null when
   * the input has no record.
   */
  async first(): Promise<{ bytes: Uint8Array; lines: number } | null> {
    let want = 1 << 16;
    for (;;) {
      await this.#fill(want);
      const buf = this.#buf.subarray(0, this.#len);
      if (this.#format === "jsonl") {
        let pos = 0;
        for (let k = buf.indexOf(10); pos < buf.length; k = buf.indexOf(10, pos)) {
          const end = k === -1 ? buf.length : k;
          if (k === -1 && !this.#eof) break;
          if (!isBlank(buf, pos, end)) return { bytes: buf.slice(pos, end), lines: 0 };
          pos = end + 1;
        }
      } else {
        let pos = 0, lines = 0;
        for (;;) {
          if (pos >= buf.length) break; // nothing (left): not an empty record
          const r = nextRecord(buf, pos, buf.length, this.#eof, this.#delimiter);
          if (!r) break;
          lines += r.lines;
          pos = r.end;
          if (!r.blank) return { bytes: this.#take(pos), lines };
          if (pos >= buf.length) break;
        }
      }
      if (this.#eof) return null;
      want = this.#len + (1 << 16);
    }
  }

  /** Put bytes taken by {@linkcode RecordChunker.first} back in front (a header-less input's first row). */
  putBack(bytes: Uint8Array): void {
    if (this.#len + bytes.length > this.#buf.length) {
      const next = new Uint8Array(this.#len + bytes.length + (1 << 16));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.copyWithin(bytes.length, 0, this.#len);
    this.#buf.set(bytes, 0);
    this.#len += bytes.length;
  }

  /** The next piece, or null at the end. */
  async next(): Promise<Piece | null> {
    let want = this.#chunkBytes;
    for (;;) {
      await this.#fill(want);
      if (this.#len === 0) return null;
      const scan: RecordScan = this.#format === "jsonl"
        ? scanJsonLines(this.#buf, 0, this.#len, this.#eof)
        : scanRecords(this.#buf, 0, this.#len, this.#eof, this.#delimiter);
      if (scan.end > 0) {
        return { bytes: this.#take(scan.end), records: scan.records, lines: scan.lines };
      }
      // One record longer than the buffer so far: read more.
      want = this.#len + this.#chunkBytes;
    }
  }
}
