/**
 * Load a CSV file into a MongoDB collection (`deno task load-mongo`), the
 * counterpart of {@linkcode mongoSource}: every row of the file ends up in
 * the collection exactly once, and loading the same file again changes
 * nothing.
 *
 * - Each data row becomes one document whose `_id` is its data row number
 *   (1, 2, …): exact duplicate rows, which are real observations, all stay,
 *   and reading in `_id` order gives back the file's order.
 * - Values are coerced per schema.yaml (numbers stored as numbers, booleans as
 *   booleans, missing values as `null`); source-only (`drop`) columns are
 *   stored as text.
 * - The stored documents are read in one `_id`-ordered scan alongside the
 *   file (a merge join: constant memory, one pass) and compared row by row;
 *   only new or different rows are written, so the summary's
 *   inserted/updated/unchanged counts are exact and a re-run writes nothing.
 *   Documents whose `_id` is not a row number of the file (left over from a
 *   longer file, or not written by this loader) are kept and counted as
 *   `extra`, unless `prune` is set: loading never deletes data it did not
 *   write unless asked to (`--prune` makes the collection mirror the file).
 * - Writes are per batch: one `deleteMany` by `_id` (changed and extra
 *   documents) and one `insertMany` (new and changed rows). Per-document
 *   upserts would be simpler, but FerretDB on SQLite scans the collection for
 *   each one (about 20 ms per document at 11k documents); these two stay one
 *   round trip each. Loading is not atomic: do not ingest while it runs (the
 *   fingerprint check of ingest would notice).
 *
 * @module
 */
import type { Document, Filter, FindCursor } from "mongodb";
import { DataError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import { cellCoercer, type Coercer, INVALID } from "./cells.ts";
import {
  checkFieldNames,
  clientTimeouts,
  connectMongo,
  mongoServiceError,
  type MongoTimeouts,
} from "./mongo_source.ts";
import { columnSpec, type Schema } from "./schema.ts";
import { csvSource } from "./source.ts";
import { canonicalValue } from "./source_fingerprint.ts";
import { problemMessage } from "./table.ts";

/** Options of {@linkcode loadCsvIntoMongo}. */
export interface LoadCsvOptions {
  /** CSV file (`.gz` is decompressed). */
  file: string;
  /** Whether the file has a header row. */
  header: boolean;
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Tokens meaning missing besides the empty field. */
  naValues?: string[];
  /** The schema: column types, and the column order of a header-less file. */
  schema: Schema;
  /** Connection string (never logged). */
  uri: string;
  /** Database name. */
  database: string;
  /** Collection name. */
  collection: string;
  /** Documents per read and write round trip (default 1000). */
  batchSize?: number;
  /** Driver timeouts. */
  timeouts?: Partial<MongoTimeouts>;
  /** Progress (info every 10,000 rows) and summary. */
  log?: Logger;
  /** Delete documents the file has no row for (default false: keep them). */
  prune?: boolean;
}

/** What {@linkcode loadCsvIntoMongo} did. */
export interface LoadSummary {
  /** Data rows in the file (= documents in the collection afterwards). */
  rows: number;
  /** Rows that had no document yet. */
  inserted: number;
  /** Rows whose document differed and was replaced. */
  updated: number;
  /** Rows whose document was already the same. */
  unchanged: number;
  /** Documents removed because the file has no row for their `_id` (`prune`). */
  deleted: number;
  /** Documents the file has no row for, kept (without `prune`). */
  extra: number;
}

/** Text for source-only columns (no type): missing stays null. */
const asText: Coercer = (
  raw,
) => (raw === "" || raw === null || raw === undefined ? null : raw as string);

function sameDocument(stored: Document | undefined, doc: Document, fields: string[]): boolean {
  if (!stored || Object.keys(stored).length !== fields.length + 1) return false;
  for (const f of fields) {
    if (!(f in stored) || canonicalValue(stored[f]) !== canonicalValue(doc[f])) return false;
  }
  return true;
}

/** A stored document: a loaded row's `_id` is its row number, anything else is extra. */
interface Row extends Document {
  _id: unknown;
}

/** A filter on any of these `_id`s (of whatever BSON types). */
function byIds(ids: unknown[]): Filter<Row> {
  const filter: Document = { _id: { $in: ids } };
  return filter;
}

/**
 * The stored documents in `_id` order, handed out up to a given `_id`.
 * Numbers sort before every other `_id` type, so after the file's last row
 * number only documents the file has no row for remain.
 */
class StoredScan {
  #cursor: FindCursor<Row>;
  #next: Row | null | undefined;

  constructor(cursor: FindCursor<Row>) {
    this.#cursor = cursor;
  }

  /** The next document if its `_id` is not a number above `last`, else null. */
  async upTo(last: number): Promise<Row | null> {
    if (this.#next === undefined) this.#next = await this.#cursor.next();
    const doc = this.#next;
    if (!doc || (typeof doc._id === "number" && doc._id > last)) return null;
    this.#next = undefined;
    return doc;
  }

  async close(): Promise<void> {
    await this.#cursor.close().catch(() => {});
  }
}

/**
 * Load `file` into `database.collection` in batches, idempotently (see the
 * module doc). A value that cannot have its column's type is a `DataError`
 * naming file, line and column (nothing after that row is written); a file
 * without data rows is a `DataError` and leaves the collection alone;
 * connection problems are `ServiceError`s.
 *
 * @example
 * ```ts ignore
 * import { loadCsvIntoMongo } from "./mongo_load.ts";
 * const summary = await loadCsvIntoMongo({
 *   file: "data/phishing_websites.csv", header: true, schema,
 *   uri: "mongodb://127.0.0.1:27017/", database: "threatline", collection: "phishing_websites",
 * });
 * // { rows: 11055, inserted: 11055, updated: 0, unchanged: 0, deleted: 0, extra: 0 }
 * ```
 */
export async function loadCsvIntoMongo(options: LoadCsvOptions): Promise<LoadSummary> {
  const { file, schema, uri, database, collection } = options;
  const batchSize = options.batchSize ?? 1000;
  const log = options.log ?? nullLogger;
  const reader = await csvSource({
    path: file,
    header: options.header,
    columns: options.header ? undefined : schema.sourceColumns,
    delimiter: options.delimiter,
    naValues: options.naValues,
  }).open();
  const fields = reader.columns;
  const known = new Set(schema.sourceColumns);
  const missing = schema.columns.map((c) => c.name).filter((c) => !fields.includes(c));
  const unexpected = fields.filter((c) => !known.has(c));
  if (missing.length > 0 || unexpected.length > 0) {
    const parts = [
      missing.length ? `missing column(s) ${missing.map((c) => `'${c}'`).join(", ")}` : "",
      unexpected.length ? `unexpected column(s) ${unexpected.map((c) => `'${c}'`).join(", ")}` : "",
    ].filter(Boolean);
    throw new DataError(`columns do not match ${schema.file}: ${parts.join("; ")}`, {
      file,
      line: reader.headerLine,
      field: missing[0] ?? unexpected[0],
    });
  }
  checkFieldNames(fields);
  const specs = fields.map((f) => columnSpec(schema, f));
  const coercers = specs.map((s) => (s ? cellCoercer(s.type) : asText));

  const client = await connectMongo({ uri, timeouts: options.timeouts, log });
  const docs = client.db(database).collection<Row>(collection);
  const summary: LoadSummary = {
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    extra: 0,
  };
  const stored = new StoredScan(docs.find({}, { sort: { _id: 1 }, batchSize }));
  let pending: Row[] = [];
  let extra: unknown[] = [];
  let logged = 0;
  const removeExtra = async () => {
    if (extra.length === 0) return;
    if (options.prune) summary.deleted += (await docs.deleteMany(byIds(extra))).deletedCount;
    else summary.extra += extra.length;
    extra = [];
  };
  const flush = async () => {
    if (pending.length === 0) return;
    const first = pending[0]._id as number;
    const last = pending[pending.length - 1]._id as number;
    const old = new Map<unknown, Row>();
    for (let s = await stored.upTo(last); s; s = await stored.upTo(last)) {
      if (Number.isInteger(s._id) && (s._id as number) >= first) old.set(s._id, s);
      else extra.push(s._id);
    }
    const writes: Row[] = [];
    const replaced: unknown[] = [];
    for (const doc of pending) {
      const before = old.get(doc._id);
      if (sameDocument(before, doc, fields)) {
        summary.unchanged++;
        continue;
      }
      if (before) {
        summary.updated++;
        replaced.push(doc._id);
      } else summary.inserted++;
      writes.push(doc);
    }
    if (replaced.length > 0) await docs.deleteMany(byIds(replaced));
    if (writes.length > 0) await docs.insertMany(writes, { ordered: false });
    if (extra.length >= batchSize) await removeExtra();
    summary.rows += pending.length;
    pending = [];
    if (summary.rows - logged >= 10_000) {
      logged = summary.rows;
      log.info("load-mongo: progress", { ...summary });
    }
  };
  try {
    let ordinal = 0;
    for await (const batch of reader.batches) {
      for (let r = 0; r < batch.rows.length; r++) {
        const raw = batch.rows[r];
        const doc: Row = { _id: ++ordinal };
        for (let c = 0; c < fields.length; c++) {
          const v = coercers[c](raw[c]);
          if (v === INVALID) {
            const p = { file, column: fields[c], rule: "type" as const, line: batch.lines[r] };
            throw new DataError(problemMessage({ ...p, value: String(raw[c]) }, specs[c]), {
              file,
              line: batch.lines[r],
              field: fields[c],
            });
          }
          doc[fields[c]] = v;
        }
        pending.push(doc);
        if (pending.length >= batchSize) await flush();
      }
    }
    if (ordinal === 0 && pending.length === 0) {
      throw new DataError("no data rows: the collection was left as it was", { file });
    }
    await flush();
    for (let s = await stored.upTo(Infinity); s; s = await stored.upTo(Infinity)) {
      extra.push(s._id);
      if (extra.length >= batchSize) await removeExtra();
    }
    await removeExtra();
  } catch (err) {
    throw mongoServiceError(err, uri, `loading ${database}.${collection}`, clientTimeouts(client));
  } finally {
    await stored.close();
    await client.close().catch(() => {});
  }
  return summary;
}
