/**
 * The sparse lexical representation of a URL: hashed character 1..5-grams
 * of separate parts (the whole URL without its scheme, the registered
 * domain, the subdomain, the path and query), each part in its own hash
 * namespace, so "paypal" in the registered domain and "paypal" in the path
 * are different features. Term frequencies are sublinear (`1 + ln tf`) and
 * the vector is L2-normalised, as a TF (no IDF) char n-gram vectorizer.
 * Used by the n-gram logistic regression (lib/url/ngram_model.ts).
 *
 * @module
 */
import type { CheckedUrl } from "./check_input.ts";
import { NO_DOMAIN } from "./domain_parts.ts";
import { domainPartsOf } from "./_domain_memo.ts";
import { MAX_GRAM, mix, partSeed } from "./_gram_hash.ts";
import { GramTable } from "./_gram_table.ts";
import { PartGrams } from "./_part_grams.ts";
import type { SparseLogreg } from "../learn/sparse_logreg.ts";

export { MAX_GRAM } from "./_gram_hash.ts";

/** log2 of the hash space (2^18 = 262,144 buckets). */
export const SPARSE_BITS = 18;

/** The URL parts hashed, each in its own namespace. */
export const NGRAM_PARTS = ["url", "domain", "subdomain", "path"] as const;
/** A hashed part. */
export type NgramPart = typeof NGRAM_PARTS[number];

/** A sparse vector: unique indices and their values. */
export interface SparseVector {
  /** Bucket indices, unique. */
  index: Int32Array;
  /** Values (same length). */
  value: Float32Array;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/** The texts of the parts of one URL, in {@linkcode NGRAM_PARTS} order. */
export function ngramParts(checked: CheckedUrl): string[] {
  const { url } = checked;
  const host = url.hostname;
  const isIp = host.startsWith("[") || IPV4.test(host);
  const d = isIp ? NO_DOMAIN : domainPartsOf(host);
  const rest = (url.pathname + url.search).toLowerCase();
  return [host + rest, d.domain || host, d.subdomain, rest];
}

const table = new GramTable();

/**
 * Hash every 1..{@linkcode MAX_GRAM}-gram of `parts[p]` (with `^`/`$` ends)
 * into `bits`-bit buckets; return the sparse, sublinear-tf, L2-normalised
 * vector (indices unique, in order of first occurrence). Deterministic:
 * same text, same vector, on every platform. Linear time: counts go to a
 * small reused hash table (lib/url/_gram_table.ts).
 *
 * @example
 * ```ts
 * import { hashParts } from "./ngram_vector.ts";
 * const v = hashParts(["abc"], 18);
 * [v.index.length > 0, Math.abs(v.value.reduce((s, x) => s + x * x, 0) - 1) < 1e-6]; // [true, true]
 * ```
 */
export function hashParts(parts: readonly string[], bits: number = SPARSE_BITS): SparseVector {
  table.hash(parts, bits);
  lastChecked = undefined;
  return { index: table.index.slice(0, table.unique), value: table.value.slice(0, table.unique) };
}

let lastChecked: CheckedUrl | undefined;

/**
 * The n-grams of `checked` hashed into the shared table (state valid until
 * the next call of this or {@linkcode hashParts}); hashed once however often
 * it is asked for the same URL in a row (the LR's logit, then its reason).
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { urlGrams } from "./ngram_vector.ts";
 * urlGrams(checkUrl("http://example.com/login")).unique > 10; // true
 * ```
 */
export function urlGrams(checked: CheckedUrl): GramTable {
  if (lastChecked !== checked) {
    table.hash(ngramParts(checked), SPARSE_BITS);
    lastChecked = checked;
  }
  return table;
}

const partTable = new PartGrams();
let lastPartChecked: CheckedUrl | undefined;
let lastPartLrs: readonly SparseLogreg[] | undefined;

/**
 * The n-grams of `checked` counted per part (lib/url/_part_grams.ts: the
 * entries and values `urlGrams(checked).computeParts()` gives, in one pass;
 * state valid until the next call), hashed once however often it is asked
 * for the same URL in a row (the per-part logits, then their reasons).
 * `lrs` (the per-part LRs): their logits too, in `logit` (a later call
 * without `lrs` for the same URL keeps them).
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { urlPartGrams } from "./ngram_vector.ts";
 * urlPartGrams(checkUrl("http://example.com/login")).partStart[4] > 10; // true
 * ```
 */
export function urlPartGrams(checked: CheckedUrl, lrs?: readonly SparseLogreg[]): PartGrams {
  if (lastPartChecked !== checked || (lrs !== undefined && lrs !== lastPartLrs)) {
    partTable.hash(ngramParts(checked), SPARSE_BITS, lrs);
    lastPartChecked = checked;
    lastPartLrs = lrs;
  }
  return partTable;
}

/**
 * The sparse n-gram vector of a checked URL.
 *
 * @example
 * ```ts
 * import { checkUrl } from "./check_input.ts";
 * import { urlNgramVector } from "./ngram_vector.ts";
 * urlNgramVector(checkUrl("http://example.com/login")).index.length > 10; // true
 * ```
 */
export function urlNgramVector(checked: CheckedUrl, bits: number = SPARSE_BITS): SparseVector {
  if (bits !== SPARSE_BITS) return hashParts(ngramParts(checked), bits);
  const t = urlGrams(checked);
  return { index: t.index.slice(0, t.unique), value: t.value.slice(0, t.unique) };
}

/** Which part and text a bucket came from, for reasons: the n-grams of `parts` hashing to `bucket`. */
export function gramsOfBucket(
  parts: readonly string[],
  bucket: number,
  bits: number = SPARSE_BITS,
): { part: NgramPart; gram: string }[] {
  const out: { part: NgramPart; gram: string }[] = [];
  const shift = 32 - bits;
  for (let p = 0; p < parts.length; p++) {
    const text = parts[p];
    if (text === "") continue;
    const s = `^${text}$`;
    for (let i = 0; i < s.length; i++) {
      let h = partSeed(p);
      for (let j = i; j < Math.min(s.length, i + MAX_GRAM); j++) {
        h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
        if (mix(h) >>> shift === bucket) {
          out.push({ part: NGRAM_PARTS[p], gram: s.slice(i, j + 1) });
        }
      }
    }
  }
  return out;
}

/** Call `f` with the bucket and span (in `^text$`) of every n-gram of part `p`'s `text`. */
export function forEachGram(
  text: string,
  p: number,
  f: (bucket: number, start: number, end: number) => void,
  bits: number = SPARSE_BITS,
): void {
  const s = `^${text}$`, shift = 32 - bits;
  for (let i = 0; i < s.length; i++) {
    let h = partSeed(p);
    for (let j = i; j < Math.min(s.length, i + MAX_GRAM); j++) {
      h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
      f(mix(h) >>> shift, i, j + 1);
    }
  }
}
