/**
 * Checking a file of URLs in bounded memory: read in blocks, check each block
 * (lib/url/url_checker.ts), write `url,probability,label,reasons` rows in
 * input order, and refused lines (not a URL, bad scheme, bad JSON …) to a
 * rejects CSV (`line,url,code,message`).
 *
 * Input format by name: `.csv` (header with a `url` column), `.jsonl` /
 * `.ndjson` (objects with a `url` string), otherwise one URL per line. Blank
 * lines are skipped.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { csvField, CsvParser } from "../data/csv.ts";
import type { UrlChecker } from "./url_checker.ts";

/** Lines checked per block. */
export const BLOCK = 4096;

/** What {@linkcode checkFile} did. */
export interface CheckFileSummary {
  /** URLs judged. */
  checked: number;
  /** Of them, flagged phishing. */
  phishing: number;
  /** Refused lines. */
  rejected: number;
}

/** Where a URL text came from. */
/** One input line: a URL to check, or why it is not one. */
export interface Item {
  line: number;
  url?: string;
  bad?: { code: string; message: string; text: string };
}

type Format = "csv" | "jsonl" | "lines";

/**
 * The input format of `path` by its name.
 *
 * @example
 * ```ts
 * import { inputFormat } from "./check_file.ts";
 * [inputFormat("a.csv"), inputFormat("a.jsonl"), inputFormat("urls.txt")]; // ["csv", "jsonl", "lines"]
 * ```
 */
export function inputFormat(path: string): Format {
  if (/\.csv$/i.test(path)) return "csv";
  if (/\.(jsonl|ndjson)$/i.test(path)) return "jsonl";
  return "lines";
}

async function* textLines(stream: ReadableStream<Uint8Array>, file: string) {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = "", line = 0;
  const decode = (c?: Uint8Array) => {
    try {
      return c ? decoder.decode(c, { stream: true }) : decoder.decode();
    } catch (err) {
      throw new DataError("file is not valid UTF-8 text", { file, cause: err });
    }
  };
  for await (const chunk of stream) {
    const parts = (carry + decode(chunk)).split("\n");
    carry = parts.pop()!;
    yield parts.map((text) => ({ line: ++line, text: text.replace(/\r$/, "") }));
  }
  const last = carry + decode();
  if (last !== "") yield [{ line: ++line, text: last.replace(/\r$/, "") }];
}

async function* items(
  stream: ReadableStream<Uint8Array>,
  format: Format,
  file: string,
): AsyncGenerator<Item[]> {
  if (format === "csv") {
    const parser = new CsvParser({ file });
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let urlIndex = -1;
    const take = (rows: string[][], lines: number[]) => {
      const out: Item[] = [];
      rows.forEach((row, i) => {
        if (urlIndex < 0) {
          urlIndex = row.indexOf("url");
          if (urlIndex < 0) {
            throw new DataError("the CSV header has no 'url' column", { file, line: lines[i] });
          }
          return;
        }
        out.push({ line: lines[i], url: row[urlIndex] ?? "" });
      });
      return out;
    };
    for await (const chunk of stream) {
      const b = parser.push(decoder.decode(chunk, { stream: true }));
      yield take(b.rows, b.lines);
    }
    const a = parser.push(decoder.decode());
    const b = parser.end();
    yield [...take(a.rows, a.lines), ...take(b.rows, b.lines)];
    if (urlIndex < 0) throw new DataError("empty CSV file (no header row)", { file });
    return;
  }
  for await (const lines of textLines(stream, file)) {
    const out: Item[] = [];
    for (const { line, text } of lines) {
      if (text.trim() === "") continue;
      if (format === "lines") {
        out.push({ line, url: text });
        continue;
      }
      let url: unknown;
      try {
        url = (JSON.parse(text) as { url?: unknown })?.url;
      } catch (err) {
        out.push({ line, bad: { code: "bad_json", message: (err as Error).message, text } });
        continue;
      }
      if (typeof url === "string") out.push({ line, url });
      else out.push({ line, bad: { code: "no_url", message: "no string field 'url'", text } });
    }
    yield out;
  }
}

/** What {@linkcode judgeBlock} needs of a checker. */
export type BlockChecker = Pick<UrlChecker, "check">;

/** One block's output: CSV text and counts ({@linkcode judgeBlock}). */
export interface BlockResult {
  /** `url,probability,label,reasons` rows. */
  out: string;
  /** `line,url,code,message` rows. */
  rej: string;
  /** Counts of this block. */
  summary: CheckFileSummary;
}

/**
 * Check one block of items and format its output (the unit a worker does).
 *
 * @example
 * ```ts ignore
 * import { judgeBlock } from "./check_file.ts";
 * judgeBlock(checker, [{ line: 1, url: "http://a.com/" }], 3).summary.checked; // 1
 * ```
 */
export function judgeBlock(checker: BlockChecker, items: Item[], reasons?: number): BlockResult {
  const summary: CheckFileSummary = { checked: 0, phishing: 0, rejected: 0 };
  const good = items.filter((p) => p.url !== undefined);
  const results = checker.check(good.map((p) => p.url!), { reasons });
  let out = "", rej = "";
  let k = 0;
  for (const p of items) {
    if (p.bad) {
      summary.rejected++;
      rej += `${p.line},${csvField(p.bad.text)},${p.bad.code},${csvField(p.bad.message)}\n`;
      continue;
    }
    const r = results[k++];
    if ("error" in r) {
      summary.rejected++;
      rej += `${p.line},${csvField(r.url)},${r.error.code},${csvField(r.error.message)}\n`;
      continue;
    }
    summary.checked++;
    if (r.label === "phishing") summary.phishing++;
    const reasons = r.reasons.map((x) => x.text).join("; ");
    out += `${csvField(r.url)},${r.probability},${r.label},${csvField(reasons)}\n`;
  }
  return { out, rej, summary };
}

/**
 * Check a stream of URLs block by block; output in input order. By default
 * blocks are judged here with `checker`; `judge` (e.g. a worker pool,
 * lib/url/check_pool.ts) with `inFlight` blocks at once spreads them over
 * cores, still written in input order.
 *
 * @example
 * ```ts ignore
 * import { checkFile } from "./check_file.ts";
 * await checkFile({ checker, input, format: "lines", file: "urls.txt", out, rejects });
 * ```
 */
export async function checkFile(o: {
  checker?: UrlChecker;
  judge?: (items: Item[]) => Promise<BlockResult>;
  inFlight?: number;
  input: ReadableStream<Uint8Array>;
  format: Format;
  file: string;
  out: (text: string) => Promise<void>;
  rejects: (text: string) => Promise<void>;
  reasons?: number;
}): Promise<CheckFileSummary> {
  const summary: CheckFileSummary = { checked: 0, phishing: 0, rejected: 0 };
  const judge = o.judge ??
    ((items: Item[]) => Promise.resolve(judgeBlock(o.checker!, items, o.reasons)));
  const inFlight = Math.max(1, o.inFlight ?? 1);
  await o.out("url,probability,label,reasons\n");
  await o.rejects("line,url,code,message\n");
  const queue: Promise<BlockResult>[] = [];
  const drainOne = async () => {
    const b = await queue.shift()!;
    summary.checked += b.summary.checked;
    summary.phishing += b.summary.phishing;
    summary.rejected += b.summary.rejected;
    if (b.out) await o.out(b.out);
    if (b.rej) await o.rejects(b.rej);
  };
  let pending: Item[] = [];
  const flush = async () => {
    if (pending.length) queue.push(judge(pending));
    pending = [];
    while (queue.length >= inFlight) await drainOne();
  };
  try {
    for await (const batch of items(o.input, o.format, o.file)) {
      for (const item of batch) {
        pending.push(item);
        if (pending.length >= BLOCK) await flush();
      }
    }
    await flush();
    while (queue.length) await drainOne();
  } finally {
    // A failed read leaves judged blocks unawaited: settle them (their output is not written).
    await Promise.allSettled(queue);
  }
  return summary;
}
