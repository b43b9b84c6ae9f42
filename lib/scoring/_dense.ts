/**
 * A pure-JavaScript forward pass over a TensorFlow.js layers model that is a
 * plain stack of Dense layers (the `logreg` and `mlp` families of
 * lib/ml/models.ts): read the topology from `model.json` and the float32
 * weights from `weights.bin`, then score rows without TensorFlow.js. Private:
 * import `scorer.ts`.
 *
 * Why it exists and how it was chosen: see the measurements in `scorer.ts`.
 *
 * @module
 */

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
