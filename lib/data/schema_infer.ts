/**
 * Schema inference for `deno task schema infer`: stream CSV files once and
 * describe every column by its content (integer, number, boolean or
 * categorical; values when few; range; missing values and the tokens that
 * spelled them), suggest columns to drop with the reason (constant, unique
 * per row, IP addresses, timestamps) and guess the target by name. It never
 * guesses which labels are threats: without `positive`/`negative` the
 * result lists the labels and leaves the choice to the user.
 *
 * The YAML text is written by `_schema_yaml.ts`.
 *
 * @module
 */
import { ConfigError, DataError } from "../errors.ts";
import { parseCsv } from "./csv.ts";
import { csvFilesSource } from "./source.ts";
import { type Acc, add, newAcc, NUMBER, UNIQUE_CAP } from "./_column_acc.ts";

export { MISSING_TOKENS } from "./_column_acc.ts";

/** Options of {@linkcode inferSchema}. */
export interface InferOptions {
  /** The CSV files (read in order as one table; headers must be equal). */
  paths: string[];
  /** Column names for header-less files (then the first line is data). */
  names?: string[];
  /** Field separator; default: detected from the first line (`,` `;` tab `|`). */
  delimiter?: string;
  /** Target column; default: guessed by name. */
  target?: string;
  /** Labels that are the threat. */
  positive?: string[];
  /** Labels that are benign. */
  negative?: string[];
  /** Columns to drop whatever their content. */
  drop?: string[];
  /** At most this many distinct values make a categorical's `values` list (default 20). */
  maxValues?: number;
}

/** What was inferred for one column. */
export interface InferredColumn {
  /** Column name. */
  name: string;
  /** Type by content (`categorical` when nothing narrower fits). */
  type: "integer" | "number" | "boolean" | "categorical";
  /** Distinct present values, sorted, when at most `maxValues` (else undefined). */
  values?: (string | number)[];
  /** Distinct present values counted (a lower bound when `distinctCapped`). */
  distinct: number;
  /** Whether `distinct` stopped counting at the cap. */
  distinctCapped: boolean;
  /** Smallest and largest value (numeric columns). */
  min?: number;
  /** Largest value (numeric columns). */
  max?: number;
  /** Rows where the value is missing. */
  missing: number;
  /** Missing-value tokens seen in this column, with counts (`""` is the empty field). */
  missingTokens: Record<string, number>;
  /** Why the column should be dropped, when it should. */
  drop?: string;
}

/** The result of {@linkcode inferSchema}. */
export interface InferredSchema {
  /** Files read. */
  paths: string[];
  /** Data rows read. */
  rows: number;
  /** Whether the files have a header row. */
  header: boolean;
  /** The field separator used. */
  delimiter: string;
  /** Columns in file order. */
  columns: InferredColumn[];
  /** The target column, when given or guessed. */
  target?: string;
  /** How the target was chosen. */
  targetReason?: string;
  /** Labels of the target with their counts, most frequent first. */
  labels: [string, number][];
  /** Threat labels (from the options only). */
  positive?: string[];
  /** Benign labels (from the options only). */
  negative?: string[];
  /** Missing-value tokens seen anywhere besides the empty field (for `ingest.na_values`). */
  naValues: string[];
}

/** Target names, best first (matched case-insensitively, ignoring spaces, `_` and `-`). */
const TARGET_NAMES = [
  "label",
  "class",
  "target",
  "result",
  "status",
  "attack",
  "attackcat",
  "attacktype",
  "category",
  "outcome",
  "malicious",
  "isattack",
  "ismalicious",
  "y",
];

/**
 * Pick the separator from the first line: the most frequent of `,` `;` tab
 * `|` outside quotes (`,` when none occurs).
 *
 * @example
 * ```ts
 * import { detectDelimiter } from "./schema_infer.ts";
 * [detectDelimiter("a;b;c"), detectDelimiter("a\tb"), detectDelimiter('"x,y";z')]; // [";", "\t", ";"]
 * ```
 */
export function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([[",", 0], [";", 0], ["\t", 0], ["|", 0]]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/** The first line of a file (gzip-aware), BOM removed. */
async function firstLine(path: string): Promise<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("data file not found", { file: path, cause: err });
    }
    throw err;
  }
  let stream: ReadableStream<Uint8Array> = file.readable;
  if (path.endsWith(".gz")) {
    stream = stream.pipeThrough(
      new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
  }
  const decoder = new TextDecoder();
  let text = "";
  const reader = stream.getReader();
  try {
    while (!/[\r\n]/.test(text) && text.length < 1 << 20) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)[0];
}

/**
 * Whether the first line is a header: no field of it is a number, and it is
 * not a repeat of the names given. A header-less file needs `names`.
 */
function looksLikeHeader(fields: string[]): boolean {
  return fields.every((f) => !NUMBER.test(f.trim()) && f.trim() !== "");
}

/**
 * Guess the target column by name: the first of `label`, `class`, `target`,
 * `result`, `status`, `attack`, … (case, spaces, `_` and `-` ignored).
 *
 * @example
 * ```ts
 * import { guessTarget } from "./schema_infer.ts";
 * guessTarget(["Flow ID", "Src IP", " Label"]); // " Label"
 * ```
 */
export function guessTarget(columns: string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, "");
  for (const want of TARGET_NAMES) {
    const hit = columns.find((c) => norm(c) === want);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Read `options.paths` and infer a schema (see the module docs).
 *
 * @example
 * ```ts ignore
 * import { inferSchema } from "./schema_infer.ts";
 * const s = await inferSchema({ paths: ["flows.csv"], negative: ["BENIGN"] });
 * s.columns.filter((c) => c.drop).map((c) => `${c.name}: ${c.drop}`);
 * ```
 */
export async function inferSchema(options: InferOptions): Promise<InferredSchema> {
  const { paths } = options;
  if (paths.length === 0) throw new ConfigError("no input files", { field: "FILE" });
  const maxValues = options.maxValues ?? 20;
  const line = await firstLine(paths[0]);
  if (line.trim() === "") throw new DataError("file is empty: no header row", { file: paths[0] });
  const delimiter = options.delimiter ?? detectDelimiter(line);
  const first = parseCsv(line, { delimiter, file: paths[0] }).rows[0] ?? [];
  const header = !options.names;
  if (header && !looksLikeHeader(first)) {
    const at = first.findIndex((f) => NUMBER.test(f.trim()) || f.trim() === "");
    throw new DataError(
      `the first line looks like data, not a header (field ${at + 1} is '${first[at]}')`,
      {
        file: paths[0],
        line: 1,
        hint: "name the columns with --names a,b,c or --names FILE (one name per line, " +
          "or an ARFF file's @attribute lines)",
      },
    );
  }
  if (options.names && options.names.length !== first.length) {
    throw new ConfigError(
      `--names gives ${options.names.length} names but ${paths[0]} has ${first.length} fields`,
      { field: "--names" },
    );
  }
  const source = csvFilesSource({ paths, header, columns: options.names, delimiter });
  const reader = await source.open();
  const columns = reader.columns;
  for (const name of [options.target, ...(options.drop ?? [])]) {
    if (name !== undefined && !columns.includes(name)) {
      throw new ConfigError(`no column '${name}' (columns: ${columns.join(", ")})`, {
        field: name === options.target ? "--target" : "--drop",
      });
    }
  }
  const target = options.target ?? guessTarget(columns);
  const accs = columns.map(() => newAcc(maxValues));
  const ti = target === undefined ? -1 : columns.indexOf(target);
  if (ti >= 0) accs[ti].counts = new Map();
  let rows = 0;
  for await (const batch of reader.batches) {
    for (const row of batch.rows as string[][]) {
      for (let c = 0; c < accs.length; c++) add(accs[c], row[c]);
      rows++;
    }
  }
  if (rows === 0) throw new DataError("no data rows", { file: source.location });
  const inferred = columns.map((name, c) => describeColumn(name, accs[c], { rows, maxValues }));
  for (const name of options.drop ?? []) {
    inferred[columns.indexOf(name)].drop = "dropped on request (--drop)";
  }
  if (ti >= 0) delete inferred[ti].drop;
  const naValues = [
    ...new Set(inferred.flatMap((c) => Object.keys(c.missingTokens).filter((t) => t !== ""))),
  ].sort();
  const labels = ti >= 0
    ? [...accs[ti].counts!].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
    : [];
  const known = new Set(labels.map(([l]) => l));
  for (const [key, list] of [["--positive", options.positive], ["--negative", options.negative]]) {
    const unknown = (list as string[] | undefined)?.find((l) => !known.has(l));
    if (unknown !== undefined) {
      throw new ConfigError(
        `${key} label '${unknown}' does not occur in column '${target}' ` +
          `(labels: ${labels.slice(0, 20).map(([l]) => l).join(", ")})`,
        { field: key as string },
      );
    }
  }
  return {
    paths,
    rows,
    header,
    delimiter,
    columns: inferred,
    target,
    targetReason: options.target
      ? "given with --target"
      : target !== undefined
      ? "guessed from its name"
      : undefined,
    labels,
    positive: options.positive,
    negative: options.negative,
    naValues,
  };
}

/**
 * Above this many categories a text column is a drop candidate when most of
 * its values are unique; transform keeps the 255 most frequent of a column
 * (lib/learn/_preprocess_spec.ts `MAX_CODE_CATEGORIES`, a layer above).
 */
const MANY_CATEGORIES = 255;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeColumn(
  name: string,
  acc: Acc,
  opts: { rows: number; maxValues: number },
): InferredColumn {
  const distinct = acc.distinct.size;
  let type: InferredColumn["type"] = "categorical";
  if (acc.present === 0) type = "categorical";
  else if (acc.allBoolean && distinct === 2) type = "boolean";
  else if (acc.allInteger) type = "integer";
  else if (acc.allNumber) type = "number";
  const col: InferredColumn = {
    name,
    type,
    distinct,
    distinctCapped: acc.distinctCapped,
    missing: acc.missing,
    missingTokens: acc.tokens,
  };
  if ((type === "integer" || type === "number") && acc.present > 0) {
    col.min = acc.min;
    col.max = acc.max;
  }
  if (type === "categorical" && distinct <= opts.maxValues) {
    col.values = [...acc.distinct].sort(cmp);
  }
  const sample = acc.distinct.values().next().value;
  if (acc.present === 0) col.drop = "always missing";
  else if (distinct === 1 && acc.missing === 0) col.drop = `constant: every row is '${sample}'`;
  else if (acc.allIp) col.drop = "IP addresses: they name hosts, a model would memorize them";
  else if (acc.allTime && type === "categorical") {
    col.drop = "timestamps: when a flow happened does not carry over to new data";
  } else if (
    type !== "number" && type !== "boolean" && !acc.distinctCapped && distinct === acc.present &&
    acc.present === opts.rows && opts.rows > 1
  ) {
    col.drop = "unique per row (an id): it cannot generalize";
  } else if (acc.distinctCapped && distinct >= UNIQUE_CAP && type !== "number") {
    col.drop = `the first ${UNIQUE_CAP.toLocaleString("en")} values are all different (an id?)`;
  } else if (
    type === "categorical" && distinct > MANY_CATEGORIES &&
    2 * distinct > (acc.distinctCapped ? acc.presentAtCap : acc.present)
  ) {
    // Mostly unique text: the model could only memorize it (transform keeps 255 categories).
    const n = distinct.toLocaleString("en");
    const among = acc.distinctCapped
      ? `over ${n} distinct values in the first ${acc.presentAtCap.toLocaleString("en")} rows`
      : `${n} distinct values in ${acc.present.toLocaleString("en")} rows`;
    col.drop = `${among} (mostly unique: ids, host names, free text): a model would memorize them` +
      (acc.urls >= 0.95 * acc.present
        ? "; URLs: the URL checker learns from them (README 'Checking a URL')"
        : "");
  }
  return col;
}
