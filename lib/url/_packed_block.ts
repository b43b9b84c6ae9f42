/**
 * A block of input items packed for a worker (lib/url/check_pool.ts): the
 * URL texts' UTF-16 code units in one `Uint16Array`, their ends and line
 * numbers in `Int32Array`s, all transferable, instead of thousands of
 * structured-cloned objects. Refused lines (bad JSON …, rare) travel as is.
 *
 * @module
 */
import type { Item } from "./check_file.ts";

/** A packed block ({@linkcode packItems}). */
export interface PackedBlock {
  /** Code units of every URL, one after another. */
  codes: Uint16Array;
  /** Per item, the end of its URL in `codes` (-1: a refused line, next of `bad`). */
  ends: Int32Array;
  /** Per item, its line number. */
  lines: Int32Array;
  /** The refused items, in order. */
  bad: Item[];
}

/**
 * Pack `items`; `transfer` lists the buffers to hand over.
 *
 * @example
 * ```ts
 * import { packItems, unpackItems } from "./_packed_block.ts";
 * const { block } = packItems([{ line: 1, url: "http://a.com/" }]);
 * unpackItems(block)[0].url; // "http://a.com/"
 * ```
 */
export function packItems(items: readonly Item[]): { block: PackedBlock; transfer: ArrayBuffer[] } {
  let total = 0;
  for (const it of items) if (it.url !== undefined) total += it.url.length;
  const codes = new Uint16Array(total), ends = new Int32Array(items.length);
  const lines = new Int32Array(items.length), bad: Item[] = [];
  let at = 0;
  items.forEach((it, i) => {
    lines[i] = it.line;
    if (it.url === undefined) {
      ends[i] = -1;
      bad.push(it);
      return;
    }
    const u = it.url;
    for (let c = 0; c < u.length; c++) codes[at + c] = u.charCodeAt(c);
    at += u.length;
    ends[i] = at;
  });
  return {
    block: { codes, ends, lines, bad },
    transfer: [codes.buffer, ends.buffer, lines.buffer],
  };
}

const utf16 = new TextDecoder("utf-16le");

/**
 * The items of a packed block, in order.
 *
 * @example
 * ```ts
 * import { packItems, unpackItems } from "./_packed_block.ts";
 * unpackItems(packItems([{ line: 3, url: "x" }]).block); // [{ line: 3, url: "x" }]
 * ```
 */
export function unpackItems(block: PackedBlock): Item[] {
  // One decode of all code units. The decoder turns lone surrogates into
  // U+FFFD: a block showing one is rebuilt code unit by code unit (exact).
  let all = utf16.decode(block.codes);
  if (all.length !== block.codes.length || all.includes("\uFFFD")) {
    all = "";
    for (let i = 0; i < block.codes.length; i += 4096) {
      all += String.fromCharCode(...block.codes.subarray(i, i + 4096));
    }
  }
  const out: Item[] = new Array(block.ends.length);
  let start = 0, b = 0;
  for (let i = 0; i < block.ends.length; i++) {
    const end = block.ends[i];
    if (end < 0) {
      out[i] = block.bad[b++];
      continue;
    }
    out[i] = { line: block.lines[i], url: all.slice(start, end) };
    start = end;
  }
  return out;
}
