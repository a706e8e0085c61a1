// Model-input tensors from u8 images: `normalize` (float32, per-channel mean/std) and `quantize`
// (uint8/int8 with a scale and zero point), both optionally fused with the bilinear resize, both
// NCHW or NHWC. This is what a segmentation model's input needs every frame, so steady-state calls
// with `out` allocate nothing: the resize tables are cached per geometry, coefficient tables per
// parameters, and an `out` that is a view of WASM memory (see {@link tensorBuffer}) is written in place.
import type { Image } from "../core/image.js";
import { addressOf, inputPointer, outputTarget, scratch, typedOutputTarget, WasmBuffer } from "../core/memory.js";
import * as v from "../core/validate.js";
import { kernels } from "../core/wasm.js";
import { linearPixelPlan, linearPlan, linearRows, type ResizeMethod, resizeInto, resizeTarget } from "./resize.js";

type NormalizeExports = {
  normalizeRow(src: number, npx: number, cn: number, dst: number, plane: number, nhwc: boolean, C: number, swap: boolean, coef: number): void;
  quantizeRow(src: number, npx: number, cn: number, dst: number, plane: number, nhwc: boolean, C: number, swap: boolean, lut: number): void;
  resizeLinearConvert(
    src: number, rowBytes: number, n: number, dh: number, xoff: number, alpha: number, bbase: number, bmask: number, nblk: number,
    ytab: number, hbuf0: number, hbuf1: number, row: number, kind: number, cn: number, dst: number, nhwc: boolean, C: number, swap: boolean, params: number,
  ): void;
  resizeLinearNormalizeRgb(src: number, rowBytes: number, sh: number, dw: number, dh: number, xt: number, xv: number, ytab: number, dst: number, swap: boolean, coef: number): void;
};
const k = () => kernels() as unknown as NormalizeExports;

/** Tensor memory layout: channel planes (`"nchw"`, PyTorch/ONNX default) or interleaved (`"nhwc"`, TFLite). */
export type TensorLayout = "nchw" | "nhwc";

/** Options shared by {@link normalize} and {@link quantize}. */
export interface TensorOptions {
  /** Tensor layout (batch size 1). */
  layout: TensorLayout;
  /**
   * Swap the first and third channel (feed an RGB image to a BGR-trained model or vice versa),
   * like `blobFromImage`'s swapRB. @default false
   */
  swapRB?: boolean;
  /**
   * Resize to the model's input size first, in the same pass for `"bilinear"` (identical to
   * {@link resize} then converting). The tensor is width × height × channels.
   */
  resize?: { width: number; height: number; method?: ResizeMethod };
}

/** Options of {@link normalize}. */
export interface NormalizeOptions extends TensorOptions {
  /** Per-channel mean subtracted after scaling (one per tensor channel, e.g. ImageNet's [0.485, 0.456, 0.406]). */
  mean: ArrayLike<number>;
  /** Per-channel standard deviation (non-zero; same length as `mean`). */
  std: ArrayLike<number>;
  /** Factor applied to the u8 pixel before mean and std. @default 1/255 */
  scale?: number;
  /** Float32Array of width × height × channels to write into (zero-copy if it is a view of WASM memory). */
  out?: Float32Array;
}

/** Options of {@link quantize}. */
export interface QuantizeOptions extends TensorOptions {
  /** Quantization scale of the model's input (real value = (q - zeroPoint) × scale). */
  scale: number;
  /** Quantization zero point (an integer in the dtype's range). */
  zeroPoint: number;
  /** Element type of the quantized tensor. */
  dtype: "uint8" | "int8";
  /** Per-channel mean applied to x/255 before quantizing. @default 0 for every channel */
  mean?: ArrayLike<number>;
  /** Per-channel standard deviation. @default 1 for every channel */
  std?: ArrayLike<number>;
  /** Array of width × height × channels to write into (a Uint8Array for uint8, an Int8Array for int8). */
  out?: Uint8Array | Int8Array;
}

const LAYOUTS: readonly TensorLayout[] = ["nchw", "nhwc"];

interface Common {
  width: number;
  height: number;
  C: number;
  nhwc: boolean;
  swap: boolean;
  method: ResizeMethod;
  mean: number[];
  std: number[];
}

function channelArray(name: string, value: unknown, length: number | undefined, fill: number | undefined, nonZero: boolean): number[] {
  if (value === undefined && fill !== undefined && length !== undefined) return new Array<number>(length).fill(fill);
  const ok = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!ok) v.invalidParameter(name, "an array with one number per channel", value);
  const arr = Array.from(value as ArrayLike<number>);
  if (length !== undefined && arr.length !== length) v.invalidParameter(name, `an array of ${length} numbers (one per tensor channel)`, value);
  arr.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) v.invalidParameter(`${name}[${i}]`, "a finite number", x);
    if (nonZero && x === 0) v.invalidParameter(`${name}[${i}]`, "a non-zero number", x);
  });
  return arr;
}

/** Validates what normalize and quantize share; the tensor has C = mean.length channels. */
function common(img: Image, o: Partial<TensorOptions> & { mean?: unknown; std?: unknown }, meanRequired: boolean): Common {
  v.image("img", img);
  const layout = v.oneOf("options.layout", o.layout, LAYOUTS);
  const swap = o.swapRB === undefined ? false : v.boolean("options.swapRB", o.swapRB);
  // Tensor channels: the image's, except RGBA → 3 (alpha dropped) when mean/std give 3.
  const given = o.mean ?? o.std;
  const meanLength = given !== undefined && (Array.isArray(given) || ArrayBuffer.isView(given)) ? (given as ArrayLike<number>).length : undefined;
  const C = meanLength ?? (img.channels === 4 ? 3 : img.channels);
  if (!(C === img.channels || (img.channels === 4 && C === 3))) {
    v.invalidParameter("options.mean", `${img.channels === 4 ? "3 or 4 values" : `${img.channels} value${img.channels > 1 ? "s" : ""}`} (one per channel of img)`, given);
  }
  const mean = channelArray("options.mean", o.mean, meanRequired ? undefined : C, meanRequired ? undefined : 0, false);
  if (mean.length !== C) v.invalidParameter("options.mean", `${C} values`, o.mean);
  const std = channelArray("options.std", o.std, C, meanRequired ? undefined : 1, true);
  if (swap && C < 3) v.invalidParameter("options.swapRB", "false for a 1-channel tensor", swap);
  let width = img.width;
  let height = img.height;
  let method: ResizeMethod = "bilinear";
  if (o.resize !== undefined) {
    if (!v.isObject(o.resize)) v.invalidParameter("options.resize", "an object { width, height, method? }", o.resize);
    v.knownKeys("options.resize", o.resize, ["width", "height", "method"]);
    ({ width, height, method } = resizeTarget("options.resize", o.resize));
  }
  return { width, height, C, nhwc: layout === "nhwc", swap, method, mean, std };
}

/**
 * Runs `convert` on the (possibly resized) pixels: fused row by row for a plain bilinear resize,
 * through a resized scratch image for the other methods, or directly without resize.
 */
function run(img: Image, c: Common, kind: 0 | 1, dst: number, params: number): void {
  const cn = img.channels;
  const src = inputPointer(img, "normalize.in");
  const sw = img.width;
  const sh = img.height;
  const same = sw === c.width && sh === c.height;
  const exact2 = Math.abs(1 / (c.width / sw) - 2) < Number.EPSILON && Math.abs(1 / (c.height / sh) - 2) < Number.EPSILON;
  if (!same && c.method === "bilinear" && !exact2 && kind === 0 && cn === 3 && !c.nhwc) {
    // RGB → f32 NCHW: per output pixel from its 2×2 taps, no intermediate rows.
    const p = linearPixelPlan(sw, sh, cn, c.width, c.height);
    k().resizeLinearNormalizeRgb(src, sw * cn, sh, c.width, c.height, p.xt, p.xv, p.ytab, dst, c.swap, params);
    return;
  }
  if (!same && c.method === "bilinear" && !exact2) {
    const p = linearPlan(sw, sh, cn, c.width, c.height);
    const [h0, h1] = linearRows(p.n);
    const row = scratch("normalize.row", p.n + 16).ptr;
    k().resizeLinearConvert(src, p.rowBytes, p.n, p.dh, p.xoff, p.alpha, p.bbase, p.bmask, p.nblk, p.ytab, h0, h1, row, kind, cn, dst, c.nhwc, c.C, c.swap, params);
    return;
  }
  let pixels = src;
  if (!same) {
    pixels = scratch("normalize.resized", c.width * c.height * cn).ptr;
    resizeInto(src, sw, sh, cn, pixels, c.width, c.height, c.method);
  }
  const npx = c.width * c.height;
  if (kind === 0) k().normalizeRow(pixels, npx, cn, dst, npx, c.nhwc, c.C, c.swap, params);
  else k().quantizeRow(pixels, npx, cn, dst, npx, c.nhwc, c.C, c.swap, params);
}

/**
 * Converts a u8 image to a float32 model-input tensor, per channel `(x·scale − mean[c]) / std[c]`
 * with scale = 1/255 by default — `cv.dnn.blobFromImage(img, 1/255, size, mean·255)` divided by
 * std, in one SIMD pass. Computed as `x·a[c] + b[c]` in float32 with a = scale/std,
 * b = −mean/std; each element is within 2⁻²¹·(|x·a| + |b|) of the exact value (a few float32 ulps).
 *
 * Zero-copy use in a frame loop: allocate the tensor once in WASM memory with {@link tensorBuffer}
 * and pass its view as `out`; frames that are `WasmImage`s are then read and written in place.
 *
 * @example
 * const tensor = normalize(frame, {
 *   mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: "nchw",
 *   resize: { width: 256, height: 256 },
 * }); // Float32Array of 3 × 256 × 256
 */
export function normalize(img: Image, options: NormalizeOptions): Float32Array {
  if (!v.isObject(options)) v.invalidParameter("options", "an options object { mean, std, layout }", options);
  const o = v.options("options", options, ["mean", "std", "layout", "scale", "swapRB", "resize", "out"]);
  const c = common(img, o, true);
  const scale = o.scale === undefined ? 1 / 255 : v.number("options.scale", o.scale);
  if (!Number.isFinite(scale)) v.invalidParameter("options.scale", "a finite number", scale);
  const length = c.C * c.width * c.height;
  const out = o.out === undefined ? undefined : v.outArray("options.out", o.out, Float32Array, length);
  const coef = scratch("normalize.coef", 8 * c.C);
  const f = coef.view(Float32Array);
  for (let i = 0; i < c.C; i++) {
    f[i] = scale / c.std[i]!;
    f[c.C + i] = -c.mean[i]! / c.std[i]!;
  }
  const dst = typedOutputTarget(Float32Array, length, out, "normalize.out");
  run(img, c, 0, dst.ptr, coef.ptr);
  return dst.finish();
}

let lutKey = "";
let lutBuf: WasmBuffer | null = null;

/**
 * Converts a u8 image to a quantized uint8/int8 model-input tensor:
 * `q = clamp(round(((x/255 − mean[c]) / std[c]) / scale) + zeroPoint)`, rounding ties to even like
 * ONNX QuantizeLinear. The value for each of the 256 inputs is computed exactly (float64) once per
 * parameter set, so the kernel is a table lookup; fused with bilinear resize like {@link normalize}.
 *
 * @example
 * // A uint8 model whose input was quantized with scale 1/255, zero point 0 (plain x/255):
 * const q = quantize(frame, { scale: 1 / 255, zeroPoint: 0, dtype: "uint8", layout: "nchw", resize: { width: 256, height: 256 } });
 */
export function quantize(img: Image, options: QuantizeOptions): Uint8Array | Int8Array {
  if (!v.isObject(options)) v.invalidParameter("options", "an options object { scale, zeroPoint, dtype, layout }", options);
  const o = v.options("options", options, ["scale", "zeroPoint", "dtype", "mean", "std", "layout", "swapRB", "resize", "out"]);
  const dtype = v.oneOf("options.dtype", o.dtype, ["uint8", "int8"] as const);
  const scale = v.number("options.scale", o.scale);
  if (!(scale > 0) || !Number.isFinite(scale)) v.invalidParameter("options.scale", "a finite number > 0", scale);
  const [lo, hi] = dtype === "uint8" ? [0, 255] : [-128, 127];
  const zeroPoint = v.integer("options.zeroPoint", o.zeroPoint, lo, hi);
  const c = common(img, o, false);
  const length = c.C * c.width * c.height;
  let outBytes: Uint8Array | undefined;
  if (o.out !== undefined) {
    const ctor = dtype === "uint8" ? Uint8Array : Int8Array;
    const out = v.outArray("options.out", o.out, ctor as unknown as { new (n: number): Uint8Array; name: string }, length);
    outBytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
  const lut = scratch("quantize.lut", 256 * 4);
  const key = `${dtype}|${scale}|${zeroPoint}|${c.mean.join(",")}|${c.std.join(",")}`;
  if (key !== lutKey || lut !== lutBuf) {
    const t = lut.u8;
    for (let ch = 0; ch < c.C; ch++) {
      for (let x = 0; x < 256; x++) {
        const q = roundHalfEven((x / 255 - c.mean[ch]!) / c.std[ch]! / scale) + zeroPoint;
        t[ch * 256 + x] = Math.min(hi, Math.max(lo, q)) & 255;
      }
    }
    lutKey = key;
    lutBuf = lut;
  }
  const dst = outputTarget(length, outBytes, "quantize.out");
  run(img, c, 1, dst.ptr, lut.ptr);
  const bytes = dst.finish();
  if (o.out !== undefined) return o.out;
  return dtype === "uint8" ? bytes : new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A tensor-sized buffer in WASM memory for zero-copy {@link normalize}/{@link quantize} output:
 * `normalize(frame, { ..., out: buf.view(Float32Array) })` then writes straight into it (take the
 * view again after other WASM allocations, which may grow memory). Call `dispose()` when done.
 *
 * @example
 * const buf = tensorBuffer(3 * 256 * 256, "float32");
 * const input = normalize(frame, { mean, std, layout: "nchw", resize: { width: 256, height: 256 }, out: buf.view(Float32Array) });
 */
export function tensorBuffer(length: number, dtype: "float32" | "uint8" | "int8"): WasmBuffer {
  v.integer("length", length, 1, 2 ** 28);
  v.oneOf("dtype", dtype, ["float32", "uint8", "int8"] as const);
  return new WasmBuffer(length * (dtype === "float32" ? 4 : 1));
}

/** True if `out` is a view of the kernels' memory (normalize then writes it without copying). */
export function isZeroCopy(out: ArrayBufferView): boolean {
  return addressOf(out) >= 0;
}
