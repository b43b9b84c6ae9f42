/**
 * Writing scored rows as bytes, without building strings per row: the row
 * id, the probability with 6 decimals (the same text as
 * `Number.prototype.toFixed(6)`, which the evaluate stage writes), the label
 * and the model version, as CSV or JSON Lines. Private to lib/scoring.
 *
 * @module
 */
import { csvField } from "../data/csv.ts";

/** Output formats. */
export type OutputFormat = "csv" | "jsonl";

const encoder = new TextEncoder();
const COMMA = 44, DOT = 46, ZERO = 48, LF = 10;

/**
 * A growable byte buffer with number writers.
 *
 * @example
 * ```ts
 * import { ByteSink } from "./_out_format.ts";
 * const s = new ByteSink(4);
 * s.int(42);
 * s.prob6(0.5);
 * new TextDecoder().decode(s.bytes()); // "420.500000"
 * ```
 */
export class ByteSink {
  #buf: Uint8Array;
  #n = 0;

  /** Start with `capacity` bytes. */
  constructor(capacity = 1 << 16) {
    this.#buf = new Uint8Array(Math.max(16, capacity));
  }

  #room(k: number): void {
    if (this.#n + k <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#n + k));
    next.set(this.#buf.subarray(0, this.#n));
    this.#buf = next;
  }

  /** Append raw bytes. */
  raw(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#n);
    this.#n += b.length;
  }

  /** Append one byte. */
  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#n++] = b;
  }

  /** Append text (UTF-8). */
  text(s: string): void {
    this.raw(encoder.encode(s));
  }

  /** Append a non-negative integer in decimal. */
  int(v: number): void {
    if (v >= 1e15) return this.text(String(v));
    this.#room(16);
    const buf = this.#buf;
    let len = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
    let at = this.#n + len;
    this.#n = at;
    do {
      const q = Math.floor(v / 10);
      buf[--at] = ZERO + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /**
   * Append a probability in [0, 1] with 6 decimals: exactly `p.toFixed(6)`
   * for float32 values (p × 10⁶ is exact in float64, and both round half up).
   */
  prob6(p: number): void {
    if (!(p >= 0 && p <= 1)) return this.text(p.toFixed(6));
    this.#room(8);
    const buf = this.#buf;
    let q = Math.round(p * 1e6);
    const whole = q >= 1e6 ? 1 : 0;
    q -= whole * 1e6;
    let at = this.#n;
    buf[at++] = ZERO + whole;
    buf[at++] = DOT;
    for (let k = 5; k >= 0; k--) {
      const d = q % 10;
      q = (q - d) / 10;
      buf[at + k] = ZERO + d;
    }
    this.#n = at + 6;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#n;
  }

  /** The bytes written (a view; copy before reusing the sink). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#n);
  }
}

/**
 * The output's header line (CSV) or nothing (JSON Lines).
 *
 * @example
 * ```ts
 * import { outputHeader } from "./_out_format.ts";
 * outputHeader("csv", "row"); // "row,probability,label,model_version\n"
 * ```
 */
export function outputHeader(format: OutputFormat, idName: string, withClass = false): string {
  if (format !== "csv") return "";
  const cls = withClass ? ",class,class_probability" : "";
  return `${csvField(idName)},probability,label,model_version${cls}\n`;
}

/** How {@linkcode RowWriter} writes one row. */
export interface RowWriter {
  /** Write a row whose id is its row number (`cls`/`cp`: its class index and probability). */
  numbered(row: number, p: number, cls?: number, cp?: number): void;
  /** Write a row with an id given as CSV text / JSON text. */
  identified(idCsv: string, idJson: string, p: number, cls?: number, cp?: number): void;
}

/**
 * A writer of scored rows into `sink` for one model.
 *
 * @example
 * ```ts
 * import { ByteSink, rowWriter } from "./_out_format.ts";
 * const sink = new ByteSink();
 * rowWriter(sink, { format: "csv", idName: "row", threshold: 0.5, version: "abc" }).numbered(7, 0.75);
 * new TextDecoder().decode(sink.bytes()); // "7,0.750000,1,abc\n"
 * ```
 */
export function rowWriter(
  sink: ByteSink,
  o: {
    format: OutputFormat;
    idName: string;
    threshold: number;
    version: string;
    /** Class names: rows then also carry `class` and `class_probability`. */
    classNames?: string[];
  },
): RowWriter {
  const { threshold } = o;
  const names = o.classNames;
  if (o.format === "csv") {
    const end = names ? "," : "\n";
    const tail = [encoder.encode(`,0,${o.version}${end}`), encoder.encode(`,1,${o.version}${end}`)];
    const classText = names?.map((n) => encoder.encode(`${csvField(n)},`));
    const finish = (p: number, cls?: number, cp?: number) => {
      sink.byte(COMMA);
      sink.prob6(p);
      sink.raw(tail[p >= threshold ? 1 : 0]);
      if (classText) {
        sink.raw(classText[cls!]);
        sink.prob6(cp!);
        sink.byte(LF);
      }
    };
    return {
      numbered(row, p, cls, cp) {
        sink.int(row);
        finish(p, cls, cp);
      },
      identified(idCsv, _idJson, p, cls, cp) {
        sink.text(idCsv);
        finish(p, cls, cp);
      },
    };
  }
  const head = encoder.encode(`{${JSON.stringify(o.idName)}:`);
  const mid = encoder.encode(`,"probability":`);
  const end = names ? "," : "}\n";
  const tail = [0, 1].map((l) =>
    encoder.encode(`,"label":${l},"model_version":${JSON.stringify(o.version)}${end}`)
  );
  const classText = names?.map((n) =>
    encoder.encode(`"class":${JSON.stringify(n)},"class_probability":`)
  );
  const close = encoder.encode("}\n");
  const finish = (p: number, cls?: number, cp?: number) => {
    sink.raw(mid);
    sink.prob6(p);
    sink.raw(tail[p >= threshold ? 1 : 0]);
    if (classText) {
      sink.raw(classText[cls!]);
      sink.prob6(cp!);
      sink.raw(close);
    }
  };
  return {
    numbered(row, p, cls, cp) {
      sink.raw(head);
      sink.int(row);
      finish(p, cls, cp);
    },
    identified(_idCsv, idJson, p, cls, cp) {
      sink.raw(head);
      sink.text(idJson);
      finish(p, cls, cp);
    },
  };
}
