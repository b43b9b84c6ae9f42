/**
 * WebAssembly SIMD kernels for the Dense layers of `_dense.ts`, assembled
 * here from their opcodes (no toolchain, no binary in the repository). The
 * exported functions `dense4` and `dense16` (and their two-rows-at-a-time
 * forms `dense4x2`, `dense16x2`, which share each weight load between two
 * rows: 1.4x faster) compute for a block of rows
 *
 *     out[r] = relu?(b + in[r] · w)
 *
 * one output tile (4 or 16 units) at a time with the tile's accumulators in
 * registers, visiting only the input rows whose weights in the tile are not
 * all zero (an ensemble's block-diagonal layers skip two thirds of their
 * work). Zero inputs are not skipped: after a ReLU they are unpredictable,
 * and the mispredicted branch made the kernel 3x slower than multiplying by
 * zero (measured on the released mlp[64,32]x3). Sigmoid and tanh are applied
 * by the caller (WebAssembly has no `exp`). Private to lib/scoring.
 *
 * Layout (byte offsets, float32, row-major): `in` is `rows × inDim`; `out`
 * is `rows × outDim`, `outDim` a multiple of the tile; `b` is `outDim`; the
 * weights are tile-major: tile t's weights are `(jhi − jlo) × tile` floats at
 * `w_t`, row j − jlo holding w[j][tile's units]; `ranges` holds three i32 per
 * tile: `w_t`, `jlo`, `jhi`.
 *
 * @module
 */

// Opcodes.
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d;
const GET = 0x20, SET = 0x21, I32_CONST = 0x41;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, I32_GE_U = 0x4f;
const I32_ADD = 0x6a, I32_MUL = 0x6c, I32_SHL = 0x74, VOID = 0x40, SIMD = 0xfd;
const F32X4_SPLAT = [SIMD, 0x13], F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01], F32X4_PMAX = [SIMD, 0xeb, 0x01];
const V128_ZERO = [SIMD, 0x0c, ...new Array(16).fill(0)];

// Parameters, then locals (i32, then v128).
const IN = 0, ROWS = 1, IN_DIM = 2, OUT = 3, OUT_DIM = 4, B = 5, RELU = 6, RANGES = 7;
const R = 8, J = 9, JHI = 10, WP = 11, OUT_BYTES = 12, T_OFF = 13, RP = 14;
const IN_ROW = [15, 16], OUT_ROW = [17, 18];
const I32_LOCALS = 11;
const W = 19, VS = [20, 21], ACC = 22;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const get = (i: number) => [GET, i];
const set = (i: number) => [SET, i];
/** i32.const for 0 ≤ n < 2^31 (signed LEB128). */
const i32 = (n: number) => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if (n === 0 && (b & 0x40) === 0) return [I32_CONST, ...out, b];
    out.push(b | 0x80);
  }
};
const v128Load = (offset: number) => [SIMD, 0x00, 0x00, ...uleb(offset)];
const v128Store = (offset: number) => [SIMD, 0x0b, 0x00, ...uleb(offset)];
const i32Load = (offset: number) => [I32_LOAD, 0x02, ...uleb(offset)];
/** `while (a < b) { body }` over locals. */
const loopWhileBelow = (a: number, b: number, body: number[]) => [
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...get(a),
  ...get(b),
  I32_GE_U,
  BR_IF,
  1,
  ...body,
  BR,
  0,
  END,
  END,
];
const inc = (local: number, by: number[]) => [...get(local), ...by, I32_ADD, ...set(local)];

/**
 * The body of the kernel with `acc` accumulators per row (tile = 4·acc
 * units) over blocks of `rb` rows (1 or 2; with 2, `rows` must be even):
 * the rows of a block share each weight load.
 */
function kernelBody(acc: number, rb: number): number[] {
  const tileBytes = 16 * acc;
  const rowsQ = Array.from({ length: rb }, (_, q) => q);
  const accOf = (q: number, k: number) => ACC + q * acc + k;
  const ks = Array.from({ length: acc }, (_, k) => k);
  const jLoop = loopWhileBelow(J, JHI, [
    ...rowsQ.flatMap((q) => [
      ...get(IN_ROW[q]),
      ...get(J),
      ...i32(2),
      I32_SHL,
      I32_ADD,
      F32_LOAD,
      0x02,
      0x00,
      ...F32X4_SPLAT,
      ...set(VS[q]),
    ]),
    ...ks.flatMap((k) => [
      ...get(WP),
      ...v128Load(16 * k),
      ...set(W),
      ...rowsQ.flatMap((q) => [
        ...get(accOf(q, k)),
        ...get(VS[q]),
        ...get(W),
        ...F32X4_MUL,
        ...F32X4_ADD,
        ...set(accOf(q, k)),
      ]),
    ]),
    ...inc(WP, i32(tileBytes)),
    ...inc(J, i32(1)),
  ]);
  const tileLoop = [
    ...i32(0),
    ...set(T_OFF),
    ...get(RANGES),
    ...set(RP),
    ...loopWhileBelow(T_OFF, OUT_BYTES, [
      ...get(RP),
      ...i32Load(0),
      ...set(WP),
      ...get(RP),
      ...i32Load(4),
      ...set(J),
      ...get(RP),
      ...i32Load(8),
      ...set(JHI),
      ...rowsQ.flatMap((q) =>
        ks.flatMap((k) => [
          ...get(B),
          ...get(T_OFF),
          I32_ADD,
          ...v128Load(16 * k),
          ...set(accOf(q, k)),
        ])
      ),
      ...jLoop,
      ...get(RELU),
      IF,
      VOID,
      ...rowsQ.flatMap((q) =>
        ks.flatMap((k) => [
          ...get(accOf(q, k)),
          ...V128_ZERO,
          ...F32X4_PMAX,
          ...set(accOf(q, k)),
        ])
      ),
      END,
      ...rowsQ.flatMap((q) =>
        ks.flatMap((k) => [
          ...get(OUT_ROW[q]),
          ...get(T_OFF),
          I32_ADD,
          ...get(accOf(q, k)),
          ...v128Store(16 * k),
        ])
      ),
      ...inc(T_OFF, i32(tileBytes)),
      ...inc(RP, i32(12)),
    ]),
  ];
  return [
    ...get(OUT_DIM),
    ...i32(4),
    I32_MUL,
    ...set(OUT_BYTES),
    ...loopWhileBelow(R, ROWS, [
      // inRow[q] = in + (r + q)·inDim·4; outRow[q] = out + (r + q)·outBytes
      ...rowsQ.flatMap((q) => [
        ...get(IN),
        ...get(R),
        ...i32(q),
        I32_ADD,
        ...get(IN_DIM),
        I32_MUL,
        ...i32(2),
        I32_SHL,
        I32_ADD,
        ...set(IN_ROW[q]),
        ...get(OUT),
        ...get(R),
        ...i32(q),
        I32_ADD,
        ...get(OUT_BYTES),
        I32_MUL,
        I32_ADD,
        ...set(OUT_ROW[q]),
      ]),
      ...tileLoop,
      ...inc(R, i32(rb)),
    ]),
    END,
  ];
}

function functionCode(acc: number, rb: number): number[] {
  const fn = [2, I32_LOCALS, 0x7f, 3 + 2 * acc, 0x7b, ...kernelBody(acc, rb)];
  return [...uleb(fn.length), ...fn];
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];

/**
 * The kernel module's bytes.
 *
 * @example
 * ```ts
 * import { denseWasmBytes } from "./_dense_wasm.ts";
 * WebAssembly.validate(denseWasmBytes()); // true where WebAssembly SIMD is available
 * ```
 */
export function denseWasmBytes(): Uint8Array<ArrayBuffer> {
  const kernels: [string, number, number][] = [
    ["dense4", 1, 1],
    ["dense16", 4, 1],
    ["dense4x2", 1, 2],
    ["dense16x2", 4, 2],
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 8, ...new Array(8).fill(0x7f), 0]),
    ...section(3, [kernels.length, ...kernels.map(() => 0)]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [
      kernels.length + 1,
      ...kernels.flatMap(([n], i) => [...name(n), 0x00, i]),
      ...name("memory"),
      0x02,
      0,
    ]),
    ...section(10, [kernels.length, ...kernels.flatMap(([, acc, rb]) => functionCode(acc, rb))]),
  ]);
}

/** One kernel function: see the module doc for the layout (byte offsets). */
export type KernelFn = (
  inPtr: number,
  rows: number,
  inDim: number,
  outPtr: number,
  outDim: number,
  b: number,
  relu: number,
  ranges: number,
) => void;

/** The instantiated kernels. */
export interface DenseKernel {
  /** The module's memory (grow it before use). */
  memory: WebAssembly.Memory;
  /** Tiles of 4 units. */
  dense4: KernelFn;
  /** Tiles of 16 units. */
  dense16: KernelFn;
  /** Tiles of 4 units, two rows at a time (`rows` even). */
  dense4x2: KernelFn;
  /** Tiles of 16 units, two rows at a time (`rows` even). */
  dense16x2: KernelFn;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * Instantiate the kernels (own memory per instance); null where WebAssembly
 * SIMD is not available.
 *
 * @example
 * ```ts
 * import { denseKernel } from "./_dense_wasm.ts";
 * const k = denseKernel(); // k?.dense16(…)
 * ```
 */
export function denseKernel(): DenseKernel | null {
  if (compiled === undefined) {
    const bytes = denseWasmBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (!compiled) return null;
  return new WebAssembly.Instance(compiled, {}).exports as unknown as DenseKernel;
}
