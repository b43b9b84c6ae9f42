/**
 * Test helpers for the data and learning modules: schemas from YAML text,
 * in-memory data sources and tables from CSV text. Not product code.
 *
 * @module
 */
import { parseYaml } from "../yaml.ts";
import { parseCsv } from "../data/csv.ts";
import type { Matrix } from "./matrix.ts";
import type { ModelConfig } from "./models.ts";
import { createRng } from "../rng.ts";
import { parseSchema, type Schema } from "../data/schema.ts";
import type { DataSource } from "../data/source.ts";
import { readTable, type ReadTableOptions, type Table } from "../data/table.ts";

/**
 * Parse schema YAML text.
 *
 * @example
 * ```ts ignore
 * const schema = schemaFrom("columns: [{name: x, type: number}, {name: y, type: boolean}]\ntarget: {column: y, positive: [true], negative: [false]}\n");
 * ```
 */
export function schemaFrom(text: string, file = "schema.yaml"): Schema {
  return parseSchema(parseYaml(text, file));
}

/**
 * An in-memory source over CSV text with a header row (lines as in a file).
 *
 * @example
 * ```ts ignore
 * const source = memorySource("x,y\n1,true\n", "mem.csv");
 * ```
 */
export function memorySource(csv: string, location = "mem.csv"): DataSource {
  return {
    location,
    open() {
      const { rows, lines } = parseCsv(csv, { file: location });
      return Promise.resolve({
        columns: rows[0],
        headerLine: lines[0],
        batches: (async function* () {
          yield { rows: rows.slice(1), lines: lines.slice(1) };
        })(),
      });
    },
  };
}

/**
 * Read CSV text (with header) into a table.
 *
 * @example
 * ```ts ignore
 * const table = await tableFrom("x,y\n1,true\n", schema);
 * ```
 */
export function tableFrom(
  csv: string,
  schema: Schema,
  options: Omit<ReadTableOptions, "schema"> = {},
  location = "mem.csv",
): Promise<Table> {
  return readTable(memorySource(csv, location), { schema, ...options });
}

/**
 * A small mixed schema used across tests (id, nullable number, categoricals,
 * ternary integer, boolean, label by negatives, a dropped column).
 *
 * @example
 * ```ts ignore
 * const schema = schemaFrom(MIXED_SCHEMA);
 * ```
 */
export const MIXED_SCHEMA = `
columns:
  - { name: id, type: integer }
  - { name: bytes, type: number, min: 0, nullable: true }
  - { name: proto, type: categorical, values: [tcp, udp, icmp], nullable: true }
  - { name: svc, type: string }
  - { name: tri, type: integer, values: [-1, 0, 1] }
  - { name: flag, type: boolean }
  - { name: label, type: categorical }
  - { name: level, drop: true }
target: { column: label, negative: [normal] }
id: id
`;

/**
 * A toy matrix for model tests: 4 features in [-1, 1); threat when
 * x0 + x1 > 0 (learnable in a few epochs). Seeded.
 *
 * @example
 * ```ts
 * import { toyMatrix } from "./_testing.ts";
 * toyMatrix(10, 1).rows; // 10
 * ```
 */
export function toyMatrix(rows: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * 4);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 4; j++) data[i * 4 + j] = rng.next() * 2 - 1;
    labels[i] = data[i * 4] + data[i * 4 + 1] > 0 ? 1 : 0;
  }
  return { rows, cols: 4, columns: ["a", "b", "c", "d"], data, labels };
}

/** A small MLP config for model tests. */
export const TOY_MLP: ModelConfig = {
  family: "mlp",
  hidden: [8],
  dropout: 0.2,
  l2: 0.0001,
  learningRate: 0.05,
};
