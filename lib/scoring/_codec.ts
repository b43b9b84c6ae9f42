/**
 * The per-column codec of chunk scoring: each feature column's encoder with
 * its memo of field encodings and drift counts, and the byte/text helpers
 * the fast CSV path uses. Private to lib/scoring (used by `_chunk.ts`).
 *
 * @module
 */
import { cellCoercer, type Coercer, INVALID } from "../data/cells.ts";
import { isDiscrete } from "../data/drift.ts";
import { type FeatureEncoder, outputNames, type Preprocessor } from "../learn/preprocess.ts";
import { cellKey, countValue, type DriftState } from "./_batch_drift.ts";

/** A memoized field encoding. */
export interface Entry {
  seg: Float32Array;
  ok: boolean;
  key: string;
  n: number;
}

/** One feature column's encoder, memo and drift state. */
export interface Codec {
  enc: FeatureEncoder;
  at: number;
  width: number;
  coerce: Coercer;
  discrete: boolean;
  /** Index among the numeric (sampled) columns, or -1. */
  numeric: number;
  /** Entries of 0–2 ASCII characters, by code. */
  table: (Entry | undefined)[];
  map: Map<string, Entry>;
  counts: Map<string, number>;
}

/** Row ids as CSV fields and as JSON values. */
export interface Ids {
  csv: string[];
  json: string[];
}

/** Distinct values memoized per column. */
export const MEMO_LIMIT = 4096;
/** Slot kinds of a CSV header position. */
export const IGNORE = 0, MEMO = 1, VALUE = 2, ID = 3;

/** Decoders that reject and that replace invalid UTF-8. */
export const fatal = new TextDecoder("utf-8", { fatal: true });
export const lenient = new TextDecoder();

/** Field bytes `[a, b)` as text: ASCII fast, else strict UTF-8. */
export function fieldText(bytes: Uint8Array, a: number, b: number): string {
  if (b - a <= 24) {
    let s = "";
    for (let i = a; i < b; i++) {
      const c = bytes[i];
      if (c >= 128) return fatal.decode(bytes.subarray(a, b));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return fatal.decode(bytes.subarray(a, b));
}

/** `s` without one trailing line end. */
export function withoutLineEnd(s: string): string {
  return s.replace(/\r?\n$|\r$/, "");
}

/**
 * The codecs of a preprocessing's feature columns, by position and by
 * column name, and the number of numeric (sampled) columns.
 *
 * @example
 * ```ts ignore
 * import { buildCodecs } from "./_codec.ts";
 * const { codecs, byName, numeric } = buildCodecs(scorer.preprocess);
 * ```
 */
export function buildCodecs(
  pre: Preprocessor,
): { codecs: Codec[]; byName: Map<string, Codec>; numeric: number } {
  let at = 0, numeric = 0;
  const codecs = pre.encoders.map((enc, i) => {
    const f = pre.spec.features[i];
    const width = outputNames(f).length;
    const discrete = isDiscrete(enc.column);
    const codec: Codec = {
      enc,
      at,
      width,
      coerce: cellCoercer(enc.column.type),
      discrete,
      numeric: discrete ? -1 : numeric++,
      table: new Array(1 + 128 + 128 * 128),
      map: new Map(),
      counts: new Map(),
    };
    at += width;
    return codec;
  });
  const byName = new Map(codecs.map((c) => [c.enc.column.name, c]));
  return { codecs, byName, numeric };
}

/**
 * The encoding of one raw value of a column (memoized by the caller).
 *
 * @example
 * ```ts ignore
 * import { encodeEntry } from "./_codec.ts";
 * const entry = encodeEntry(scorer.preprocess, codec, "tcp");
 * ```
 */
export function encodeEntry(pre: Preprocessor, c: Codec, raw: string | null): Entry {
  const scratch = new Float32Array(pre.width);
  const rule = c.enc.encode(raw, scratch, 0);
  const v = c.coerce(raw);
  return {
    seg: scratch.slice(c.at, c.at + c.width),
    ok: rule === null,
    key: v === INVALID ? "" : cellKey(v),
    n: 0,
  };
}

/**
 * Add the value counts of the discrete codecs (their memo entries' and their
 * own) to a drift state.
 *
 * @example
 * ```ts ignore
 * import { addCodecCounts } from "./_codec.ts";
 * addCodecCounts(state, codecs);
 * ```
 */
export function addCodecCounts(state: DriftState, codecs: Codec[]): void {
  for (const c of codecs) {
    if (!c.discrete) continue;
    const counts = state.counts.get(c.enc.column.name)!;
    for (const [k, n] of c.counts) countValue(counts, k, n);
    for (const e of [...c.table, ...c.map.values()]) {
      if (e && e.n > 0) countValue(counts, e.key, e.n);
    }
  }
}
