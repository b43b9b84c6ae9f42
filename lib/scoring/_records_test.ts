import { deepStrictEqual } from "node:assert/strict";
import { CsvParser } from "../data/csv.ts";
import { createRng } from "../rng.ts";
import { scanRecords } from "./_records.ts";

const PIECES = ["a", "1", ",", "\n", "\r\n", "\r", '"', '""', '"x,\ny"', "é", ""];

/** Records as CsvParser sees them, or undefined when it throws. */
function parserView(text: string): { records: number } | undefined {
  try {
    const p = new CsvParser();
    return { records: p.push(text).rows.length + p.end().rows.length };
  } catch {
    return undefined;
  }
}

Deno.test("scanRecords counts records like CsvParser, in one piece or cut anywhere", () => {
  const rng = createRng(11);
  const enc = new TextEncoder();
  for (let t = 0; t < 3000; t++) {
    let text = "";
    const n = rng.int(14);
    for (let i = 0; i < n; i++) text += PIECES[rng.int(PIECES.length)];
    const want = parserView(text);
    const bytes = enc.encode(text);
    const whole = scanRecords(bytes, 0, bytes.length, true);
    deepStrictEqual(whole.end, bytes.length, JSON.stringify(text));
    if (want) deepStrictEqual(whole.records, want.records, JSON.stringify(text));
    // Cut at an arbitrary point: the complete part plus the rest add up.
    const cut = rng.int(bytes.length + 1);
    const first = scanRecords(bytes, 0, cut, false);
    const rest = scanRecords(bytes, first.end, bytes.length, true);
    deepStrictEqual(
      [first.records + rest.records, first.lines + rest.lines],
      [whole.records, whole.lines],
      JSON.stringify([text, cut]),
    );
  }
});

Deno.test("scanRecords: lines include blank lines and newlines inside quotes", () => {
  const b = new TextEncoder().encode('a,b\n"x\ny",1\n\n3,');
  deepStrictEqual(scanRecords(b, 0, b.length, false), { end: 13, records: 2, lines: 4 });
  deepStrictEqual(scanRecords(b, 0, b.length, true), { end: 15, records: 3, lines: 5 });
  const crlf = new TextEncoder().encode("a\r\nb\r\n\r\nc\r");
  deepStrictEqual(scanRecords(crlf, 0, crlf.length, false), { end: 8, records: 2, lines: 3 });
  deepStrictEqual(scanRecords(crlf, 0, crlf.length, true), { end: 10, records: 3, lines: 4 });
});
