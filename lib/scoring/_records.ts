/**
 * Record boundaries in CSV bytes, with the exact rules of lib/data/csv.ts's
 * `CsvParser`: a field that starts with `"` is quoted (`""` is a quote, and
 * delimiters and newlines inside are data); `\n`, `\r\n` and a lone `\r` end
 * a record; a blank line is no record; every record end and every `\n` inside
 * quotes is a line. Used to cut input into chunks at record ends (and number
 * their rows) before any decoding, and by the chunk scorer to find a quoted
 * record's end. Private to lib/scoring.
 *
 * Works on UTF-8 bytes: the delimiter, quote and newlines are ASCII, which
 * never occur inside a multi-byte character.
 *
 * @module
 */

/** Byte values. */
export const QUOTE = 34, LF = 10, CR = 13;

/** What {@linkcode scanRecords} found. */
export interface RecordScan {
  /** Offset just past the last complete record (or blank line). */
  end: number;
  /** Complete records (blank lines excluded). */
  records: number;
  /** Lines they span (blank lines included). */
  lines: number;
}

/** One record found by {@linkcode nextRecord}. */
export interface RecordSpan {
  /** Offset just past the record's terminator. */
  end: number;
  /** Lines it spans (1 + newlines inside quotes). */
  lines: number;
  /** Whether it is a blank line (no record). */
  blank: boolean;
}

/**
 * The record (or blank line) starting at `i`, or null when it reaches
 * `limit` and the input does not end there (`final` false).
 *
 * @example
 * ```ts
 * import { nextRecord } from "./_records.ts";
 * const b = new TextEncoder().encode('"a\nb",1\r\nx');
 * nextRecord(b, 0, b.length, false); // { end: 10, lines: 2, blank: false }
 * ```
 */
export function nextRecord(
  bytes: Uint8Array,
  i: number,
  limit: number,
  final: boolean,
  delimiter = 44,
): RecordSpan | null {
  let c = bytes[i];
  if (c === LF || c === CR) {
    if (c === CR && i + 1 >= limit && !final) return null;
    return { end: i + (c === CR && bytes[i + 1] === LF ? 2 : 1), lines: 1, blank: true };
  }
  let nl = 0; // newlines inside quotes
  for (;;) {
    // At a field start.
    if (i < limit && bytes[i] === QUOTE) {
      i++;
      for (;;) {
        const close = find(bytes, QUOTE, i, limit);
        const stop = close === -1 ? limit : close;
        for (let k = find(bytes, LF, i, stop); k !== -1; k = find(bytes, LF, k + 1, stop)) nl++;
        if (stop === limit) {
          i = limit;
          break;
        }
        if (close + 1 < limit && bytes[close + 1] === QUOTE) {
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
    }
    // Unquoted text (or whatever follows a closing quote) up to the field's end.
    while (i < limit) {
      c = bytes[i];
      if (c === delimiter || c === LF || c === CR) break;
      i++;
    }
    if (i >= limit) return final ? { end: limit, lines: 1 + nl, blank: false } : null;
    if (c === delimiter) {
      i++;
      continue;
    }
    if (c === CR && i + 1 >= limit && !final) return null;
    return { end: i + (c === CR && bytes[i + 1] === LF ? 2 : 1), lines: 1 + nl, blank: false };
  }
}

/**
 * Scan `bytes[start, limit)` for complete records. When `final` is false, a
 * record that reaches `limit` (or a `\r` at `limit - 1`, which may be half
 * of `\r\n`) is incomplete and left out; when true, the input ends there.
 *
 * @example
 * ```ts
 * import { scanRecords } from "./_records.ts";
 * const b = new TextEncoder().encode('a,b\n"x\ny",1\n\n3,');
 * scanRecords(b, 0, b.length, false); // { end: 13, records: 2, lines: 4 }
 * ```
 */
export function scanRecords(
  bytes: Uint8Array,
  start: number,
  limit: number,
  final: boolean,
  delimiter = 44,
): RecordScan {
  // Without quotes, records are lines: count newlines at native speed.
  if (find(bytes, QUOTE, start, limit) === -1) return scanPlain(bytes, start, limit, final);
  let end = start, records = 0, lines = 0;
  while (end < limit) {
    const r = nextRecord(bytes, end, limit, final, delimiter);
    if (!r) break;
    end = r.end;
    lines += r.lines;
    if (!r.blank) records++;
  }
  return { end, records, lines };
}

/** Index of byte `b` in `bytes[from, limit)`, or -1 (never searching past `limit`). */
function find(bytes: Uint8Array, b: number, from: number, limit: number): number {
  if (from >= limit) return -1;
  const k = bytes.subarray(from, limit).indexOf(b);
  return k === -1 ? -1 : from + k;
}

function scanPlain(bytes: Uint8Array, start: number, limit: number, final: boolean): RecordScan {
  let records = 0, lines = 0, pos = start, end = start;
  if (find(bytes, CR, start, limit) === -1) {
    for (let k = bytes.indexOf(LF, pos); k !== -1 && k < limit; k = bytes.indexOf(LF, pos)) {
      if (k > pos) records++;
      lines++;
      pos = end = k + 1;
    }
  } else {
    while (pos < limit) {
      let k = pos;
      while (k < limit && bytes[k] !== LF && bytes[k] !== CR) k++;
      if (k >= limit || (bytes[k] === CR && k + 1 >= limit && !final)) break;
      if (k > pos) records++;
      lines++;
      pos = end = k + (bytes[k] === CR && bytes[k + 1] === LF ? 2 : 1);
    }
  }
  if (final && end < limit) {
    // The last record has no newline.
    records++;
    lines++;
    end = limit;
  }
  return { end, records, lines };
}

/**
 * Scan JSON Lines: a record is a line with anything but whitespace; lines end
 * at `\n` (a JSON text holds no raw newline).
 *
 * @example
 * ```ts
 * import { scanJsonLines } from "./_records.ts";
 * const b = new TextEncoder().encode('{"a":1}\n\n  \n{"a":2}');
 * scanJsonLines(b, 0, b.length, false); // { end: 13, records: 1, lines: 3 }
 * ```
 */
export function scanJsonLines(
  bytes: Uint8Array,
  start: number,
  limit: number,
  final: boolean,
): RecordScan {
  let records = 0, lines = 0, pos = start, end = start;
  while (pos < limit) {
    let k = bytes.indexOf(LF, pos);
    if (k === -1 || k >= limit) {
      if (!final) break;
      k = limit;
    }
    if (!isBlank(bytes, pos, k)) records++;
    lines++;
    pos = end = Math.min(k + 1, limit);
  }
  return { end, records, lines };
}

/**
 * Whether `bytes[a, b)` holds only spaces, tabs and `\r`.
 *
 * @example
 * ```ts
 * import { isBlank } from "./_records.ts";
 * isBlank(new TextEncoder().encode(" \t\r"), 0, 3); // true
 * ```
 */
export function isBlank(bytes: Uint8Array, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = bytes[i];
    if (c !== 32 && c !== 9 && c !== CR) return false;
  }
  return true;
}
