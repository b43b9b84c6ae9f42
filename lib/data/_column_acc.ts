/**
 * The running statistics schema inference keeps per column, one value at a
 * time: missing tokens, whether every value so far is an integer, number,
 * boolean, IP address or timestamp, the numeric range, and the distinct
 * values (capped). Private to lib/data (used by `schema_infer.ts`).
 *
 * @module
 */

/** Tokens that mean "missing" in network datasets (matched after trimming). */
export const MISSING_TOKENS = [
  "",
  "?",
  "NA",
  "N/A",
  "NaN",
  "nan",
  "null",
  "NULL",
  "None",
  "inf",
  "-inf",
  "+inf",
  "Inf",
  "-Inf",
  "Infinity",
  "-Infinity",
];
const MISSING = new Set(MISSING_TOKENS);

const INTEGER = /^[+-]?\d+$/;
/** A decimal number (optional sign, fraction, exponent). */
export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = new Set(["true", "false", "yes", "no", "t", "f", "y", "n"]);
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}$/;
/** A web address as phishing and proxy logs write them: with a scheme, or starting `www.`. */
const URL_LIKE = /^([a-z][a-z0-9+.-]*:\/\/|www\.)\S+$/i;
const TIMESTAMP =
  /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AP]M)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Distinct values are counted up to this many while every value so far is unique (ids). */
export const UNIQUE_CAP = 200_000;

/** Running statistics of one column. */
export interface Acc {
  missing: number;
  tokens: Record<string, number>;
  present: number;
  allInteger: boolean;
  allNumber: boolean;
  allBoolean: boolean;
  allIp: boolean;
  allTime: boolean;
  /** Values that look like web addresses (real URL lists hold some broken ones). */
  urls: number;
  min: number;
  max: number;
  distinct: Set<string>;
  /** Counting stopped: more than maxValues values and a repeat seen, or UNIQUE_CAP unique ones. */
  distinctCapped: boolean;
  /** Present values read when counting stopped (0 while counting). */
  presentAtCap: number;
  maxValues: number;
  counts?: Map<string, number>;
}

/** A fresh accumulator; `maxValues` bounds the values list kept for categoricals. */
export function newAcc(maxValues: number): Acc {
  return {
    missing: 0,
    tokens: {},
    present: 0,
    allInteger: true,
    allNumber: true,
    allBoolean: true,
    allIp: true,
    allTime: true,
    urls: 0,
    min: Infinity,
    max: -Infinity,
    distinct: new Set(),
    distinctCapped: false,
    presentAtCap: 0,
    maxValues,
  };
}

/** Count one raw field (trimmed; a missing token counts as missing). */
export function add(acc: Acc, raw: string): void {
  const v = raw.trim();
  if (MISSING.has(v)) {
    acc.missing++;
    acc.tokens[v] = (acc.tokens[v] ?? 0) + 1;
    return;
  }
  acc.present++;
  if (acc.counts) acc.counts.set(v, (acc.counts.get(v) ?? 0) + 1);
  if (!acc.distinctCapped) {
    acc.distinct.add(v);
    const n = acc.distinct.size;
    // Keep counting only while the column may be an id or may fit a values list.
    if ((n < acc.present && n > Math.max(acc.maxValues, 10_000)) || n >= UNIQUE_CAP) {
      acc.distinctCapped = true;
      acc.presentAtCap = acc.present;
    }
  }
  if (acc.allNumber) {
    if (NUMBER.test(v)) {
      const n = Number(v);
      if (n < acc.min) acc.min = n;
      if (n > acc.max) acc.max = n;
      if (acc.allInteger && !INTEGER.test(v)) acc.allInteger = false;
    } else {
      acc.allNumber = false;
      acc.allInteger = false;
    }
  }
  if (acc.allBoolean && !(v === "0" || v === "1" || BOOLEAN.has(v.toLowerCase()))) {
    acc.allBoolean = false;
  }
  if (acc.allIp && !(isIpv4(v) || IPV6.test(v))) acc.allIp = false;
  if (acc.allTime && !TIMESTAMP.test(v)) acc.allTime = false;
  if (URL_LIKE.test(v)) acc.urls++;
}

function isIpv4(v: string): boolean {
  const m = IPV4.exec(v);
  return m !== null && m.slice(1).every((p) => +p <= 255);
}
