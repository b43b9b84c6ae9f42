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
import { domainParts, NO_DOMAIN } from "./domain_parts.ts";

/** log2 of the hash space (2^18 = 262,144 buckets). */
export const SPARSE_BITS = 18;
/** Longest n-gram hashed. */
export const MAX_GRAM = 5;

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
  const d = isIp ? NO_DOMAIN : domainParts(host);
  const rest = (url.pathname + url.search).toLowerCase();
  return [host + rest, d.domain || host, d.subdomain, rest];
}

/** Seed of part `p` (fixed: part of the feature definition). */
const partSeed = (p: number) => Math.imul(0x811c9dc5 ^ (p + 1), 0x9e3779b1) >>> 0;

/** Final avalanche of a 32-bit hash (murmur3 fmix32). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

let counts = new Uint16Array(1 << SPARSE_BITS);
let touched = new Int32Array(4096);

/**
 * Hash every 1..{@linkcode MAX_GRAM}-gram of `parts[p]` (with `^`/`$` ends)
 * into `bits`-bit buckets; return the sparse, sublinear-tf, L2-normalised
 * vector (indices unique, in order of first occurrence). Deterministic:
 * same text, same vector, on every platform. Linear time: counts go to a
 * reused dense table, only the touched buckets are read back and cleared.
 *
 * @example
 * ```ts
 * import { hashParts } from "./ngram_vector.ts";
 * const v = hashParts(["abc"], 18);
 * [v.index.length > 0, Math.abs(v.value.reduce((s, x) => s + x * x, 0) - 1) < 1e-6]; // [true, true]
 * ```
 */
export function hashParts(parts: readonly string[], bits: number = SPARSE_BITS): SparseVector {
  let total = 0;
  for (const s of parts) if (s !== "") total += (s.length + 2) * MAX_GRAM;
  if (touched.length < total) touched = new Int32Array(total * 2);
  if (counts.length < 1 << bits) counts = new Uint16Array(1 << bits);
  const shift = 32 - bits;
  let unique = 0;
  for (let p = 0; p < parts.length; p++) {
    const text = parts[p];
    if (text === "") continue;
    const len = text.length + 2;
    const seed = partSeed(p);
    for (let i = 0; i < len; i++) {
      let h = seed;
      const end = Math.min(len, i + MAX_GRAM);
      for (let j = i; j < end; j++) {
        const c = j === 0 ? 94 : j === len - 1 ? 36 : text.charCodeAt(j - 1);
        h = Math.imul(h ^ c, 0x01000193);
        const b = mix(h) >>> shift;
        if (counts[b] === 0) touched[unique++] = b;
        if (counts[b] < 65535) counts[b]++;
      }
    }
  }
  const index = touched.slice(0, unique), value = new Float32Array(unique);
  let norm = 0;
  for (let k = 0; k < unique; k++) {
    const v = 1 + Math.log(counts[index[k]]);
    counts[index[k]] = 0;
    value[k] = v;
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let k = 0; k < unique; k++) value[k] *= inv;
  return { index, value };
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
  // The checker needs it twice per URL (the LR's logit, then its reason): hash once.
  let v = lastVectors.get(checked);
  if (!v) lastVectors.set(checked, v = hashParts(ngramParts(checked), bits));
  return v;
}

const lastVectors = new WeakMap<CheckedUrl, SparseVector>();

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
