/**
 * Request limits and the checks every body goes through before it reaches a
 * model: media type, size (declared and actual), a deadline for the body to
 * arrive, UTF-8, JSON syntax and the JSON shape of a predict request, CSV
 * syntax. Each failure is an {@linkcode HttpError} with the right 4xx.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { parseCsv } from "../data/csv.ts";
import { HttpError } from "./errors.ts";

/** The server's limits (all enforced per request). */
export interface Limits {
  /** Largest JSON body, bytes. */
  maxBodyBytes: number;
  /** Largest CSV upload, bytes. */
  maxCsvBytes: number;
  /** Most records in one JSON batch. */
  maxBatchRecords: number;
  /** Most data rows in one CSV upload. */
  maxCsvRecords: number;
  /** Milliseconds for the whole body to arrive. */
  requestTimeoutMs: number;
}

/**
 * The default limits: 1 MiB JSON, 1,000 records per batch, 16 MiB and
 * 100,000 rows per CSV upload, 10 s for a body to arrive.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "./body.ts";
 * const limits = { ...DEFAULT_LIMITS, maxBatchRecords: 100 };
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxBodyBytes: 1 << 20,
  maxCsvBytes: 16 << 20,
  maxBatchRecords: 1000,
  maxCsvRecords: 100_000,
  requestTimeoutMs: 10_000,
});

/** Media types of JSON bodies. */
export const JSON_TYPES: readonly string[] = ["application/json"];
/** Media types of CSV uploads (raw, or a file part of a form). */
export const CSV_TYPES: readonly string[] = ["text/csv", "application/csv", "multipart/form-data"];

/**
 * The media type of a Content-Type header, lower-cased, without parameters.
 *
 * @example
 * ```ts
 * import { mediaType } from "./body.ts";
 * mediaType("Application/JSON; charset=utf-8"); // "application/json"
 * ```
 */
export function mediaType(header: string | null | undefined): string {
  if (!header) return "";
  const semi = header.indexOf(";");
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}

/**
 * Check a request's media type against `allowed` (415 otherwise); returns it.
 *
 * @example
 * ```ts
 * import { JSON_TYPES, requireMediaType } from "./body.ts";
 * requireMediaType("application/json", JSON_TYPES); // "application/json"
 * ```
 */
export function requireMediaType(header: string | null | undefined, allowed: readonly string[]) {
  const type = mediaType(header);
  if (!allowed.includes(type)) {
    throw new HttpError(
      "UNSUPPORTED_MEDIA_TYPE",
      `${type ? `Content-Type '${type}'` : "no Content-Type"} is not accepted here; send ${
        allowed.join(" or ")
      }`,
    );
  }
  return type;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError("BODY_TOO_LARGE", `the body is larger than the limit of ${maxBytes} bytes`);
}

/**
 * Read a request body into memory, at most `maxBytes` (a larger declared
 * Content-Length is refused before reading; a chunked body is cut off as
 * soon as it passes the limit) and within `timeoutMs`.
 *
 * @example
 * ```ts
 * import { readBody } from "./body.ts";
 * const req = new Request("http://x/", { method: "POST", body: "{}" });
 * (await readBody(req, { maxBytes: 1024, timeoutMs: 1000 })).length; // 2
 * ```
 */
export async function readBody(
  req: Request,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<Uint8Array<ArrayBuffer>> {
  const { maxBytes, timeoutMs } = limits;
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HttpError("REQUEST_TIMEOUT", `the body did not arrive within ${timeoutMs} ms`),
      );
    }, timeoutMs);
  });
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      size += value.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    if (err instanceof HttpError) throw err;
    throw new HttpError("INVALID_BODY", `the body could not be read: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decode UTF-8 (400 `code` when invalid).
 *
 * @example
 * ```ts
 * import { decodeUtf8 } from "./body.ts";
 * decodeUtf8(new TextEncoder().encode("ok"), "MALFORMED_JSON"); // "ok"
 * ```
 */
export function decodeUtf8(bytes: Uint8Array, code: "MALFORMED_JSON" | "MALFORMED_CSV"): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(code, "the body is not valid UTF-8 text");
  }
}

/**
 * Parse a JSON body (400 `MALFORMED_JSON` with the parser's message).
 *
 * @example
 * ```ts
 * import { parseJsonBody } from "./body.ts";
 * parseJsonBody(new TextEncoder().encode('{"a": 1}')); // { a: 1 }
 * ```
 */
export function parseJsonBody(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes, "MALFORMED_JSON");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError("MALFORMED_JSON", `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A plain JSON object (a record). */
export type JsonRecord = Record<string, unknown>;

function isRecord(v: unknown): v is JsonRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What a predict body holds: one record, or a batch. */
export type PredictInput = { kind: "one"; record: JsonRecord } | {
  kind: "batch";
  records: JsonRecord[];
};

/**
 * Check the shape of a parsed predict body: an object is one record, an
 * array a batch of 1..`maxRecords` records (400 `INVALID_BODY`, 413
 * `TOO_MANY_RECORDS`).
 *
 * @example
 * ```ts
 * import { predictInput } from "./body.ts";
 * predictInput([{ sfh: 1 }], 10); // { kind: "batch", records: [{ sfh: 1 }] }
 * ```
 */
export function predictInput(value: unknown, maxRecords: number): PredictInput {
  if (isRecord(value)) return { kind: "one", record: value };
  if (!Array.isArray(value)) {
    throw new HttpError(
      "INVALID_BODY",
      `expected a JSON object (one record) or an array of objects (a batch), got ${
        value === null ? "null" : typeof value
      }`,
    );
  }
  if (value.length === 0) throw new HttpError("INVALID_BODY", "the batch is empty");
  if (value.length > maxRecords) {
    throw new HttpError(
      "TOO_MANY_RECORDS",
      `the batch has ${value.length} records; the limit is ${maxRecords}`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    if (!isRecord(value[i])) {
      throw new HttpError("INVALID_BODY", `batch item ${i} is not a JSON object`, {
        field: `[${i}]`,
      });
    }
  }
  return { kind: "batch", records: value as JsonRecord[] };
}

/** A parsed CSV upload. */
export interface CsvInput {
  /** The header row. */
  header: string[];
  /** Data rows (as many fields as the header). */
  rows: string[][];
  /** 1-based line of each data row. */
  lines: number[];
}

/**
 * Parse a CSV upload with a header row: at least one data row, at most
 * `maxRecords`, every row as wide as the header (400 `MALFORMED_CSV`,
 * 413 `TOO_MANY_RECORDS`). Comma-separated always (the `text/csv` contract,
 * even for a model trained on `;` or tab files): a one-field header that
 * holds `;`, a tab or `|` is a 400 saying so.
 *
 * @example
 * ```ts
 * import { parseCsvInput } from "./body.ts";
 * parseCsvInput("a,b\n1,2\n", 10).rows; // [["1", "2"]]
 * ```
 */
export function parseCsvInput(text: string, maxRecords: number): CsvInput {
  let rows: string[][], lines: number[];
  try {
    ({ rows, lines } = parseCsv(text, { file: "upload" }));
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    throw new HttpError("MALFORMED_CSV", `line ${err.where.line}: ${err.message}`);
  }
  if (rows.length === 0) throw new HttpError("MALFORMED_CSV", "the CSV upload is empty");
  const header = rows[0];
  // Uploads are comma CSV (text/csv) whatever the model's training files used.
  const other = header.length === 1
    ? [";", "\t", "|"].find((d) => header[0].includes(d))
    : undefined;
  if (other) {
    throw new HttpError(
      "MALFORMED_CSV",
      `line 1: the header is one field; it looks ${
        other === "\t" ? "tab" : `'${other}'`
      }-separated, ` +
        "and CSV uploads are comma-separated (RFC 4180)",
    );
  }
  if (rows.length === 1) throw new HttpError("MALFORMED_CSV", "the CSV upload has no data rows");
  if (rows.length - 1 > maxRecords) {
    throw new HttpError(
      "TOO_MANY_RECORDS",
      `the CSV upload has ${rows.length - 1} rows; the limit is ${maxRecords}`,
    );
  }
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].length !== header.length) {
      throw new HttpError(
        "MALFORMED_CSV",
        `line ${lines[i]} has ${rows[i].length} fields, the header ${header.length}`,
      );
    }
  }
  return { header, rows: rows.slice(1), lines: lines.slice(1) };
}

/**
 * The CSV text of an upload: the raw body, or the first file part of a
 * `multipart/form-data` form (field `file` preferred).
 *
 * @example
 * ```ts ignore
 * import { csvText } from "./body.ts";
 * const text = await csvText(bytes, req.headers.get("content-type"));
 * ```
 */
export async function csvText(
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string | null,
): Promise<string> {
  if (mediaType(contentType) !== "multipart/form-data") return decodeUtf8(bytes, "MALFORMED_CSV");
  let form: FormData;
  try {
    form = await new Request("http://upload/", {
      method: "POST",
      headers: { "content-type": contentType! },
      body: bytes,
    }).formData();
  } catch (err) {
    throw new HttpError("INVALID_BODY", `the form could not be parsed: ${(err as Error).message}`);
  }
  const preferred = form.get("file");
  const file = preferred instanceof File
    ? preferred
    : [...form.values()].find((v): v is File => v instanceof File);
  if (!file) throw new HttpError("INVALID_BODY", "the form has no file part", { field: "file" });
  return decodeUtf8(new Uint8Array(await file.arrayBuffer()), "MALFORMED_CSV");
}
