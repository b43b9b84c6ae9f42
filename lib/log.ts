/**
 * Structured logging. Library code never calls `console`: it takes a
 * {@linkcode Logger}. Entry points build one with {@linkcode createLogger};
 * tests use {@linkcode memoryLogger}.
 *
 * @module
 */

/** Severity levels, lowest first. */
export type Level = "debug" | "info" | "warn" | "error";

/** Extra structured fields of a log record (stage, timing, counts …). */
export type Fields = Record<string, unknown>;

/** One log record. */
export interface LogRecord {
  /** ISO timestamp. */
  time: string;
  /** Severity. */
  level: Level;
  /** Human message. */
  msg: string;
  /** Structured fields. */
  fields: Fields;
}

/** What library code logs to. */
export interface Logger {
  /** Debug detail, shown with `--verbose`. */
  debug(msg: string, fields?: Fields): void;
  /** Normal progress. */
  info(msg: string, fields?: Fields): void;
  /** Something the user should look at. */
  warn(msg: string, fields?: Fields): void;
  /** A failure. */
  error(msg: string, fields?: Fields): void;
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: Level;
  /** `text` (default) for people, `json` for one JSON object per line. */
  format?: "text" | "json";
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

const encoder = new TextEncoder();

function stderrWrite(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return /[\s="]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  }
  return JSON.stringify(v);
}

/**
 * Format one record as a line, in `text` or `json` form.
 *
 * @example
 * ```ts
 * import { formatRecord } from "./log.ts";
 * formatRecord({ time: "2026-01-01T00:00:00.000Z", level: "info", msg: "ran", fields: { stage: "train" } }, "text");
 * // "info  ran stage=train"
 * ```
 */
export function formatRecord(rec: LogRecord, format: "text" | "json"): string {
  if (format === "json") {
    return JSON.stringify({ time: rec.time, level: rec.level, msg: rec.msg, ...rec.fields });
  }
  const extra = Object.entries(rec.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(" ");
  return `${rec.level.padEnd(5)} ${rec.msg}${extra ? " " + extra : ""}`;
}

/**
 * Create a logger writing text or JSON lines (to stderr by default).
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const log = createLogger({ level: "debug", format: "json" });
 * log.info("stage done", { stage: "train", seconds: 1.2 });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const format = options.format ?? "text";
  const write = options.write ?? stderrWrite;
  const now = options.now ?? (() => new Date());
  const emit = (level: Level) => (msg: string, fields: Fields = {}) => {
    if (RANK[level] < min) return;
    write(formatRecord({ time: now().toISOString(), level, msg, fields }, format));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that keeps records in memory, for tests. */
export interface MemoryLogger extends Logger {
  /** Everything logged so far. */
  records: LogRecord[];
}

/**
 * A logger that records everything in memory, for tests.
 *
 * @example
 * ```ts
 * import { memoryLogger } from "./log.ts";
 * const log = memoryLogger();
 * log.warn("drift", { column: "x" });
 * log.records[0].level; // "warn"
 * ```
 */
export function memoryLogger(): MemoryLogger {
  const records: LogRecord[] = [];
  const emit = (level: Level) => (msg: string, fields: Fields = {}) => {
    records.push({ time: new Date().toISOString(), level, msg, fields });
  };
  return {
    records,
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
  };
}

/** A logger that drops everything. */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
