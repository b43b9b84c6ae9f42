/**
 * Data for `deno task bench train` (bench/train_bench.ts), written once to
 * `bench/out/train/` as plain files both contenders read: `NAME.f32`
 * (row-major float32 features), `NAME.u8` (0/1 labels), `NAME.json` (rows,
 * cols, column names, per-column category counts, and the row indexes of the
 * held-out evaluation rows).
 *
 * - `nslkdd`: NSL-KDD `KDDTrain+.txt` (125,973 rows, 41 features; read from
 *   `--nsl-kdd DIR`, default `../shared/data/nsl-kdd` or `../../shared/data/nsl-kdd`),
 *   `normal` = 0, every attack = 1; protocol_type, service and flag become
 *   category codes (in order of first appearance), the difficulty column is dropped.
 * - `synth`: 1,000,000 x 80 numeric rows drawn from a seeded generator: 20
 *   informative features (thresholds, products, a sine, squares), 60 noise
 *   features, labels drawn from the logistic of the signal (about 30% positive,
 *   Bayes ROC-AUC well below 1, so the learners have something to separate).
 *
 * A seeded 20% of each set's rows (stratified) is held out: neither contender
 * trains on them; they give the ROC-AUC in the report.
 *
 * @module
 */
import type { Matrix } from "../lib/learn/matrix.ts";
import { stratifiedSplit } from "../lib/data/split.ts";
import { createRng } from "../lib/rng.ts";

/** A bench dataset in memory. */
export interface BenchData {
  /** Rows. */
  rows: number;
  /** Features. */
  cols: number;
  /** Feature names. */
  columns: string[];
  /** Per column: 0 numeric, K categorical codes 0..K-1. */
  categorical: number[];
  /** Row-major features. */
  data: Float32Array;
  /** 0/1. */
  labels: Uint8Array;
  /** Held-out rows (ascending). */
  holdout: number[];
}

const NSL_COLUMNS =
  "duration,protocol_type,service,flag,src_bytes,dst_bytes,land,wrong_fragment,urgent,hot,num_failed_logins,logged_in,num_compromised,root_shell,su_attempted,num_root,num_file_creations,num_shells,num_access_files,num_outbound_cmds,is_host_login,is_guest_login,count,srv_count,serror_rate,srv_serror_rate,rerror_rate,srv_rerror_rate,same_srv_rate,diff_srv_rate,srv_diff_host_rate,dst_host_count,dst_host_srv_count,dst_host_same_srv_rate,dst_host_diff_srv_rate,dst_host_same_src_port_rate,dst_host_srv_diff_host_rate,dst_host_serror_rate,dst_host_srv_serror_rate,dst_host_rerror_rate,dst_host_srv_rerror_rate"
    .split(",");
const NSL_CATEGORICAL = new Set([1, 2, 3]);

function withHoldout(d: Omit<BenchData, "holdout">, seed: number): BenchData {
  const s = stratifiedSplit(d.labels, { testSize: 0.2, seed });
  return { ...d, holdout: Array.from(s.test).sort((a, b) => a - b) };
}

/**
 * Read NSL-KDD's KDDTrain+.txt from `dir`.
 *
 * @example
 * ```ts ignore
 * const d = await nslKdd("../shared/data/nsl-kdd");
 * ```
 */
export async function nslKdd(dir: string): Promise<BenchData> {
  const text = await Deno.readTextFile(`${dir}/KDDTrain+.txt`);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const cols = NSL_COLUMNS.length;
  const data = new Float32Array(lines.length * cols);
  const labels = new Uint8Array(lines.length);
  const codes = NSL_COLUMNS.map(() => new Map<string, number>());
  lines.forEach((line, i) => {
    const f = line.split(",");
    if (f.length !== cols + 2) throw new Error(`KDDTrain+.txt line ${i + 1}: ${f.length} fields`);
    for (let j = 0; j < cols; j++) {
      if (NSL_CATEGORICAL.has(j)) {
        const m = codes[j];
        if (!m.has(f[j])) m.set(f[j], m.size);
        data[i * cols + j] = m.get(f[j])!;
      } else {
        data[i * cols + j] = Number(f[j]);
      }
    }
    labels[i] = f[cols] === "normal" ? 0 : 1;
  });
  const categorical = NSL_COLUMNS.map((_, j) => (NSL_CATEGORICAL.has(j) ? codes[j].size : 0));
  return withHoldout(
    { rows: lines.length, cols, columns: NSL_COLUMNS, categorical, data, labels },
    42,
  );
}

/**
 * The synthetic matrix.
 *
 * @example
 * ```ts ignore
 * const d = synthetic(1_000_000, 80, 1);
 * ```
 */
export function synthetic(rows: number, cols: number, seed: number): BenchData {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  const x = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // Sum of three uniforms: bell-shaped, with a few heavier features.
      const u = rng.next() + rng.next() + rng.next() - 1.5;
      x[j] = j % 7 === 3 ? Math.exp(u * 2) : u;
      data[i * cols + j] = x[j];
    }
    const z = 1.2 * x[0] - 1.5 * x[1] * x[2] + Math.sin(3 * x[4]) + (x[5] > 0.3 ? 1.2 : 0) +
      0.8 * x[6] * x[6] - 0.6 * Math.log(x[10]) + (x[8] > 0 && x[9] > 0 ? 1 : -0.5) +
      0.5 * x[11] - 0.5 * x[12] + 0.4 * x[13] * x[14] + 0.3 * (x[15] + x[16] - x[17]) +
      0.7 * Math.abs(x[18]) - 0.4 * x[19] - 1.1;
    labels[i] = rng.next() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
  }
  const columns = Array.from({ length: cols }, (_, j) => `x${j}`);
  return withHoldout(
    { rows, cols, columns, categorical: columns.map(() => 0), data, labels },
    42,
  );
}

/**
 * Write a dataset's files (`stem.f32`, `stem.u8`, `stem.json`).
 *
 * @example
 * ```ts ignore
 * await writeBenchData("bench/out/train/synth", synthetic(1000, 80, 1));
 * ```
 */
export async function writeBenchData(stem: string, d: BenchData): Promise<void> {
  await Deno.writeFile(
    `${stem}.f32`,
    new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength),
  );
  await Deno.writeFile(`${stem}.u8`, d.labels);
  const { rows, cols, columns, categorical, holdout } = d;
  await Deno.writeTextFile(
    `${stem}.json`,
    JSON.stringify({ rows, cols, columns, categorical, holdout }),
  );
}

/**
 * Read a dataset's files back as a matrix and its held-out rows.
 *
 * @example
 * ```ts ignore
 * const { matrix, holdout } = await readBenchData("bench/out/train/synth");
 * ```
 */
export async function readBenchData(stem: string): Promise<{ matrix: Matrix; holdout: number[] }> {
  const meta = JSON.parse(await Deno.readTextFile(`${stem}.json`));
  const bytes = await Deno.readFile(`${stem}.f32`);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const labels = await Deno.readFile(`${stem}.u8`);
  const matrix: Matrix = {
    rows: meta.rows,
    cols: meta.cols,
    columns: meta.columns,
    data,
    labels,
    ...(meta.categorical.some((k: number) => k > 0) ? { categorical: meta.categorical } : {}),
  };
  return { matrix, holdout: meta.holdout };
}
