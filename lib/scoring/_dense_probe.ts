/**
 * The Dense-stack check of scoring: read a released model's Dense stack and
 * accept its pure-TypeScript pass only when it matches TensorFlow.js on
 * deterministic probe rows. Private to lib/scoring (used by `scorer.ts`).
 *
 * @module
 */
import { DataError } from "../errors.ts";
import type { ReleasedModel } from "../learn/model_io.ts";
import { createRng } from "../rng.ts";
import { compileDense, type DenseRunner, type DenseStack, readDenseStack } from "./_dense.ts";

const PROBE_ROWS = 32;
const PROBE_TOLERANCE = 1e-5;

/** A JSON file of the model folder; a missing or unreadable file is a `DataError`. */
export async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DataError("model file not found", { file: path, cause: err });
    }
    throw new DataError(`cannot read: ${(err as Error).message}`, { file: path, cause: err });
  }
}

/** Deterministic probe rows around the standardized range. */
function probeRows(cols: number): Float32Array {
  const rng = createRng(20261124);
  const x = new Float32Array(PROBE_ROWS * cols);
  for (let i = cols; i < x.length; i++) x[i] = Math.fround(rng.next() * 6 - 3);
  return x; // row 0 stays all zeros
}

/**
 * The Dense-stack pass (checked against TensorFlow.js), or why it cannot run this model.
 *
 * @example
 * ```ts ignore
 * import { denseRunnerFor } from "./_dense_probe.ts";
 * const dense = await denseRunnerFor("artifacts/model", released, "auto");
 * if (typeof dense === "string") throw new Error(dense);
 * ```
 */
export async function denseRunnerFor(
  dir: string,
  released: ReleasedModel,
  prefer: "auto" | "js",
): Promise<{ runner: DenseRunner; stack: DenseStack } | string> {
  const stack = readDenseStack(
    await readJson(`${dir}/model.json`),
    await Deno.readFile(`${dir}/weights.bin`),
  );
  if (typeof stack === "string") return stack;
  const cols = released.card.features.length;
  if (stack.inputs !== cols) return `takes ${stack.inputs} features, the card lists ${cols}`;
  const runner = compileDense(stack, prefer);
  const x = probeRows(cols);
  const want = released.predictProba(x, PROBE_ROWS);
  const got = runner.predict(x, PROBE_ROWS);
  let worst = 0;
  for (let i = 0; i < PROBE_ROWS; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
  if (!(worst <= PROBE_TOLERANCE)) {
    return `the ${runner.kind} pass differs from TensorFlow.js by ${worst} on probe rows`;
  }
  return { runner, stack };
}
