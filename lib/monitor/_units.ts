/**
 * Units of work of a monitor run: the new records of a MongoDB collection
 * (one unit of up to `max_records`), or each new file of a folder or S3
 * prefix. A unit is scored by the batch scorer and written to its output
 * idempotently (Mongo: replaced by `_id`; files and objects: a name derived
 * from the input's), so redoing a unit after a crash changes nothing.
 * Private to lib/monitor.
 *
 * @module
 */
import { join } from "node:path";
import { BSON, type MongoClient } from "mongodb";
import { ConfigError, DataError } from "../errors.ts";
import { csvField, readCsvFile } from "../data/csv.ts";
import { targetClass } from "../learn/preprocess.ts";
import { S3Bucket } from "../s3/bucket.ts";
import { parseS3Url, type S3Connection } from "../s3/settings.ts";
import type { Scorer } from "../scoring/scorer.ts";
import type { MonitorOutput, MonitorParams } from "./params.ts";
import type { ScoreWindow } from "./state.ts";

/** A prediction written back to MongoDB (`_id`: the record's). */
interface PredictionDoc {
  _id: BSON.ObjectId;
  [field: string]: unknown;
}

/** A unit ready for the batch scorer. */
export interface Unit {
  /** What it is, for messages and the history (`db.coll`, a file name). */
  name: string;
  /** The scorer's input file (temporary). */
  input: string;
  /** Its format. */
  format: "csv" | "jsonl";
  /** The watermark once this unit's outputs are written. */
  position: string;
  /** Records in the unit (blank lines excluded). */
  records: number;
  /** Window id of row r (1-based). */
  idOf(row: number, id: string): string;
  /** Labels that came with the records (row → class), when any did. */
  labels: Map<number, 0 | 1>;
  /** Write the scored rows to the output (idempotent). */
  write(scored: ScoredFiles): Promise<void>;
}

/** The scorer's files for a unit. */
export interface ScoredFiles {
  /** Predictions (CSV: id-or-row, probability, label, model_version). */
  out: string;
  /** Rejects (CSV: row, line, file, reason, record). */
  rejects: string;
  /** Rows rejected. */
  rejected: number;
  /** Model version. */
  modelVersion: string;
  /** Threshold. */
  threshold: number;
}

/** What the units need. */
export interface UnitContext {
  /** Monitor params. */
  params: MonitorParams;
  /** The model. */
  scorer: Scorer;
  /** Temporary folder of the run. */
  tmp: string;
  /** MongoDB client (mongodb source). */
  mongo?: MongoClient;
  /** S3 connection (s3 source). */
  s3?: S3Connection;
}

/** Read a scored CSV's rows (header skipped). */
export async function* csvRowsOf(path: string): AsyncGenerator<string[]> {
  let header = true;
  for await (const batch of readCsvFile(path)) {
    for (const row of batch.rows) {
      if (header) header = false;
      else if (row.length > 1) yield row;
    }
  }
}

function labelOf(scorer: Scorer, raw: unknown): 0 | 1 | null {
  if (raw === undefined || raw === null || raw === "") return null;
  try {
    return targetClass(scorer.preprocess, raw);
  } catch {
    return null;
  }
}

/** The Mongo source's one unit of new records, or undefined when there are none. */
export async function mongoUnit(
  ctx: UnitContext,
  watermark: string | null,
): Promise<Unit | undefined> {
  const src = ctx.params.source;
  if (src.kind !== "mongodb" || !ctx.mongo) throw new Error("mongoUnit: not a mongodb source");
  const out = ctx.params.output as Extract<MonitorOutput, { kind: "mongodb" }>;
  const db = ctx.mongo.db(src.database);
  const filter = watermark === null
    ? {}
    : { [src.orderField]: { $gt: BSON.EJSON.parse(watermark, { relaxed: false }) } };
  const cursor = db.collection(src.collection).find(filter)
    .sort({ [src.orderField]: 1 })
    .limit(src.maxRecords)
    .batchSize(5000);
  const schema = ctx.scorer.preprocess.schema;
  const keep = ctx.scorer.inputColumns.filter((c) => c !== schema.id);
  const labelField = ctx.params.labels.field ?? schema.target.column;
  const input = join(ctx.tmp, "records.jsonl");
  const file = await Deno.open(input, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const ids: unknown[] = [];
  const labels = new Map<number, 0 | 1>();
  let last: unknown, lines: string[] = [];
  try {
    for await (const doc of cursor) {
      ids.push(doc._id);
      const rec: Record<string, unknown> = {};
      for (const c of keep) if (c in doc) rec[c] = doc[c];
      lines.push(JSON.stringify(rec));
      const y = labelOf(ctx.scorer, doc[labelField]);
      if (y !== null) labels.set(ids.length, y);
      last = doc[src.orderField];
      if (last === undefined) {
        throw new DataError(
          `record ${
            BSON.EJSON.stringify(doc._id)
          } has no '${src.orderField}' (monitor.source.order_field)`,
          { file: `${src.database}.${src.collection}`, field: src.orderField },
        );
      }
      if (lines.length >= 5000) {
        await file.write(enc.encode(lines.join("\n") + "\n"));
        lines = [];
      }
    }
    if (lines.length > 0) await file.write(enc.encode(lines.join("\n") + "\n"));
  } finally {
    file.close();
  }
  if (ids.length === 0) return undefined;
  const target = db.collection<PredictionDoc>(out.collection);
  return {
    name: `${src.database}.${src.collection}`,
    input,
    format: "jsonl",
    position: BSON.EJSON.stringify(last, { relaxed: false }),
    records: ids.length,
    idOf: (row) => BSON.EJSON.stringify(ids[row - 1], { relaxed: false }),
    labels,
    async write(s: ScoredFiles) {
      // Idempotent: the unit's predictions replace any of the same _id, a batch at a time
      // (a crash between delete and insert is repaired by the rerun, which redoes the unit).
      // Not upserts: FerretDB 1.24 hangs on bulk upserts of existing documents.
      let docs: PredictionDoc[] = [];
      const flush = async () => {
        if (docs.length === 0) return;
        // Insert; the ids that exist already (a rerun) are replaced: deleted, inserted again.
        let existing: PredictionDoc[] = [];
        try {
          await target.insertMany(docs, { ordered: false });
        } catch (err) {
          const errors = (err as { writeErrors?: { code: number; index: number }[] }).writeErrors;
          if (!errors || errors.some((e) => e.code !== 11000)) throw err;
          existing = errors.map((e) => docs[e.index]);
        }
        if (existing.length > 0) {
          await target.deleteMany({ _id: { $in: existing.map((d) => d._id) } });
          await target.insertMany(existing, { ordered: false });
        }
        docs = [];
      };
      const put = async (row: number, fields: Record<string, unknown>) => {
        docs.push({ _id: ids[row - 1] as BSON.ObjectId, ...fields });
        if (docs.length >= 1000) await flush();
      };
      for await (const r of csvRowsOf(s.out)) {
        await put(Number(r[0]), {
          probability: Number(r[1]),
          label: Number(r[2]),
          model_version: r[3],
          threshold: s.threshold,
        });
      }
      if (s.rejected > 0) {
        for await (const r of csvRowsOf(s.rejects)) {
          await put(Number(r[0]), { error: r[3], model_version: s.modelVersion });
        }
      }
      await flush();
    },
  };
}

/** The files a run scores, each list in name order. */
export interface NewFiles {
  /**
   * Names at or before the watermark without a `<name>.predictions.csv` in
   * the output: files that arrived after later-named ones were scored.
   */
  late: string[];
  /** Names after the watermark. */
  fresh: string[];
}

/**
 * The files of a folder or S3 source still to score: those named after the
 * watermark, and late arrivals (named before it, never scored: their
 * predictions file does not exist; outputs are written before the
 * watermark moves, so a scored file always has one).
 */
export async function listNewFiles(
  ctx: UnitContext,
  watermark: string | null,
): Promise<NewFiles> {
  const wanted = /\.(csv|jsonl|ndjson)(\.gz)?$/i;
  const names = (await listNames(ctx, "source")).filter((n) =>
    !n.startsWith("_monitor/") && wanted.test(n)
  );
  const fresh = names.filter((n) => watermark === null || n > watermark).sort();
  const old = names.filter((n) => watermark !== null && n <= watermark);
  if (old.length === 0) return { late: [], fresh };
  // The output listing only when an old name exists (a folder of scored files).
  const scored = new Set(
    (await listNames(ctx, "output")).filter((n) => n.endsWith(PREDICTIONS)).map((n) =>
      n.slice(0, -PREDICTIONS.length)
    ),
  );
  return { late: old.filter((n) => !scored.has(n)).sort(), fresh };
}

const PREDICTIONS = ".predictions.csv";

/** The names (relative to the folder or prefix) in the source or the output; none when the output does not exist yet. */
async function listNames(ctx: UnitContext, where: "source" | "output"): Promise<string[]> {
  const loc = where === "source" ? ctx.params.source : ctx.params.output;
  const names: string[] = [];
  if (loc.kind === "folder") {
    try {
      for await (const e of Deno.readDir(loc.path)) if (e.isFile) names.push(e.name);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      if (where === "output") return [];
      throw new ConfigError(`the monitor's source folder '${loc.path}' does not exist`, {
        field: "monitor.source.path",
      });
    }
  } else if (loc.kind === "s3") {
    const { bucket, prefix } = parseS3Url(loc.url, `monitor.${where}.url`);
    const b = new S3Bucket({ ...ctx.s3!, bucket });
    const base = prefix === "" ? "" : `${prefix}/`;
    try {
      for await (const o of b.list(base)) names.push(o.key.slice(base.length));
    } finally {
      b.close();
    }
  }
  return names;
}

/** Labels of a file's rows from its label column (CSV with a header, at the model's delimiter, or JSON Lines). */
async function fileLabels(ctx: UnitContext, path: string, format: "csv" | "jsonl") {
  const field = ctx.params.labels.field ?? ctx.scorer.preprocess.schema.target.column;
  const labels = new Map<number, 0 | 1>();
  let row = 0;
  if (format === "csv") {
    let at = -1;
    // Input files are split like predict splits them: at the model's delimiter.
    const delimiter = ctx.scorer.preprocess.spec.input?.delimiter;
    for await (const batch of readCsvFile(path, { delimiter })) {
      for (const r of batch.rows) {
        if (r.length === 1 && r[0] === "") continue;
        if (at === -1 && row === 0 && labels.size === 0) {
          at = r.indexOf(field);
          if (at === -1) return labels;
          row = 0.5;
          continue;
        }
        row = Math.floor(row) + 1;
        const y = labelOf(ctx.scorer, r[at]);
        if (y !== null) labels.set(row, y);
      }
    }
  } else {
    const text = await Deno.readTextFile(path);
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      row++;
      try {
        const y = labelOf(ctx.scorer, JSON.parse(line)[field]);
        if (y !== null) labels.set(row, y);
      } catch {
        // A bad line is the scorer's reject.
      }
    }
  }
  return labels;
}

/** The unit of one new file of a folder or S3 source. */
export async function fileUnit(ctx: UnitContext, name: string): Promise<Unit> {
  const src = ctx.params.source, out = ctx.params.output;
  const format = /\.(jsonl|ndjson)(\.gz)?$/i.test(name) ? "jsonl" : "csv";
  const input = join(ctx.tmp, `input.${format}${name.endsWith(".gz") ? ".gz" : ""}`);
  let shown = name;
  if (src.kind === "folder") {
    await Deno.copyFile(join(src.path, name), input);
    shown = join(src.path, name);
  } else if (src.kind === "s3") {
    const { bucket, prefix } = parseS3Url(src.url, "monitor.source.url");
    const b = new S3Bucket({ ...ctx.s3!, bucket });
    const key = `${prefix === "" ? "" : `${prefix}/`}${name}`;
    try {
      // Streamed to a file: an object of any size, in flat memory.
      if (await b.download(key, input) === "missing") {
        throw new DataError(`input object ${b.url(key)} disappeared`);
      }
      shown = b.url(key);
    } finally {
      b.close();
    }
  }
  const labels = name.endsWith(".gz") ? new Map() : await fileLabels(ctx, input, format);
  const records = await countRecords(input, format);
  return {
    name: shown,
    input,
    format,
    position: name,
    records,
    idOf: (row, id) => `${name}#${id === "" ? row : id}`,
    labels,
    async write(s: ScoredFiles) {
      // The rejects name the input by its temporary path: name it as the user knows it.
      const rejects = s.rejected === 0 ? undefined : new TextEncoder().encode(
        (await Deno.readTextFile(s.rejects)).replaceAll(
          `,${csvField(input)},`,
          `,${csvField(shown)},`,
        ),
      );
      const predictions = await Deno.readFile(s.out);
      if (out.kind === "folder") {
        await Deno.mkdir(out.path, { recursive: true });
        await atomicWrite(join(out.path, `${name}${PREDICTIONS}`), predictions);
        if (rejects) await atomicWrite(join(out.path, `${name}.rejects.csv`), rejects);
      } else if (out.kind === "s3") {
        const { bucket, prefix } = parseS3Url(out.url, "monitor.output.url");
        const b = new S3Bucket({ ...ctx.s3!, bucket });
        const base = `${prefix === "" ? "" : `${prefix}/`}${name}`;
        try {
          await b.putBytes(`${base}${PREDICTIONS}`, predictions, "text/csv");
          if (rejects) await b.putBytes(`${base}.rejects.csv`, rejects, "text/csv");
        } finally {
          b.close();
        }
      }
    },
  };
}

async function atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}

async function countRecords(path: string, format: "csv" | "jsonl"): Promise<number> {
  if (path.endsWith(".gz")) return 0;
  let n = 0;
  if (format === "jsonl") {
    for (const line of (await Deno.readTextFile(path)).split("\n")) if (line.trim()) n++;
    return n;
  }
  for await (const _ of csvRowsOf(path)) n++;
  return n;
}

/** Window entries of a scored unit: every scored row with its probability and label. */
export async function unitScores(unit: Unit, out: string): Promise<ScoreWindow> {
  const w: ScoreWindow = { ids: [], p: [], y: [] };
  // The first column is the row number ("row"), or the schema's id column.
  const first = new TextDecoder().decode((await Deno.readFile(out)).subarray(0, 4));
  const byRow = first === "row," || first.startsWith('{"ro');
  let row = 0;
  for await (const r of csvRowsOf(out)) {
    row++;
    const n = byRow ? Number(r[0]) : row;
    w.ids.push(unit.idOf(n, byRow ? "" : r[0]));
    w.p.push(Number(r[1]));
    w.y.push(unit.labels.get(n) ?? null);
  }
  return w;
}
