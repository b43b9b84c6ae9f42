/**
 * One cell at a time: coerce a raw value (CSV text, or a native value from a
 * database or JSON request) to its column's type, check it against the
 * column's domain, and format it back for CSV. Shared by ingest, validate,
 * transform and the scorers so every path applies the same rules.
 *
 * Spaces around a text value are not part of it (`" BENIGN"` is `BENIGN`,
 * `" 7"` is 7, `" "` is missing), as `deno task schema infer` reads them:
 * files written with `", "` between fields (UCI's adult, hand-made exports)
 * then mean what their schema says.
 *
 * @module
 */
import type { Cell, ColumnSpec, ColumnType, Value } from "./schema.ts";

/**
 * Returned by {@linkcode coerceCell} when a value cannot have the column's type.
 *
 * @example
 * ```ts
 * import { coerceCell, INVALID } from "./cells.ts";
 * coerceCell("number", "n/a") === INVALID; // true
 * ```
 */
export const INVALID: unique symbol = Symbol("invalid");

/** A rule a cell (or a column) can break. */
export type Rule =
  | "type"
  | "missing"
  | "domain"
  | "range"
  | "target"
  | "missing_column"
  | "unexpected_column"
  | "duplicate_id";

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parse a plain decimal (`-12`, `3.5`, `.5`, `1e-3`) without the leniency of
 * `Number()` (which accepts `""`, `" 1 "`, `0x10`, `Infinity`). Returns NaN for
 * anything else.
 *
 * @example
 * ```ts
 * import { parseDecimal } from "./cells.ts";
 * [parseDecimal("-12"), parseDecimal("0.25"), parseDecimal("0x10")]; // [-12, 0.25, NaN]
 * ```
 */
export function parseDecimal(s: string): number {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  const negative = c === 45;
  if (c === 43 || c === 45) i = 1;
  let digits = 0;
  let acc = 0;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    acc = acc * 10 + (c - 48);
    digits++;
  }
  if (i === n) {
    if (digits === 0) return NaN;
    // Up to 15 digits the accumulated integer is exact.
    return digits > 15 ? Number(s) : negative ? -acc : acc;
  }
  let fraction = 0;
  if (c === 46) {
    for (i++; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      acc = acc * 10 + (c - 48);
      fraction++;
    }
    digits += fraction;
  }
  if (digits === 0) return NaN;
  if (i === n && digits <= 15) {
    // Exact integer over an exact power of ten: one correctly rounded division,
    // the same double Number() gives (Clinger's fast path).
    const v = acc / POW10[fraction];
    return negative ? -v : v;
  }
  if (i < n && (c === 101 || c === 69)) {
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    let expDigits = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
  }
  if (i !== n) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

const TRUE = new Set(["true", "1", "yes", "t", "y"]);
const FALSE = new Set(["false", "0", "no", "f", "n"]);

/** A coercion of raw values to one type ({@linkcode INVALID} when impossible). */
export type Coercer = (raw: unknown) => Cell | typeof INVALID;

/** Is this UTF-16 unit white space (what `String.prototype.trim` removes, ASCII and Latin-1 first)? */
const isSpace = (c: number) =>
  c === 32 || (c >= 9 && c <= 13) || c === 160 ||
  (c > 255 && /\s/.test(String.fromCharCode(c)));

/** `raw` without surrounding white space; the same string (no copy) in the usual case. */
function unpad(raw: string): string {
  const n = raw.length;
  return n > 0 && (isSpace(raw.charCodeAt(0)) || isSpace(raw.charCodeAt(n - 1))) ? raw.trim() : raw;
}

function toInteger(text: unknown): Cell | typeof INVALID {
  if (typeof text === "string") {
    const raw = unpad(text);
    if (raw === "") return null;
    const v = parseDecimal(raw);
    return Number.isInteger(v) ? v : INVALID;
  }
  if (text === null || text === undefined) return null;
  return typeof text === "number" && Number.isInteger(text) ? text : INVALID;
}

function toNumber(text: unknown): Cell | typeof INVALID {
  if (typeof text === "string") {
    const raw = unpad(text);
    if (raw === "") return null;
    const v = parseDecimal(raw);
    return v === v ? v : INVALID;
  }
  if (text === null || text === undefined) return null;
  return typeof text === "number" && Number.isFinite(text) ? text : INVALID;
}

function toCategory(raw: unknown): Cell | typeof INVALID {
  if (typeof raw === "string") {
    const v = unpad(raw);
    return v === "" ? null : v;
  }
  if (raw === null || raw === undefined) return null;
  return typeof raw === "number" || typeof raw === "boolean" ? String(raw) : INVALID;
}

function toBoolean(text: unknown): Cell | typeof INVALID {
  if (typeof text === "string") {
    const raw = unpad(text);
    if (raw === "") return null;
    if (raw === "1" || raw === "true") return true;
    if (raw === "0" || raw === "false") return false;
    const s = raw.toLowerCase();
    return TRUE.has(s) ? true : FALSE.has(s) ? false : INVALID;
  }
  if (text === null || text === undefined) return null;
  if (typeof text === "boolean") return text;
  return text === 1 || text === 0 ? text === 1 : INVALID;
}

const COERCERS: Record<ColumnType, Coercer> = {
  integer: toInteger,
  number: toNumber,
  categorical: toCategory,
  boolean: toBoolean,
};

/**
 * The coercion for `type`, to pick once per column on hot paths.
 *
 * @example
 * ```ts
 * import { cellCoercer } from "./cells.ts";
 * const toInt = cellCoercer("integer");
 * [toInt("-1"), toInt("")]; // [-1, null]
 * ```
 */
export function cellCoercer(type: ColumnType): Coercer {
  return COERCERS[type];
}

/**
 * Coerce a raw value to `type`: `null`, `undefined` and `""` are missing
 * (null); anything that cannot have the type is {@linkcode INVALID}.
 * Strings are parsed strictly; native numbers/booleans are accepted as is.
 *
 * @example
 * ```ts
 * import { coerceCell, INVALID } from "./cells.ts";
 * coerceCell("integer", "7"); // 7
 * coerceCell("integer", "7.5") === INVALID; // true
 * coerceCell("boolean", "yes"); // true
 * coerceCell("categorical", ""); // null
 * [coerceCell("categorical", " BENIGN"), coerceCell("integer", " 7 ")]; // ["BENIGN", 7]
 * ```
 */
export function coerceCell(type: ColumnType, raw: unknown): Cell | typeof INVALID {
  return COERCERS[type](raw);
}

/**
 * Build the domain check of a column: for a coerced cell, the broken rule
 * (`missing`, `domain`, `range`) or null.
 *
 * @example
 * ```ts
 * import { domainCheck } from "./cells.ts";
 * const check = domainCheck({ name: "x", type: "integer", values: [-1, 1], nullable: false });
 * [check(1), check(0), check(null)]; // [null, "domain", "missing"]
 * ```
 */
export function domainCheck(col: ColumnSpec): (v: Cell) => Rule | null {
  const allowed = col.values ? new Set<Value>(col.values) : undefined;
  const { min, max, nullable } = col;
  return (v) => {
    if (v === null) return nullable ? null : "missing";
    if (allowed && !allowed.has(v)) return "domain";
    if (typeof v === "number") {
      if (min !== undefined && v < min) return "range";
      if (max !== undefined && v > max) return "range";
    }
    return null;
  };
}

/**
 * Format a cell for CSV output: null is empty, numbers in their shortest form.
 *
 * @example
 * ```ts
 * import { formatCell } from "./cells.ts";
 * [formatCell(null), formatCell(0.5), formatCell(true)]; // ["", "0.5", "true"]
 * ```
 */
export function formatCell(v: Cell): string {
  return v === null ? "" : String(v);
}

/**
 * Show a raw value in a message: quoted text, `(missing)` for missing.
 *
 * @example
 * ```ts
 * import { showValue } from "./cells.ts";
 * [showValue("abc"), showValue(""), showValue(3)]; // ["'abc'", "(missing)", "3"]
 * ```
 */
export function showValue(raw: unknown): string {
  if (raw === null || raw === undefined || raw === "") return "(missing)";
  if (typeof raw === "string") return `'${raw.length > 60 ? raw.slice(0, 57) + "..." : raw}'`;
  if (typeof raw === "object") return JSON.stringify(raw).slice(0, 60);
  return String(raw);
}

/**
 * Describe a column's domain, e.g. `{-1, 0, 1}`, `[0, 1]`, `≥ 0`.
 *
 * @example
 * ```ts
 * import { describeDomain } from "./cells.ts";
 * describeDomain({ name: "x", type: "number", min: 0, max: 1, nullable: false }); // "[0, 1]"
 * ```
 */
export function describeDomain(col: ColumnSpec): string {
  const parts: string[] = [];
  if (col.values) {
    const shown = col.values.slice(0, 12).map(String).join(", ");
    parts.push(`{${shown}${col.values.length > 12 ? ", …" : ""}}`);
  }
  if (col.min !== undefined && col.max !== undefined) parts.push(`[${col.min}, ${col.max}]`);
  else if (col.min !== undefined) parts.push(`≥ ${col.min}`);
  else if (col.max !== undefined) parts.push(`≤ ${col.max}`);
  return parts.join(" and ") || "any";
}

/**
 * The human explanation of a broken rule for a column, e.g.
 * `is not an integer`, `is outside {-1, 1}`.
 *
 * @example
 * ```ts
 * import { explainRule } from "./cells.ts";
 * explainRule({ name: "x", type: "integer", values: [0, 1], nullable: false }, "domain"); // "is outside {0, 1}"
 * ```
 */
export function explainRule(col: ColumnSpec | undefined, rule: Rule): string {
  switch (rule) {
    case "type":
      return col?.type === "integer"
        ? "is not an integer"
        : col?.type === "number"
        ? "is not a number"
        : `is not a ${col?.type ?? "valid"} value`;
    case "missing":
      return "is missing but the column is not nullable";
    case "domain":
    case "range":
      return `is outside ${col ? describeDomain(col) : "the domain"}`;
    case "target":
      return "is not a known target label";
    case "missing_column":
      return "column is missing";
    case "unexpected_column":
      return "column is not in the schema";
    case "duplicate_id":
      return "repeats an earlier row's id";
  }
}
