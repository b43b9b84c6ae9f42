/**
 * A content fingerprint of what a {@linkcode DataSource} yields: the row
 * count and a SHA-256 over its columns and rows in a canonical text form.
 * Database sources are not files the runner can hash, so a pipeline reading
 * one fingerprints the query result instead (`stages/fingerprint.ts`), and
 * ingest hashes the rows it reads the same way to check that nothing changed
 * in between.
 *
 * The canonical form keeps types apart (`1` and `"1"` hash differently), so a
 * fingerprint may change where ingest's output would not (a conservative
 * re-run) but never stays the same when a value ingest sees has changed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { DataSource, SourceBatch, SourceReader } from "./source.ts";

/** The fingerprint of a source's rows. */
export interface SourceFingerprint {
  /** Rows read. */
  rows: number;
  /** Hex SHA-256 of the columns and the rows, in order. */
  sha256: string;
}

/**
 * The canonical text of one raw value: JSON for strings, finite numbers,
 * booleans and null; a tagged form for everything else (NaN, bigint, dates,
 * BSON values) so no two different values share a text.
 *
 * @example
 * ```ts
 * import { canonicalValue } from "./source_fingerprint.ts";
 * [canonicalValue(1), canonicalValue("1"), canonicalValue(null), canonicalValue(NaN)];
 * // ["1", "\"1\"", "null", "{\"$number\":\"NaN\"}"]
 * ```
 */
export function canonicalValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : `{"$number":"${v}"}`;
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return `{"$bigint":"${v}"}`;
    case "undefined":
      return `{"$undefined":true}`;
    case "object": {
      if (v === null) return "null";
      const type = (v as { constructor?: { name?: string } }).constructor?.name ?? "Object";
      let text: string;
      try {
        text = JSON.stringify(v) ?? String(v);
      } catch {
        text = String(v);
      }
      return `{"$${type}":${JSON.stringify(text)}}`;
    }
    default:
      return JSON.stringify(String(v));
  }
}

/** An incremental fingerprint: feed the columns once, then every row. */
export interface RowHasher {
  /** Add a batch of rows (aligned with the columns given at creation). */
  update(rows: unknown[][]): void;
  /** The fingerprint so far. */
  digest(): SourceFingerprint;
}

/**
 * Start a fingerprint of rows with these column names.
 *
 * @example
 * ```ts
 * import { rowHasher } from "./source_fingerprint.ts";
 * const h = rowHasher(["a", "b"]);
 * h.update([[1, "x"], [2, null]]);
 * h.digest().rows; // 2
 * ```
 */
export function rowHasher(columns: string[]): RowHasher {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(columns) + "\n");
  let rows = 0;
  let digest: SourceFingerprint | undefined;
  return {
    update(batch) {
      if (digest) throw new TypeError("rowHasher: update after digest");
      let text = "";
      for (const row of batch) text += "[" + row.map(canonicalValue).join(",") + "]\n";
      hash.update(text);
      rows += batch.length;
    },
    digest() {
      digest ??= { rows, sha256: hash.digest("hex") };
      return digest;
    },
  };
}

/** A source that fingerprints its rows as they are read. */
export interface HashingSource {
  /** Read this instead of the wrapped source. */
  source: DataSource;
  /** The fingerprint of everything read; undefined until the batches are exhausted. */
  fingerprint(): SourceFingerprint | undefined;
}

/**
 * Wrap a source so the rows read through it are fingerprinted on the way
 * (one pass, no extra memory): ingest reads through it and compares the
 * result with the fingerprint stage's.
 *
 * @example
 * ```ts ignore
 * import { hashingSource } from "./source_fingerprint.ts";
 * const hashed = hashingSource(source);
 * const table = await readTable(hashed.source, { schema });
 * hashed.fingerprint(); // { rows, sha256 }
 * ```
 */
export function hashingSource(inner: DataSource): HashingSource {
  let result: SourceFingerprint | undefined;
  const source: DataSource = {
    location: inner.location,
    async open(): Promise<SourceReader> {
      const reader = await inner.open();
      const hasher = rowHasher(reader.columns);
      async function* batches(): AsyncGenerator<SourceBatch> {
        for await (const batch of reader.batches) {
          hasher.update(batch.rows);
          yield batch;
        }
        result = hasher.digest();
      }
      return { ...reader, batches: batches() };
    },
  };
  return { source, fingerprint: () => result };
}

/**
 * Stream a whole source and return its fingerprint (constant memory).
 *
 * @example
 * ```ts ignore
 * import { fingerprintSource } from "./source_fingerprint.ts";
 * const { rows, sha256 } = await fingerprintSource(source);
 * ```
 */
export async function fingerprintSource(
  source: DataSource,
): Promise<SourceFingerprint & { columns: string[] }> {
  const hashed = hashingSource(source);
  const reader = await hashed.source.open();
  for await (const _ of reader.batches) { /* hashed on the way */ }
  return { columns: reader.columns, ...hashed.fingerprint()! };
}
