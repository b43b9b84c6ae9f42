/**
 * Character statistics of URL parts (counts, token lengths, entropy, word
 * lists): the text-level helpers of the URL features (lib/url/features.ts).
 *
 * @module
 */

const ENTROPY_COUNTS = new Uint32Array(128);

/**
 * Shannon entropy of the characters of `s`, in bits per character.
 *
 * @example
 * ```ts
 * import { entropy } from "./text_stats.ts";
 * entropy("aaaa"); // 0
 * entropy("ab"); // 1
 * ```
 */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const ascii = ENTROPY_COUNTS.fill(0);
  let other: Map<number, number> | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) ascii[c]++;
    else (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
  }
  let h = 0;
  const term = (n: number) => {
    const p = n / s.length;
    h -= p * Math.log2(p);
  };
  for (let c = 0; c < 128; c++) if (ascii[c]) term(ascii[c]);
  if (other) { for (const n of other.values()) term(n); }
  return h;
}

export function countChar(s: string, code: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}

export function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

const isAlnum = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Characters other than letters, digits and `. / : -`. */
export function countSpecial(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== 46 && c !== 47 && c !== 58 && c !== 45) n++;
  }
  return n;
}

export function countEscapes(s: string): number {
  let n = 0;
  for (let i = s.indexOf("%"); i >= 0; i = s.indexOf("%", i + 1)) n++;
  return n; // every `%` starts a valid escape: checkUrl refused the others
}

export function countSub(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** [max, mean] length of the tokens of `s` split at any char of `seps` (empty tokens skipped), and their count. */
export function tokenStats(s: string, seps: string): [max: number, mean: number, count: number] {
  let max = 0, sum = 0, count = 0, len = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || seps.includes(s[i])) {
      if (len > 0) {
        count++;
        sum += len;
        if (len > max) max = len;
      }
      len = 0;
    } else len++;
  }
  return [max, count ? sum / count : 0, count];
}

/**
 * The words of `list` found in `s` (lowercase substring match).
 *
 * @example
 * ```ts
 * import { wordsIn } from "./text_stats.ts";
 * wordsIn("/secure-login/update", ["login", "update", "bank"]); // ["login", "update"]
 * ```
 */
export function wordsIn(s: string, list: readonly string[]): string[] {
  const lower = s.toLowerCase();
  return list.filter((w) => lower.includes(w));
}

// Pre-filter of countWords: a word can only occur in a text holding its
// first and last two-character pairs (pairs keyed by their low 6 bits each;
// a collision only lets a word through to the exact `includes` test).
const pairKey = (a: number, b: number) => ((a & 63) << 6) | (b & 63);
const pairSeen = new Uint32Array(4096);
let pairStamp = 0;
const compiled = new WeakMap<readonly string[], Int32Array>();

function wordPairs(list: readonly string[]): Int32Array {
  let keys = compiled.get(list);
  if (!keys) {
    keys = new Int32Array(2 * list.length).fill(-1); // -1: word too short to filter
    list.forEach((w, i) => {
      if (w.length < 2) return;
      keys![2 * i] = pairKey(w.charCodeAt(0), w.charCodeAt(1));
      keys![2 * i + 1] = pairKey(w.charCodeAt(w.length - 2), w.charCodeAt(w.length - 1));
    });
    compiled.set(list, keys);
  }
  return keys;
}

/**
 * How many words of `list` occur in the lowercase text `lower` (stops at `max`).
 *
 * @example
 * ```ts
 * import { countWords } from "./text_stats.ts";
 * countWords("/secure-login/update", ["login", "update", "bank"]); // 2
 * ```
 */
export function countWords(lower: string, list: readonly string[], max = Infinity): number {
  if (lower === "") return 0;
  const keys = wordPairs(list);
  if (++pairStamp === 0xffffffff) {
    pairSeen.fill(0);
    pairStamp = 1;
  }
  const stamp = pairStamp;
  for (let i = 1; i < lower.length; i++) {
    pairSeen[pairKey(lower.charCodeAt(i - 1), lower.charCodeAt(i))] = stamp;
  }
  let n = 0;
  for (let i = 0; i < list.length && n < max; i++) {
    const a = keys[2 * i];
    if (a >= 0 && (pairSeen[a] !== stamp || pairSeen[keys[2 * i + 1]] !== stamp)) continue;
    if (lower.includes(list[i])) n++;
  }
  return n;
}
