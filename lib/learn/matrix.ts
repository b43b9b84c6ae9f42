/**
 * The transformed-matrix file format that `transform` writes and `train`,
 * `evaluate` read: one binary file holding a float32 feature matrix
 * (row-major), a 0/1 label per row (1 = threat), and the feature names.
 *
 * Layout: 8-byte magic `TDMAT001`, uint32 LE header length, a JSON header
 * (`{rows, cols, columns}`, with `categorical` and `categories` when a column
 * holds category codes) padded with spaces to a multiple of 4 bytes, then
 * `rows*cols` float32 LE values, then `rows` uint8 labels.
 *
 * @module
 */
import { DataError } from "../errors.ts";

/** A dense feature matrix with binary labels. */
export interface Matrix {
  /** Number of rows. */
  rows: number;
  /** Number of features per row. */
  cols: number;
  /** Feature names, `cols` of them (after encoding: `proto=tcp` …). */
  columns: string[];
  /** Row-major features, `rows*cols` values. */
  data: Float32Array;
  /** 1 = threat (positive class), 0 = benign; `rows` values. */
  labels: Uint8Array;
  /**
   * Per column, 0 for a numeric feature, or K for a categorical column
   * holding category codes 0..K-1 (K: unseen), which the tree families split
   * on natively; absent: every column numeric.
   */
  categorical?: number[];
  /**
   * Per column, the names of its categories (code c is `categories[f][c]`;
   * `[]` for a numeric column), so a code column can be expanded to the
   * columns one-hot encoding gives (`expand_codes.ts`); absent: unnamed.
   */
  categories?: string[][];
}

const MAGIC = "TDMAT001";

/**
 * Encode a matrix into the file format's bytes.
 *
 * @example
 * ```ts
 * import { encodeMatrix, decodeMatrix } from "./matrix.ts";
 * const m = { rows: 1, cols: 2, columns: ["a", "b"], data: new Float32Array([1, 2]), labels: new Uint8Array([1]) };
 * decodeMatrix(encodeMatrix(m)).data[1]; // 2
 * ```
 */
export function encodeMatrix(m: Matrix): Uint8Array {
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`matrix data has ${m.data.length} values, expected ${m.rows}x${m.cols}`);
  }
  if (m.labels.length !== m.rows || m.columns.length !== m.cols) {
    throw new RangeError("matrix labels/columns do not match its shape");
  }
  if (m.categorical && m.categorical.length !== m.cols) {
    throw new RangeError("matrix categorical does not match its shape");
  }
  if (m.categories && !m.categories.every((c, f) => c.length === (m.categorical?.[f] ?? 0))) {
    throw new RangeError("matrix categories do not match its categorical counts");
  }
  const coded = m.categorical?.some((k) => k > 0);
  let header = JSON.stringify({
    rows: m.rows,
    cols: m.cols,
    columns: m.columns,
    ...(coded ? { categorical: m.categorical } : {}),
    ...(coded && m.categories ? { categories: m.categories } : {}),
  });
  const enc = new TextEncoder();
  while ((enc.encode(header).length + 12) % 4 !== 0) header += " ";
  const h = enc.encode(header);
  const out = new Uint8Array(12 + h.length + m.data.byteLength + m.rows);
  out.set(enc.encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, h.length, true);
  out.set(h, 12);
  const dataOffset = 12 + h.length;
  out.set(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), dataOffset);
  out.set(m.labels, dataOffset + m.data.byteLength);
  return out;
}

/**
 * Decode the file format's bytes; a malformed file throws a {@linkcode DataError}.
 *
 * @example
 * ```ts
 * import { encodeMatrix, decodeMatrix } from "./matrix.ts";
 * const bytes = encodeMatrix({ rows: 0, cols: 0, columns: [], data: new Float32Array(), labels: new Uint8Array() });
 * decodeMatrix(bytes).rows; // 0
 * ```
 */
export function decodeMatrix(bytes: Uint8Array, file = "<matrix>"): Matrix {
  const dec = new TextDecoder();
  if (bytes.length < 12 || dec.decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new DataError("not a matrix file (bad magic)", { file });
  }
  const hlen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = JSON.parse(dec.decode(bytes.subarray(12, 12 + hlen)));
  const { rows, cols, columns, categorical, categories } = header as {
    rows: number;
    cols: number;
    columns: string[];
    categorical?: number[];
    categories?: string[][];
  };
  if (
    categorical !== undefined &&
    (!Array.isArray(categorical) || categorical.length !== cols ||
      !categorical.every((k) => Number.isInteger(k) && k >= 0))
  ) {
    throw new DataError("matrix header 'categorical' must list a count >= 0 per column", { file });
  }
  if (
    categories !== undefined &&
    (!Array.isArray(categories) || categories.length !== cols ||
      !categories.every((c, f) =>
        Array.isArray(c) && c.length === (categorical?.[f] ?? 0) &&
        c.every((v) => typeof v === "string")
      ))
  ) {
    throw new DataError("matrix header 'categories' must name each column's categories", { file });
  }
  const dataOffset = 12 + hlen;
  const expected = dataOffset + rows * cols * 4 + rows;
  if (bytes.length !== expected) {
    throw new DataError(`matrix file is ${bytes.length} bytes, expected ${expected}`, { file });
  }
  // Copy so the result is aligned and independent of `bytes`.
  const data = new Float32Array(rows * cols);
  new Uint8Array(data.buffer).set(bytes.subarray(dataOffset, dataOffset + rows * cols * 4));
  const labels = bytes.slice(dataOffset + rows * cols * 4, expected);
  return {
    rows,
    cols,
    columns,
    data,
    labels,
    ...(categorical ? { categorical } : {}),
    ...(categories ? { categories } : {}),
  };
}

/**
 * Write a matrix file (atomically: temp file + rename).
 *
 * @example
 * ```ts ignore
 * import { writeMatrix } from "./matrix.ts";
 * await writeMatrix("artifacts/transform/train.mat", matrix);
 * ```
 */
export async function writeMatrix(path: string, m: Matrix): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, encodeMatrix(m));
  await Deno.rename(tmp, path);
}

/**
 * Read a matrix file.
 *
 * @example
 * ```ts ignore
 * import { readMatrix } from "./matrix.ts";
 * const train = await readMatrix("artifacts/transform/train.mat");
 * ```
 */
export async function readMatrix(path: string): Promise<Matrix> {
  return decodeMatrix(await Deno.readFile(path), path);
}
