/**
 * The batch paths of the predict routes: a JSON batch (the scorer's
 * `scoreRecords`) and a CSV upload (the schema's row encoder, then one
 * `predictProba` call) are all-or-nothing: the first bad record answers 422
 * naming its index or line and its field.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { csvField } from "../data/csv.ts";
import { rowEncoder } from "../learn/preprocess.ts";
import type { CsvInput, JsonRecord } from "./body.ts";
import { HttpError, recordError } from "./errors.ts";
import type { Scored, ServedModel } from "./model_holder.ts";
import { classAnswers } from "./classes.ts";

/**
 * Validate and score a batch of records; a bad record throws a 422
 * {@linkcode HttpError} whose field is `[index].column`.
 *
 * @example
 * ```ts ignore
 * import { scoreBatch } from "./score.ts";
 * scoreBatch(model, [recordA, recordB]); // [{ probability: 0.97, label: 1 }, …]
 * ```
 */
export function scoreBatch(model: ServedModel, records: JsonRecord[]): Scored[] {
  const { results, errors } = model.scoreRecords(records);
  const bad = errors.findIndex((e) => e !== null);
  if (bad >= 0) {
    const err = errors[bad]!;
    const more = errors.reduce((n, e) => n + (e === null ? 0 : 1), 0) - 1;
    const http = recordError(err, records[bad], model.preprocess.fields, `[${bad}].`);
    const detail = err.message.replace(/^record \d+: /, "");
    throw new HttpError(
      http.code,
      `record ${bad}: ${detail}${more > 0 ? ` (and ${more} more invalid records)` : ""}`,
      { field: http.field, cause: err },
    );
  }
  return results as Scored[];
}

/**
 * Validate and score a parsed CSV upload into the answer's CSV text:
 * `row,probability,label` (the id column after `row` when the upload has
 * it; `class,class_probability` last when the model has a class model). A bad header or row throws a 422 naming the line and column.
 *
 * @example
 * ```ts ignore
 * import { scoreCsv } from "./score.ts";
 * const { text, threats } = scoreCsv(model, parseCsvInput(upload, 1000));
 * ```
 */
export function scoreCsv(model: ServedModel, csv: CsvInput): { text: string; threats: number } {
  const pre = model.preprocess;
  const { header, rows, lines } = csv;
  const fail = (err: unknown, row?: string[], line?: number): never => {
    if (!(err instanceof DataError)) throw err;
    const record = row && Object.fromEntries(header.map((h, i) => [h, row[i]]));
    const http = recordError(err, record, pre.fields);
    const at = line === undefined ? "" : `line ${line}: `;
    throw new HttpError(http.code, at + err.message, { field: http.field, cause: err });
  };
  let encoder;
  try {
    encoder = rowEncoder(pre, header);
  } catch (err) {
    return fail(err);
  }
  const width = encoder.width;
  const features = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    try {
      encoder.encode(rows[i], features, i * width, lines[i]);
    } catch (err) {
      fail(err, rows[i], lines[i]);
    }
  }
  const proba = model.predictProba(features, rows.length);
  const classes = model.classes && classAnswers(model.classes, features, rows.length);
  const idIndex = pre.schema.id === undefined ? -1 : header.indexOf(pre.schema.id);
  const out: string[] = [
    (idIndex < 0 ? "row,probability,label" : `row,${csvField(header[idIndex])},probability,label`) +
    (classes ? ",class,class_probability" : ""),
  ];
  let threats = 0;
  for (let i = 0; i < rows.length; i++) {
    const p = proba[i];
    const label = p >= model.threshold ? 1 : 0;
    threats += label;
    const id = idIndex < 0 ? "" : csvField(rows[i][idIndex]) + ",";
    const cls = classes ? `,${csvField(classes[i].class)},${classes[i].class_probability}` : "";
    out.push(`${i + 1},${id}${p},${label}${cls}`);
  }
  return { text: out.join("\n") + "\n", threats };
}
