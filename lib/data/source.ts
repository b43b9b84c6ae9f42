/**
 * Where raw records come from. A {@linkcode DataSource} opens into a reader
 * with the source's column names and batches of rows aligned with them; the
 * CSV source is {@linkcode csvSource}. A database source (MongoDB) implements
 * the same interface: its rows hold native values (numbers, strings, null)
 * and its `lines` are document ordinals.
 *
 * @module
 */
import { DataError } from "../errors.ts";
import { readCsvFile } from "./csv.ts";

/** A batch of raw rows. */
export interface SourceBatch {
  /** Raw values aligned with {@linkcode SourceReader.columns}: text from files, native values from databases. */
  rows: unknown[][];
  /** Where each row came from: a 1-based line for files, an ordinal for databases. */
  lines: number[];
  /** The file these rows come from, when a source reads several (else its `location`). */
  file?: string;
}

/** An opened source. */
export interface SourceReader {
  /** The source's column names, in row order. */
  columns: string[];
  /** Line of the header (files with a header), for messages about columns. */
  headerLine?: number;
  /** The rows, in batches; iterate once. */
  batches: AsyncIterable<SourceBatch>;
}

/** Something that yields records. */
export interface DataSource {
  /** Where the data lives, for messages (a path, or `mongodb://host/db.collection`). */
  readonly location: string;
  /** Open the source: read its columns and get its rows. */
  open(): Promise<SourceReader>;
}

/** Options of {@linkcode csvSource}. */
export interface CsvSourceOptions {
  /** Path to the file (`.gz` is decompressed). */
  path: string;
  /** Whether the first record is a header row. */
  header: boolean;
  /** Column names in file order; required when there is no header. */
  columns?: string[];
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Tokens meaning "missing" besides the empty field (e.g. `?`, `NA`). */
  naValues?: string[];
}

/**
 * A CSV file as a {@linkcode DataSource}. Empty files, duplicate header names,
 * rows with the wrong number of fields and a header row in a file declared
 * header-less throw a `DataError` naming file and line.
 *
 * @example
 * ```ts ignore
 * import { csvSource } from "./source.ts";
 * const reader = await csvSource({ path: "data/phishing_websites.csv", header: true }).open();
 * for await (const { rows, lines } of reader.batches) console.log(rows.length, lines[0]);
 * ```
 */
export function csvSource(options: CsvSourceOptions): DataSource {
  const { path, header } = options;
  if (!header && !options.columns) {
    throw new TypeError("csvSource: 'columns' is required for a file without a header");
  }
  const na = new Set((options.naValues ?? []).map((t) => t.trim()).filter((t) => t !== ""));
  return {
    location: path,
    async open(): Promise<SourceReader> {
      const it = readCsvFile(path, { delimiter: options.delimiter })[Symbol.asyncIterator]();
      let first = await it.next();
      while (!first.done && first.value.rows.length === 0) first = await it.next();
      if (first.done) {
        throw new DataError(header ? "file is empty: no header row" : "file is empty: no rows", {
          file: path,
        });
      }
      let rows = first.value.rows;
      let lines = first.value.lines;
      let columns: string[];
      let headerLine: number | undefined;
      if (header) {
        columns = rows[0].map((c) => c.trim());
        headerLine = lines[0];
        const second = columns.findIndex((c, i) => columns.indexOf(c) !== i);
        if (second >= 0) {
          const dup = columns[second], first = columns.indexOf(dup);
          // Columns are read by name, so two of one name cannot both be (CIC-IDS2017's CSVs
          // name 'Fwd Header Length' twice): the user renames one.
          throw new DataError(
            `header names column '${dup}' twice (columns ${first + 1} and ${second + 1})`,
            {
              file: path,
              line: headerLine,
              field: dup,
              hint: `rename one of them in the header line, e.g. column ${second + 1} to ` +
                `'${dup} 2', then declare it in schema.yaml (or drop it there)`,
            },
          );
        }
        rows = rows.slice(1);
        lines = lines.slice(1);
      } else {
        columns = options.columns!;
        const names = new Set(columns);
        const looksLikeHeader = rows[0].filter((f) => names.has(f.trim())).length;
        if (looksLikeHeader >= Math.max(1, columns.length / 2)) {
          throw new DataError("the first line looks like a header row, but the source has none", {
            file: path,
            line: lines[0],
            hint: "declare the header (e.g. `header: true` in params.yaml's ingest section)",
          });
        }
      }
      const width = columns.length;
      const check = (batch: { rows: string[][]; lines: number[] }): SourceBatch => {
        for (let r = 0; r < batch.rows.length; r++) {
          const row = batch.rows[r];
          if (row.length !== width) {
            throw new DataError(
              `line has ${row.length} fields, expected ${width} ` +
                (header ? "(as many as the header)" : "(the schema's source columns)"),
              { file: path, line: batch.lines[r] },
            );
          }
          if (na.size > 0) {
            for (let c = 0; c < width; c++) if (na.has(row[c].trim())) row[c] = "";
          }
        }
        return batch;
      };
      async function* batches(): AsyncGenerator<SourceBatch> {
        if (rows.length > 0) yield check({ rows, lines });
        for (let next = await it.next(); !next.done; next = await it.next()) {
          yield check(next.value);
        }
      }
      return { columns, headerLine, batches: batches() };
    },
  };
}

/** Options of {@linkcode csvFilesSource}. */
export interface CsvFilesSourceOptions extends Omit<CsvSourceOptions, "path"> {
  /** The files, read in this order (a glob's matches come sorted). */
  paths: string[];
}

/**
 * Several CSV files read as one source, in the given order: every file must
 * have the same header as the first (same names, same order); each batch
 * names the file its rows come from, so errors point at the right file and
 * line.
 *
 * @example
 * ```ts ignore
 * import { csvFilesSource } from "./source.ts";
 * const reader = await csvFilesSource({ paths: ["day1.csv", "day2.csv"], header: true }).open();
 * for await (const { rows, file } of reader.batches) console.log(file, rows.length);
 * ```
 */
export function csvFilesSource(options: CsvFilesSourceOptions): DataSource {
  const { paths } = options;
  if (paths.length === 0) throw new TypeError("csvFilesSource: no paths");
  if (paths.length === 1) return csvSource({ ...options, path: paths[0] });
  const sources = paths.map((path) => csvSource({ ...options, path }));
  return {
    location: `${paths[0]} (+${paths.length - 1} more)`,
    async open(): Promise<SourceReader> {
      const first = await sources[0].open();
      async function* batches(): AsyncGenerator<SourceBatch> {
        for await (const b of first.batches) yield { ...b, file: b.file ?? paths[0] };
        for (let i = 1; i < sources.length; i++) {
          const reader = await sources[i].open();
          const same = reader.columns.length === first.columns.length &&
            reader.columns.every((c, k) => c === first.columns[k]);
          if (!same) {
            const diff = reader.columns.findIndex((c, k) => c !== first.columns[k]);
            const at = diff === -1 ? first.columns.length : diff;
            throw new DataError(
              `header differs from ${paths[0]}'s at column ${at + 1}: ` +
                `'${reader.columns[at] ?? "(none)"}' here, '${
                  first.columns[at] ?? "(none)"
                }' there`,
              {
                file: paths[i],
                line: reader.headerLine,
                hint: "files read together must have the same columns in the same order",
              },
            );
          }
          for await (const b of reader.batches) yield { ...b, file: paths[i] };
        }
      }
      return { columns: first.columns, headerLine: first.headerLine, batches: batches() };
    },
  };
}
