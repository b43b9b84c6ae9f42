/**
 * A forward pass without TensorFlow.js over a layers model that is a plain
 * stack of Dense layers (the `logreg` and `mlp` families of
 * lib/learn/models.ts): read the topology from `model.json` and the float32
 * weights from `weights.bin`, then score rows with the WebAssembly SIMD
 * kernel of `_dense_wasm.ts` (float32, like TensorFlow.js) or, where SIMD is
 * missing, plain JavaScript (float64). Private: import `scorer.ts`.
 *
 * Why it exists and how it was chosen: see the measurements in `scorer.ts`.
 *
 * @module
 */

import { type DenseKernel, denseKernel } from "./_dense_wasm.ts";

/** Activation functions the forward pass implements. */
const ACTIVATIONS = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;

/** Layers without weights that are the identity at inference. */
const IDENTITY_LAYERS = new Set(["InputLayer", "Dropout", "SeededDropout", "GaussianNoise"]);

/** One Dense layer, ready to run. */
interface DenseLayer {
  /** Inputs. */
  inputs: number;
  /** Units. */
  units: number;
  /** Kernel, `inputs × units`, row-major (the tfjs layout), as float64. */
  kernel: Float64Array;
  /** Bias, `units` (zeros when the layer has none). */
  bias: Float64Array;
  /** Code of the activation ({@linkcode ACTIVATIONS}). */
  activation: number;
}

/** A Dense stack ending in one unit. */
export interface DenseStack {
  /** The layers, input first. */
  layers: DenseLayer[];
  /** Features per row. */
  inputs: number;
  /** Human description, e.g. `dense 30→64 relu, 64→32 relu, 32→1 sigmoid`. */
  description: string;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
}

interface LayerJson {
  class_name?: string;
  config?: {
    name?: string;
    units?: number;
    activation?: string;
    use_bias?: boolean;
  };
}

/**
 * Read a Dense stack from the parsed `model.json` and the bytes of
 * `weights.bin`. Returns a reason string when the model is anything else
 * (another layer type or activation, several outputs, quantized weights):
 * the caller then runs TensorFlow.js.
 *
 * @example
 * ```ts ignore
 * import { readDenseStack } from "./_dense.ts";
 * const stack = readDenseStack(JSON.parse(modelJsonText), weightsBytes);
 * if (typeof stack === "string") console.log("not a Dense stack:", stack);
 * ```
 */
export function readDenseStack(modelJson: unknown, weights: Uint8Array): DenseStack | string {
  const json = modelJson as {
    modelTopology?: { class_name?: string; config?: unknown; model_config?: unknown };
    weightsManifest?: { weights?: WeightSpec[] }[];
  };
  let topology = json?.modelTopology as Record<string, unknown> | undefined;
  if (topology?.model_config) topology = topology.model_config as Record<string, unknown>;
  if (topology?.class_name !== "Sequential") {
    return `topology is ${String(topology?.class_name)}, not Sequential`;
  }
  const config = topology.config as { layers?: LayerJson[] } | LayerJson[] | undefined;
  const layersJson = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layersJson) || !Array.isArray(json.weightsManifest)) {
    return "no layer list or weights manifest";
  }
  // Weight values follow the manifest's order, concatenated.
  const specs = json.weightsManifest.flatMap((g) => g.weights ?? []);
  const byName = new Map<string, Float32Array>();
  let offset = 0;
  for (const s of specs) {
    if ((s.dtype ?? "float32") !== "float32" || s.quantization !== undefined) {
      return `weight '${s.name}' is not plain float32`;
    }
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * n > weights.byteLength) return "weights.bin is shorter than its manifest";
    // A copy: the source offset need not be 4-byte aligned.
    const bytes = weights.slice(offset, offset + 4 * n);
    byName.set(s.name, new Float32Array(bytes.buffer, bytes.byteOffset, n));
    offset += 4 * n;
  }
  const layers: DenseLayer[] = [];
  for (const l of layersJson) {
    const cls = l.class_name ?? "";
    if (IDENTITY_LAYERS.has(cls)) continue;
    if (cls !== "Dense") return `layer type ${cls} is not supported`;
    const c = l.config ?? {};
    const act = (c.activation ?? "linear") as keyof typeof ACTIVATIONS;
    if (!(act in ACTIVATIONS)) return `activation ${act} is not supported`;
    const kernel = byName.get(`${c.name}/kernel`);
    const units = c.units ?? 0;
    if (!kernel || units < 1 || kernel.length % units !== 0) {
      return `layer ${c.name}: kernel missing or of the wrong size`;
    }
    const inputs = kernel.length / units;
    const prev = layers.at(-1);
    if (prev && prev.units !== inputs) {
      return `layer ${c.name}: takes ${inputs}, gets ${prev.units}`;
    }
    const bias = c.use_bias === false ? undefined : byName.get(`${c.name}/bias`);
    if (c.use_bias !== false && bias?.length !== units) return `layer ${c.name}: bias missing`;
    layers.push({
      inputs,
      units,
      kernel: Float64Array.from(kernel),
      bias: bias ? Float64Array.from(bias) : new Float64Array(units),
      activation: ACTIVATIONS[act],
    });
  }
  if (layers.length === 0) return "no Dense layer";
  if (layers.at(-1)!.units !== 1) return `the last layer has ${layers.at(-1)!.units} units, not 1`;
  const names = Object.keys(ACTIVATIONS);
  return {
    layers,
    inputs: layers[0].inputs,
    description: "dense " +
      layers.map((l) => `${l.inputs}→${l.units} ${names[l.activation]}`).join(", "),
  };
}

/**
 * One layer on one row: `dst = act(src · kernel + bias)`. The kernel is walked
 * row by row (input-major, as stored), skipping zero inputs — after a ReLU
 * about half of them — which measured about 2x faster than dot products per
 * unit in V8.
 */
function layerForward(src: Float64Array, dst: Float64Array, l: DenseLayer): void {
  const { inputs, units, kernel, bias, activation } = l;
  for (let o = 0; o < units; o++) dst[o] = bias[o];
  for (let j = 0; j < inputs; j++) {
    const v = src[j];
    if (v === 0) continue;
    let w = j * units;
    for (let o = 0; o < units; o++) dst[o] += v * kernel[w++];
  }
  if (activation === 1) {
    for (let o = 0; o < units; o++) if (dst[o] < 0) dst[o] = 0;
  } else if (activation === 2) {
    for (let o = 0; o < units; o++) dst[o] = 1 / (1 + Math.exp(-dst[o]));
  } else if (activation === 3) {
    for (let o = 0; o < units; o++) dst[o] = Math.tanh(dst[o]);
  }
}

/**
 * Score `rows` rows of `stack.inputs` float32 features (row-major) into
 * `out` (allocated when absent). Arithmetic is float64 on the float32
 * weights; results are rounded to float32 (differences from TensorFlow.js's
 * float32 kernels are ~1e-7).
 *
 * @example
 * ```ts ignore
 * import { denseForward, readDenseStack } from "./_dense.ts";
 * const p = denseForward(stack, features, rows); // Float32Array(rows)
 * ```
 */
export function denseForward(
  stack: DenseStack,
  features: Float32Array,
  rows: number,
  out: Float32Array = new Float32Array(rows),
): Float32Array {
  const n0 = stack.inputs;
  if (features.length < rows * n0) {
    throw new RangeError(`expected ${rows}x${n0} = ${rows * n0} values, got ${features.length}`);
  }
  const width = Math.max(n0, ...stack.layers.map((l) => l.units));
  let a = new Float64Array(width), b = new Float64Array(width);
  const { layers } = stack;
  for (let r = 0; r < rows; r++) {
    const base = r * n0;
    for (let j = 0; j < n0; j++) a[j] = features[base + j];
    for (let i = 0; i < layers.length; i++) {
      layerForward(a, b, layers[i]);
      const t = a;
      a = b;
      b = t;
    }
    out[r] = a[0];
  }
  return out;
}

/** A compiled forward pass. */
export interface DenseRunner {
  /** `wasm-simd` or `js`. */
  kind: "wasm-simd" | "js";
  /** Probabilities of `rows` rows. */
  predict(features: Float32Array, rows: number): Float32Array;
}

/** Rows per kernel call: the block's activations stay in cache. */
const BLOCK_ROWS = 256;

/**
 * Compile a stack for the WebAssembly SIMD kernels (when available and
 * `prefer` is not `js`), else the JavaScript pass.
 *
 * @example
 * ```ts ignore
 * import { compileDense } from "./_dense.ts";
 * const runner = compileDense(stack);
 * runner.predict(features, rows); // Float32Array(rows)
 * ```
 */
export function compileDense(stack: DenseStack, prefer: "auto" | "js" = "auto"): DenseRunner {
  const kernel = prefer === "js" ? null : denseKernel();
  if (!kernel) {
    return { kind: "js", predict: (features, rows) => denseForward(stack, features, rows) };
  }
  return wasmRunner(stack, kernel);
}

/** Where one layer lives in the kernel's memory (float offsets). */
interface LayerPlan {
  l: DenseLayer;
  inDim: number;
  outDim: number;
  tile: 4 | 16;
  /** Tile-major weights (only the rows a tile needs). */
  weights: Float32Array;
  /** Per tile: weights offset (bytes, filled in later), jlo, jhi. */
  ranges: Int32Array;
  w: number;
  b: number;
  r: number;
  out: number;
}

function planLayer(l: DenseLayer, inDim: number): LayerPlan {
  const tile = l.units >= 16 ? 16 : 4;
  const outDim = Math.ceil(l.units / tile) * tile;
  const tiles = outDim / tile;
  const ranges = new Int32Array(tiles * 3);
  const parts: number[][] = [];
  for (let t = 0; t < tiles; t++) {
    const units: number[] = [];
    for (let o = t * tile; o < (t + 1) * tile; o++) units.push(o);
    const nonzero = (j: number) =>
      units.some((o) => o < l.units && l.kernel[j * l.units + o] !== 0);
    let lo = 0, hi = l.inputs;
    while (lo < hi && !nonzero(lo)) lo++;
    while (hi > lo && !nonzero(hi - 1)) hi--;
    const part: number[] = [];
    for (let j = lo; j < hi; j++) {
      for (const o of units) part.push(o < l.units ? l.kernel[j * l.units + o] : 0);
    }
    ranges[t * 3 + 1] = lo;
    ranges[t * 3 + 2] = hi;
    parts.push(part);
  }
  return {
    l,
    inDim,
    outDim,
    tile,
    weights: Float32Array.from(parts.flat()),
    ranges,
    w: 0,
    b: 0,
    r: 0,
    out: 0,
  };
}

function wasmRunner(stack: DenseStack, k: DenseKernel): DenseRunner {
  const plan: LayerPlan[] = [];
  let inDim = stack.inputs;
  for (const l of stack.layers) {
    const p = planLayer(l, inDim);
    plan.push(p);
    inDim = p.outDim;
  }
  // Memory (float offsets): weights, biases and ranges per layer, the input block, one block per layer.
  let floats = 0;
  for (const p of plan) {
    p.w = floats;
    floats += p.weights.length;
    p.b = floats;
    floats += p.outDim;
    p.r = floats;
    floats += p.ranges.length;
  }
  const input = floats;
  floats += BLOCK_ROWS * stack.inputs;
  for (const p of plan) {
    p.out = floats;
    floats += BLOCK_ROWS * p.outDim;
  }
  const pages = Math.ceil((floats * 4) / 65536);
  const have = k.memory.buffer.byteLength / 65536;
  if (pages > have) k.memory.grow(pages - have);
  const mem = new Float32Array(k.memory.buffer);
  const ints = new Int32Array(k.memory.buffer);
  for (const p of plan) {
    mem.set(p.weights, p.w);
    for (let o = 0; o < p.l.units; o++) mem[p.b + o] = p.l.bias[o];
    let offset = p.w * 4;
    for (let t = 0; t < p.ranges.length / 3; t++) {
      p.ranges[t * 3] = offset;
      offset += (p.ranges[t * 3 + 2] - p.ranges[t * 3 + 1]) * p.tile * 4;
    }
    ints.set(p.ranges, p.r);
  }
  const n0 = stack.inputs;
  const last = plan[plan.length - 1];
  return {
    kind: "wasm-simd",
    predict(features, rows) {
      if (features.length < rows * n0) {
        throw new RangeError(
          `expected ${rows}x${n0} = ${rows * n0} values, got ${features.length}`,
        );
      }
      const result = new Float32Array(rows);
      for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
        const n = Math.min(BLOCK_ROWS, rows - r0);
        mem.set(features.subarray(r0 * n0, (r0 + n) * n0), input);
        let src = input;
        for (const p of plan) {
          const act = p.l.activation;
          const relu = act === 1 ? 1 : 0;
          const [one, two] = p.tile === 16 ? [k.dense16, k.dense16x2] : [k.dense4, k.dense4x2];
          const even = n & ~1;
          if (even > 0) two(src * 4, even, p.inDim, p.out * 4, p.outDim, p.b * 4, relu, p.r * 4);
          if (n > even) {
            const [i, o] = [(src + even * p.inDim) * 4, (p.out + even * p.outDim) * 4];
            one(i, 1, p.inDim, o, p.outDim, p.b * 4, relu, p.r * 4);
          }
          if (act >= 2 && p !== last) squash(mem, p.out, n * p.outDim, act);
          src = p.out;
        }
        const act = last.l.activation;
        for (let r = 0; r < n; r++) {
          const z = mem[last.out + r * last.outDim];
          result[r0 + r] = act === 2 ? 1 / (1 + Math.exp(-z)) : act === 3 ? Math.tanh(z) : z;
        }
      }
      return result;
    },
  };
}

/** Apply sigmoid (2) or tanh (3) in place. */
function squash(mem: Float32Array, from: number, count: number, act: number): void {
  for (let i = from; i < from + count; i++) {
    mem[i] = act === 2 ? 1 / (1 + Math.exp(-mem[i])) : Math.tanh(mem[i]);
  }
}
