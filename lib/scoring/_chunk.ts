/**
 * Scoring one chunk of input (whole records of CSV or JSON Lines bytes): the
 * work a batch worker does. Private to lib/scoring.
 *
 * CSV rows take a fused fast path: fields are cut from the bytes and looked
 * up in a per-column memo of their encoding (discrete columns repeat a few
 * values, so a field costs a table lookup instead of a string, a number
 * parse and a domain check). A row the fast path cannot take — a quoted
 * field, a wrong field count, a value the memo knows to be invalid,
 * non-ASCII text — is parsed again by the reference path (`CsvParser` +
 * `rowEncoder` of lib/ml), which gives the exact reason of a reject. Both
 * paths produce the same features (`_chunk_test.ts` checks it); they stay
 * side by side, to be read against each other. The per-column codecs are in
 * `_codec.ts`, the JSON Lines path in `_chunk_jsonl.ts`. The field separator
 * is the input's (`ChunkInput.delimiter`, one ASCII byte; `,` by default).
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { parseDecimal } from "../data/cells.ts";
import { csvField, CsvParser } from "../data/csv.ts";
import { type ClassPredictor, compileClasses } from "../learn/multiclass.ts";
import { type RowEncoder, rowEncoder } from "../learn/preprocess.ts";
import {
  cellKey,
  countValue,
  type DriftState,
  emptyDriftState,
  rowPriority,
  SAMPLE_ROWS,
  type SampledRow,
  trimSample,
} from "./_batch_drift.ts";
import { ByteSink, type RowWriter, rowWriter } from "./_out_format.ts";
import { CR, LF, nextRecord, QUOTE } from "./_records.ts";
import type { Scorer } from "./scorer.ts";
import { scoreJsonl } from "./_chunk_jsonl.ts";
import {
  addCodecCounts,
  buildCodecs,
  type Codec,
  encodeEntry,
  type Entry,
  fatal,
  fieldText,
  ID,
  type Ids,
  IGNORE,
  lenient,
  MEMO,
  MEMO_LIMIT,
  VALUE,
  withoutLineEnd,
} from "./_codec.ts";
import type { ChunkInput, ChunkJob, ChunkResult, ChunkSetup, Reject } from "./_chunk_types.ts";

export type * from "./_chunk_types.ts";

/**
 * Scores chunks of one batch: keeps the per-column memos, the drift state
 * and the output writer across chunks and inputs.
 *
 * @example
 * ```ts ignore
 * import { ChunkScorer } from "./_chunk.ts";
 * const cs = new ChunkScorer(scorer, { output: "csv", useId: false });
 * cs.setInput({ file: "in.csv", format: "csv", header });
 * const result = cs.process({ seq: 0, bytes, startRow: 1, startLine: 2, records });
 * ```
 */
export class ChunkScorer {
  #scorer: Scorer;
  #codecs: Codec[];
  #byName: Map<string, Codec>;
  #idName: string | undefined;
  #writerOptions: Parameters<typeof rowWriter>[1];
  #classPredict?: ClassPredictor;
  #allowUnknown: boolean;
  #input?: ChunkInput;
  #slots: number[] = [];
  #slotCodec: (Codec | undefined)[] = [];
  #absent: Entry[] = [];
  #absentCodecs: Codec[] = [];
  #rowEncoder?: RowEncoder;
  #idPos = -1;
  #idIsNumber: boolean;
  #x = new Float32Array(0);
  #sample: SampledRow[] = [];
  #sampleMax = Infinity;
  #rowCells: (number | null)[];
  #rowsSeen = 0;
  #delimiter = 44;

  /** Set up for a scorer. */
  constructor(scorer: Scorer, o: ChunkSetup) {
    this.#scorer = scorer;
    this.#allowUnknown = o.allowUnknown ?? false;
    const pre = scorer.preprocess;
    const { codecs, byName, numeric } = buildCodecs(pre);
    this.#codecs = codecs;
    this.#rowCells = new Array(numeric).fill(null);
    this.#byName = byName;
    this.#idName = o.useId ? pre.schema.id : undefined;
    const idType = pre.schema.columns.find((c) => c.name === this.#idName)?.type;
    this.#idIsNumber = idType === "integer" || idType === "number";
    this.#writerOptions = {
      format: o.output,
      idName: this.#idName ?? "row",
      threshold: o.threshold ?? scorer.threshold,
      version: scorer.version,
      classNames: o.classes?.classes,
    };
    if (o.classes) this.#classPredict = compileClasses(o.classes);
  }

  /** Switch to the next input file (its header was checked by the caller). */
  setInput(input: ChunkInput): void {
    this.#flushAbsent();
    this.#input = input;
    if (input.format === "jsonl") return;
    this.#delimiter = (input.delimiter ?? ",").charCodeAt(0);
    const { header } = input;
    this.#slotCodec = header.map((h) => this.#byName.get(h));
    this.#slots = header.map((h, i) => {
      const c = this.#slotCodec[i];
      if (c) return c.discrete ? MEMO : VALUE;
      return h === this.#idName ? ID : IGNORE;
    });
    this.#idPos = this.#idName === undefined ? -1 : header.indexOf(this.#idName);
    this.#absentCodecs = this.#codecs.filter((c) => !header.includes(c.enc.column.name));
    this.#absent = this.#absentCodecs.map((c) => this.#entry(c, null));
    this.#rowEncoder = rowEncoder(this.#scorer.preprocess, header, {
      file: input.file,
      allowUnknown: true,
    });
  }

  /** The encoding of one raw value of a column (memoized by the caller). */
  #entry(c: Codec, raw: string | null): Entry {
    return encodeEntry(this.#scorer.preprocess, c, raw);
  }

  #sampleRow(row: number): void {
    const priority = rowPriority(row);
    if (this.#sample.length >= SAMPLE_ROWS && priority > this.#sampleMax) return;
    this.#sample.push({ priority, row, cells: this.#rowCells.slice() });
    if (this.#sample.length >= 2 * SAMPLE_ROWS) {
      this.#sample = trimSample(this.#sample);
      this.#sampleMax = this.#sample[SAMPLE_ROWS - 1].priority;
    }
  }

  /** Score a chunk of the current input. */
  process(job: ChunkJob): ChunkResult {
    const width = this.#scorer.preprocess.width;
    if (this.#x.length < job.records * width) this.#x = new Float32Array(job.records * width);
    const rows: number[] = [];
    const ids: Ids = { csv: [], json: [] };
    const rejects: Reject[] = [];
    const read = this.#input!.format === "csv"
      ? this.#csv(job, rows, ids, rejects)
      : this.#jsonl(job, rows, ids, rejects);
    this.#rowsSeen += read;
    const scored = rows.length;
    if (read !== job.records) {
      throw new Error(`chunk ${job.seq}: ${read} records scored, ${job.records} counted`);
    }
    const p = scored > 0
      ? this.#scorer.predictProba(this.#x.subarray(0, scored * width), scored)
      : this.#x;
    const sink = new ByteSink(scored * 48 + 64);
    const writer: RowWriter = rowWriter(sink, this.#writerOptions);
    // Opt-in multiclass: the class model scores the same encoded rows.
    const c = this.#classPredict && scored > 0
      ? this.#classPredict(this.#x.subarray(0, scored * width), scored)
      : undefined;
    const cls = c?.classes, cp = c?.probabilities;
    if (this.#idName === undefined) {
      for (let k = 0; k < scored; k++) writer.numbered(rows[k], p[k], cls?.[k], cp?.[k]);
    } else {
      for (let k = 0; k < scored; k++) {
        writer.identified(ids.csv[k], ids.json[k], p[k], cls?.[k], cp?.[k]);
      }
    }
    return { seq: job.seq, output: sink.bytes().slice(), rejects, rows: read, scored };
  }

  #commit(row: number, base: number, rows: number[]): void {
    const absent = this.#absent;
    for (let k = 0; k < absent.length; k++) {
      const c = this.#absentCodecs[k];
      this.#x.set(absent[k].seg, base + c.at);
      if (c.discrete) absent[k].n++;
      else this.#rowCells[c.numeric] = null;
    }
    if (this.#rowCells.length > 0) this.#sampleRow(row);
    rows.push(row);
  }

  #idText(text: string, ids: Ids): void {
    ids.csv.push(csvField(text));
    ids.json.push(
      this.#idIsNumber && text !== "" && Number.isFinite(parseDecimal(text))
        ? String(parseDecimal(text))
        : JSON.stringify(text),
    );
  }

  #csv(job: ChunkJob, rows: number[], ids: Ids, rejects: Reject[]): number {
    const { bytes } = job;
    const n = bytes.length;
    const slots = this.#slots, codecs = this.#slotCodec, nf = slots.length;
    const width = this.#scorer.preprocess.width;
    const x = this.#x;
    const d = this.#delimiter;
    const used: Entry[] = new Array(nf);
    let i = 0, row = job.startRow, line = job.startLine, read = 0;
    while (i < n) {
      const c0 = bytes[i];
      if (c0 === LF || c0 === CR) {
        i += c0 === CR && bytes[i + 1] === LF ? 2 : 1;
        line++;
        continue;
      }
      const start = i;
      const base = rows.length * width;
      let ok = true, idA = 0, idB = 0;
      for (let f = 0; f < nf; f++) {
        const a = i;
        if (bytes[i] === QUOTE) {
          ok = false;
          break;
        }
        let key = 0, high = 0, c = -1;
        while (i < n) {
          c = bytes[i];
          if (c === d || c === LF || c === CR) break;
          key = key * 128 + c;
          high |= c;
          i++;
        }
        if (i >= n) c = -1;
        if (f < nf - 1 ? c !== d : c === d) {
          ok = false; // too few or too many fields
          break;
        }
        const kind = slots[f];
        if (kind === MEMO) {
          const codec = codecs[f]!;
          const len = i - a;
          let e: Entry | undefined;
          if (len <= 2 && high < 128) {
            const idx = len === 0 ? 0 : len === 1 ? 1 + key : 129 + key;
            e = codec.table[idx] ??= this.#entry(codec, fieldText(bytes, a, i));
          } else {
            let text: string;
            try {
              text = fieldText(bytes, a, i);
            } catch {
              ok = false;
              break;
            }
            e = codec.map.get(text);
            if (!e) {
              e = this.#entry(codec, text);
              if (codec.map.size < MEMO_LIMIT) codec.map.set(text, e);
            }
          }
          if (!e.ok) {
            ok = false;
            break;
          }
          const seg = e.seg;
          if (seg.length === 1) x[base + codec.at] = seg[0];
          else x.set(seg, base + codec.at);
          used[f] = e;
        } else if (kind === VALUE) {
          const codec = codecs[f]!;
          let text: string;
          try {
            text = fieldText(bytes, a, i);
          } catch {
            ok = false;
            break;
          }
          if (codec.enc.encode(text, x, base) !== null) {
            ok = false;
            break;
          }
          this.#rowCells[codec.numeric] = codec.coerce(text) as number | null;
        } else if (kind === ID) {
          idA = a;
          idB = i;
        }
        if (f < nf - 1) i++;
      }
      read++;
      if (ok) {
        if (i < n) i += bytes[i] === CR && bytes[i + 1] === LF ? 2 : 1;
        for (let f = 0; f < nf; f++) if (slots[f] === MEMO) used[f].n++;
        if (this.#idPos >= 0) this.#idText(fieldText(bytes, idA, idB), ids);
        this.#commit(row, base, rows);
        line++;
      } else {
        const span = nextRecord(bytes, start, n, true, d)!;
        i = span.end;
        this.#slowCsv(bytes.subarray(start, span.end), { row, line, base }, rows, ids, rejects);
        line += span.lines;
      }
      row++;
    }
    return read;
  }

  /** The reference path for one CSV record: exact parse, exact reasons. */
  #slowCsv(
    record: Uint8Array,
    at: { row: number; line: number; base: number },
    rows: number[],
    ids: Ids,
    rejects: Reject[],
  ): void {
    const reject = (reason: string, text?: string) =>
      rejects.push({
        row: at.row,
        line: at.line,
        reason,
        record: withoutLineEnd(text ?? lenient.decode(record)),
      });
    let text: string;
    try {
      text = fatal.decode(record);
    } catch {
      return void reject("the row is not valid UTF-8 text");
    }
    let fields: string[];
    try {
      const { file, delimiter } = this.#input!;
      const parser = new CsvParser({ file, delimiter });
      fields = [...parser.push(text).rows, ...parser.end().rows][0];
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      return void reject(err.message, text);
    }
    const nf = this.#slots.length;
    if (fields.length !== nf) {
      return void reject(`the row has ${fields.length} fields, the header ${nf}`, text);
    }
    try {
      this.#rowEncoder!.encode(fields, this.#x, at.base, at.line);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      return void reject(err.message, text);
    }
    fields.forEach((raw, f) => {
      const c = this.#slotCodec[f];
      if (!c) return;
      const v = c.coerce(raw);
      if (c.discrete) countValue(c.counts, cellKey(v as never), 1);
      else this.#rowCells[c.numeric] = v as number | null;
    });
    if (this.#idPos >= 0) this.#idText(fields[this.#idPos], ids);
    this.#commit(at.row, at.base, rows);
  }

  #jsonl(job: ChunkJob, rows: number[], ids: Ids, rejects: Reject[]): number {
    return scoreJsonl({
      pre: this.#scorer.preprocess,
      allowUnknown: this.#allowUnknown,
      x: this.#x,
      codecs: this.#codecs,
      rowCells: this.#rowCells,
      idName: this.#idName,
      sampleRow: (row) => this.#sampleRow(row),
      job,
      rows,
      ids,
      rejects,
    });
  }

  /** Move the counts of columns absent from the current input into their codecs. */
  #flushAbsent(): void {
    this.#absentCodecs.forEach((c, k) => {
      const e = this.#absent[k];
      if (c.discrete && e.n > 0) countValue(c.counts, e.key, e.n);
      e.n = 0;
    });
  }

  /** The drift state of everything scored so far. */
  drift(): DriftState {
    this.#flushAbsent();
    const state = emptyDriftState(this.#scorer.preprocess);
    state.rows = this.#rowsSeen;
    addCodecCounts(state, this.#codecs);
    state.sample = trimSample(this.#sample);
    return state;
  }
}
