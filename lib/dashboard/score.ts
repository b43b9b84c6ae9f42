/**
 * Scoring for the Score page, on the served model (the same model, encoder
 * and `predictProba` that answer `/v1/predict` and `/v1/predict/csv`):
 *
 * - {@linkcode explainRecord}: a record's probability and label, plus which
 *   features pushed it most: each feature in turn is set to its training
 *   imputation value (median or most frequent) and the change in
 *   probability is its effect;
 * - {@linkcode scoreUpload}: a CSV or JSON Lines file scored row by row,
 *   bad rows reported as rejects (line, field, message) instead of failing
 *   the file, plus the scored file as CSV.
 *
 * A multiclass release (`multiclass.json`) adds `class` and
 * `class_probability` to both, as `/v1/predict` does.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { csvField } from "../data/csv.ts";
import { rowEncoder, transformRecord } from "../learn/preprocess.ts";
import { type CsvInput, parseCsvInput } from "../serve/body.ts";
import type { ServedModel } from "../serve/model_holder.ts";
import { type ClassAnswer, classAnswers, recordClasses } from "../serve/classes.ts";
import { type RecordsDrift, recordsDrift } from "../scoring/records_drift.ts";
import { DashError } from "./errors.ts";

/** A feature's push on one record's probability. */
export interface Effect {
  /** Input feature. */
  feature: string;
  /** Probability minus the probability with the feature at its training typical value. */
  effect: number;
}

/**
 * Score one record and rank its features by effect (largest push first).
 *
 * @example
 * ```ts ignore
 * const { probability, label, effects } = explainRecord(model, record);
 * ```
 */
export function explainRecord(
  model: ServedModel,
  record: Record<string, unknown>,
  top = 8,
): { probability: number; label: number; effects: Effect[] } & Partial<ClassAnswer> {
  const pre = model.preprocess;
  const scored = model.scoreRecord(record);
  const features = pre.spec.features;
  const x = new Float32Array(pre.width * features.length);
  const own = transformRecord(pre, record, { allowUnknown: true });
  features.forEach((f, i) => {
    const typical = { ...record, [f.column]: f.impute };
    let row = own;
    try {
      row = transformRecord(pre, typical, { allowUnknown: true });
    } catch {
      // the typical value is outside the column's rule (e.g. a fractional
      // median of an integer): no effect is measured for it
    }
    x.set(row, i * pre.width);
  });
  const p = model.predictProba(x, features.length);
  const effects = features.map((f, i) => ({
    feature: f.column,
    effect: Number((scored.probability - p[i]).toFixed(6)),
  }));
  effects.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect));
  return {
    probability: scored.probability,
    label: scored.label,
    ...recordClasses(model, [record])?.[0],
    effects: effects.slice(0, top),
  };
}

/** One scored row of an upload. */
export interface UploadRow {
  /** 1-based line in the file. */
  line: number;
  /** The id column's value, if the schema has one. */
  id?: string;
  /** Probability of threat. */
  probability: number;
  /** 0 or 1 at the model's threshold. */
  label: number;
  /** The most likely class (multiclass releases). */
  class?: string;
  /** Its probability. */
  class_probability?: number;
}

/** One rejected row. */
export interface UploadReject {
  /** 1-based line. */
  line: number;
  /** The field at fault, when known. */
  field?: string;
  /** Why. */
  message: string;
}

/** The result of {@linkcode scoreUpload}. */
export interface UploadResult {
  /** Scored rows. */
  rows: UploadRow[];
  /** Rejected rows. */
  rejects: UploadReject[];
  /** The scored file: `line[,id],probability,label[,class,class_probability]`. */
  csv: string;
  /** Model version. */
  modelVersion: string;
  /** Drift of the scored rows against the training profile (as `deno task predict` tests it). */
  drift: RecordsDrift;
}

function jsonlInput(text: string, maxRecords: number): { records: unknown[]; lines: number[] } {
  const records: unknown[] = [], lines: number[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    if (records.length >= maxRecords) {
      throw new DashError("BODY_TOO_LARGE", `more than ${maxRecords} records`);
    }
    try {
      records.push(JSON.parse(raw));
    } catch {
      records.push(new DataError("not valid JSON"));
    }
    lines.push(i + 1);
  });
  if (!records.length) throw new DashError("BAD_REQUEST", "the file has no records");
  return { records, lines };
}

/**
 * Score an uploaded file (`csv` with a header row, or `jsonl`).
 *
 * @example
 * ```ts ignore
 * const result = scoreUpload(model, { text, format: "csv", maxRecords: 100_000 });
 * ```
 */
export function scoreUpload(
  model: ServedModel,
  o: { text: string; format: "csv" | "jsonl"; maxRecords: number },
): UploadResult {
  const pre = model.preprocess;
  const idCol = pre.schema.id;
  const rows: UploadRow[] = [];
  const rejects: UploadReject[] = [];
  const scoredRecords: Record<string, unknown>[] = [];
  const reject = (line: number, err: unknown) => {
    if (!(err instanceof DataError)) throw err;
    rejects.push({ line, field: err.where.field, message: err.message });
  };
  if (o.format === "csv") {
    let csv: CsvInput;
    try {
      csv = parseCsvInput(o.text, o.maxRecords);
    } catch (err) {
      throw new DashError("BAD_REQUEST", (err as Error).message);
    }
    let encoder;
    try {
      encoder = rowEncoder(pre, csv.header);
    } catch (err) {
      if (err instanceof DataError) throw new DashError("BAD_REQUEST", err.message);
      throw err;
    }
    const idIndex = idCol === undefined ? -1 : csv.header.indexOf(idCol);
    const x = new Float32Array(csv.rows.length * encoder.width);
    const good: number[] = [];
    csv.rows.forEach((row, i) => {
      try {
        encoder.encode(row, x, good.length * encoder.width, csv.lines[i]);
        good.push(i);
      } catch (err) {
        reject(csv.lines[i], err);
      }
    });
    const encoded = x.subarray(0, good.length * encoder.width);
    const p = model.predictProba(encoded, good.length);
    const classes = model.classes && classAnswers(model.classes, encoded, good.length);
    for (const i of good) {
      scoredRecords.push(Object.fromEntries(csv.header.map((h, k) => [h, csv.rows[i][k]])));
    }
    good.forEach((i, k) => {
      rows.push({
        line: csv.lines[i],
        ...(idIndex >= 0 ? { id: csv.rows[i][idIndex] } : {}),
        probability: p[k],
        label: p[k] >= model.threshold ? 1 : 0,
        ...classes?.[k],
      });
    });
  } else {
    const { records, lines } = jsonlInput(o.text, o.maxRecords);
    const ok: Record<string, unknown>[] = [], okLines: number[] = [];
    records.forEach((r, i) => {
      if (r instanceof DataError) reject(lines[i], r);
      else if (r === null || typeof r !== "object" || Array.isArray(r)) {
        reject(lines[i], new DataError("a record must be a JSON object"));
      } else {
        ok.push(r as Record<string, unknown>);
        okLines.push(lines[i]);
      }
    });
    const { results, errors } = model.scoreRecords(ok);
    const classes = recordClasses(model, ok.filter((_, i) => results[i] !== null));
    let k = 0;
    results.forEach((s, i) => {
      if (s === null) return reject(okLines[i], errors[i]);
      scoredRecords.push(ok[i]);
      const id = idCol === undefined ? undefined : ok[i][idCol];
      rows.push({
        line: okLines[i],
        ...(id !== undefined ? { id: String(id) } : {}),
        probability: s.probability,
        label: s.label,
        ...classes?.[k++],
      });
    });
    rejects.sort((a, b) => a.line - b.line);
  }
  const head =
    (idCol === undefined ? "line,probability,label" : `line,${csvField(idCol)},probability,label`) +
    (model.classes ? ",class,class_probability" : "");
  const out = [head];
  for (const r of rows) {
    const id = idCol === undefined ? "" : `${csvField(r.id ?? "")},`;
    const cls = r.class === undefined
      ? ""
      : `,${csvField(r.class)},${r.class_probability!.toFixed(6)}`;
    out.push(`${r.line},${id}${r.probability.toFixed(6)},${r.label}${cls}`);
  }
  return {
    rows,
    rejects,
    csv: out.join("\n") + "\n",
    modelVersion: model.version,
    drift: recordsDrift(pre, scoredRecords),
  };
}
